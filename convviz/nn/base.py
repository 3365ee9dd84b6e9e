"""The base of every numpy layer: a forward pass, a backward pass, parameters and their
gradients, and a description with PyTorch's names.

Tensors are NCHW (or (N, features)) arrays of the layer's ``dtype``: float32 for training
(:data:`DTYPE`), float64 when a layer is turned into an exact reference with
:meth:`Layer.astype` (the effective receptive field does that).
"""

from __future__ import annotations

from typing import Any

import numpy as np

DTYPE = np.float32

Pair = tuple[int, int]
Pads = tuple[int, int, int, int]


def pair(value: int | tuple[int, int] | list[int], name: str = "value") -> Pair:
    """An int or an (h, w) pair as an (h, w) tuple."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def pads4(value: Any) -> Pads:
    """Padding as (top, bottom, left, right) from an int, an (h, w) pair, a 4-tuple or a
    ((top, bottom), (left, right)) pair of pairs (uneven padding, e.g. ``"same"``)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 4:
            return tuple(int(v) for v in value)  # type: ignore[return-value]
        if len(value) == 2 and all(isinstance(v, (list, tuple)) for v in value):
            (t, b), (left, r) = value
            return int(t), int(b), int(left), int(r)
        ph, pw = pair(value, "padding")
        return ph, ph, pw, pw
    p = int(value)
    return p, p, p, p


def same_layout(a: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``a`` with the memory order of ``ref`` (same shape): ``a`` itself when the order of its
    strides already matches, else one copy. Element-wise operations on arrays of one layout
    run over long contiguous rows; mixing layouts makes numpy step through short ones."""
    if a.ndim < 2 or tuple(np.argsort(a.strides, kind="stable")) == tuple(np.argsort(ref.strides, kind="stable")):
        return a
    out = np.empty_like(ref, dtype=a.dtype)
    out[...] = a
    return out


def compact(value: tuple[int, ...]) -> int | list[int]:
    """An (h, w) pair written back as PyTorch does: one int when both sides are equal."""
    return value[0] if len(set(value)) == 1 else list(value)


class Layer:
    """Base class: a layer without parameters that passes the gradient through."""

    type_name = "Layer"
    dtype: type = DTYPE

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.need_input_grad = True

    def _as(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=self.dtype)

    def astype(self, dtype: type) -> Layer:
        """Convert parameters, gradients and buffers (in place) and compute in ``dtype``."""
        self.dtype = dtype
        for store in (self.params, self.grads, self.buffers):
            for k, v in store.items():
                store[k] = v.astype(dtype)
        return self

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """The constructor arguments with PyTorch's names, plus ``type``."""
        return {"type": self.type_name}

    def spec(self) -> dict[str, Any]:
        """This layer in the engine's network-spec format (defaults left out)."""
        return {"type": self.type_name}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one sample's output (without the batch axis)."""
        return shape

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.config().items() if k != "type")
        return f"{self.type_name}({args})"

"""Branching blocks of the numpy network: Residual (body + shortcut, added) and Concat
(branches concatenated on the channel axis).

- Residual: y = body(x) + shortcut(x) (an empty or missing shortcut is the identity);
            dx = body'(dy) + shortcut'(dy).
- Concat:   y = [branch_1(x), ..., branch_m(x)] along channels; dx = sum_b branch_b'(dy_b)
            where dy_b is branch b's channel slice of dy.

Parameters, gradients and buffers of the inner layers appear in the block's own dicts under
their spec paths (``body.0.weight``, ``branches.1.0.bias``): the same arrays, so optimisers
and saving work unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convviz.nn.base import Layer


def run(layers: list[Layer], x: np.ndarray, train: bool) -> np.ndarray:
    for layer in layers:
        x = layer.forward(x, train)
    return x


def back(layers: list[Layer], dy: np.ndarray) -> np.ndarray:
    for layer in reversed(layers):
        out = layer.backward(dy)
        assert out is not None  # inner layers always pass the gradient on
        dy = out
    return dy


def chain_shape(layers: list[Layer], shape: tuple[int, ...]) -> tuple[int, ...]:
    for layer in layers:
        shape = layer.output_shape(shape)
    return shape


class _Block(Layer):
    def _groups(self) -> dict[str, list[Layer]]:
        raise NotImplementedError

    def _sync(self) -> None:
        """Collect the inner layers' arrays under their spec paths (same objects)."""
        for store in ("params", "grads", "buffers"):
            setattr(self, store, {
                f"{prefix}.{i}.{k}": v
                for prefix, layers in self._groups().items()
                for i, layer in enumerate(layers)
                for k, v in getattr(layer, store).items()
            })

    def astype(self, dtype: type) -> Layer:
        self.dtype = dtype
        for layers in self._groups().values():
            for layer in layers:
                layer.astype(dtype)
        self._sync()
        return self


class Residual(_Block):
    type_name = "Residual"

    def __init__(self, body: list[Layer], shortcut: list[Layer] | None = None) -> None:
        super().__init__()
        self.body, self.shortcut = list(body), list(shortcut or [])
        self._sync()

    def _groups(self) -> dict[str, list[Layer]]:
        return {"body": self.body, "shortcut": self.shortcut}

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "body": [la.config() for la in self.body],
                "shortcut": [la.config() for la in self.shortcut] or None}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name, "body": [la.spec() for la in self.body],
                "shortcut": [la.spec() for la in self.shortcut] or None}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        body, short = chain_shape(self.body, shape), chain_shape(self.shortcut, shape)
        if body != short:
            raise ValueError(f"Residual: body gives {body}, shortcut {short}; they must match")
        return body

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return run(self.body, x, train) + run(self.shortcut, x, train)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return back(self.body, dy) + back(self.shortcut, dy)


class Concat(_Block):
    type_name = "Concat"

    def __init__(self, branches: list[list[Layer]]) -> None:
        super().__init__()
        if not branches:
            raise ValueError("Concat needs at least one branch")
        self.branches = [list(b) for b in branches]
        self._bounds: list[int] = []
        self._sync()

    def _groups(self) -> dict[str, list[Layer]]:
        return {f"branches.{b}": layers for b, layers in enumerate(self.branches)}

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "branches": [[la.config() for la in b] for b in self.branches]}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name, "branches": [[la.spec() for la in b] for b in self.branches]}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        outs = [chain_shape(b, shape) for b in self.branches]
        if any(o[1:] != outs[0][1:] for o in outs):
            raise ValueError(f"Concat: branch outputs {outs} differ outside the channel axis")
        return (sum(o[0] for o in outs), *outs[0][1:])

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        outs = [run(b, x, train) for b in self.branches]
        self._bounds = list(np.cumsum([0] + [o.shape[1] for o in outs]))
        return np.concatenate(outs, axis=1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        cuts = self._bounds
        return sum(back(b, dy[:, cuts[k] : cuts[k + 1]]) for k, b in enumerate(self.branches))


def block_from_config(name: str, config: dict[str, Any], rng: np.random.Generator | None) -> Layer:
    """Rebuild a Residual or Concat from its ``config()`` (without ``type``)."""
    from convviz.nn.layers import layer_from_config

    def rebuild(items: list[dict[str, Any]] | None) -> list[Layer]:
        return [layer_from_config(c, rng) for c in items or []]

    if name == "Residual":
        return Residual(rebuild(config.get("body")), rebuild(config.get("shortcut")))
    return Concat([rebuild(b) for b in config.get("branches") or []])

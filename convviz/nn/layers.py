"""Layers of the numpy network, each with a forward and a backward pass (PyTorch semantics).

Tensors are NCHW arrays (float32 unless a layer is converted with ``astype``). Every layer
keeps what its backward pass needs from the last forward pass, exposes its learnable arrays
in ``params`` and their gradients in ``grads`` (same keys, same shapes), and describes
itself with ``config()`` (PyTorch's layer and argument names) so a model can be saved,
rebuilt and summarised by the engine. Convolutions live in :mod:`convviz.nn.conv`, pooling
in :mod:`convviz.nn.pooling`, Residual / Concat blocks in :mod:`convviz.nn.blocks`; all are
importable from here.

Formulas (y = forward output, dy = gradient of the loss with respect to y):

- ReLU:      y = max(x, 0); dx = dy * [x > 0]. LeakyReLU: slope ``negative_slope`` below 0.
- Sigmoid:   y = 1 / (1 + exp(-x)); dx = dy * y * (1 - y). Tanh: dx = dy * (1 - y^2).
- Linear:    y = x W^T + b; dW = dy^T x, db = sum dy, dx = dy W.
- Dropout:   training: y = x * m / (1 - p) with m ~ Bernoulli(1 - p) (one m per channel for
             Dropout2d); evaluation: y = x.
- BatchNorm2d: y = gamma * (x - mu) / sqrt(var + eps) + beta with batch statistics per
             channel in training (running averages updated with ``momentum``) and the
             running averages in evaluation.
- Softmax:   y_k = exp(x_k) / sum_j exp(x_j); dx = y * (dy - sum(dy * y)).
- softmax_cross_entropy: L = -mean_n sum_k q_nk log softmax(z_n)_k with the target
             distribution q_n = (1 - s) onehot(t_n) + s / K (label smoothing s, K classes;
             s = 0: L = -mean_n log softmax(z_n)[t_n]); dL/dz = (softmax(z) - q) / N.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convviz.nn.base import DTYPE, Layer, same_layout
from convviz.nn.conv import Conv2d, ConvTranspose2d
from convviz.nn.init import glorot_uniform, he_normal
from convviz.nn.pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "DTYPE", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "BatchNorm2d", "Conv2d",
    "ConvTranspose2d", "Dropout", "Dropout2d", "Flatten", "Identity", "Layer", "LeakyReLU",
    "Linear", "MaxPool2d", "ReLU", "Sigmoid", "Softmax", "Tanh", "layer_from_config",
    "softmax", "softmax_cross_entropy",
]


class ReLU(Layer):
    type_name = "ReLU"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._y = np.maximum(self._as(x), 0)
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return same_layout(self._as(dy), self._y) * (self._y > 0)


class LeakyReLU(Layer):
    type_name = "LeakyReLU"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "negative_slope": self.negative_slope}

    spec = config

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        self._slope = np.where(x > 0, 1.0, self.negative_slope).astype(self.dtype)
        return x * self._slope

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._slope


class Sigmoid(Layer):
    type_name = "Sigmoid"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._y = 1.0 / (1.0 + np.exp(-self._as(x)))
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._y * (1 - self._y)


class Tanh(Layer):
    type_name = "Tanh"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._y = np.tanh(self._as(x))
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * (1 - self._y * self._y)


class Identity(Layer):
    type_name = "Identity"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return self._as(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


class Flatten(Layer):
    type_name = "Flatten"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._shape = x.shape
        return self._as(x).reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.reshape(self._shape)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(np.prod(shape)),)


class Linear(Layer):
    type_name = "Linear"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator | None = None,
        init_scale: float = 1.0,
        init: str = "he",
        bias: bool = True,
    ) -> None:
        super().__init__()
        if min(in_features, out_features) < 1:
            raise ValueError("Linear needs in_features and out_features >= 1")
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = rng if rng is not None else np.random.default_rng(0)
        shape = (self.out_features, self.in_features)
        if init == "glorot":
            weight = glorot_uniform(shape, self.in_features, self.out_features, rng, init_scale)
        else:
            weight = he_normal(shape, self.in_features, rng, init_scale)
        self.params = {"weight": weight}
        if bias:
            self.params["bias"] = np.zeros(self.out_features, DTYPE)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "in_features": self.in_features, **self.spec()}

    def spec(self) -> dict[str, Any]:
        bias = {} if "bias" in self.params else {"bias": False}
        return {"type": self.type_name, "out_features": self.out_features, **bias}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.out_features,)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"Linear expects (N, {self.in_features}) input, got {x.shape}")
        self._x = x
        out = x @ self.params["weight"].T
        if "bias" in self.params:
            out += self.params["bias"]
        return out

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy = self._as(dy)
        self.grads["weight"][...] = dy.T @ self._x
        if "bias" in self.grads:
            self.grads["bias"][...] = dy.sum(axis=0)
        return dy @ self.params["weight"] if self.need_input_grad else None


class Dropout(Layer):
    """Inverted dropout: scales kept activations by 1 / (1 - p) during training."""

    type_name = "Dropout"

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError("Dropout probability p must be in [0, 1)")
        self.p = float(p)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self._mask: np.ndarray | None = None

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "p": self.p}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name, "p": self.p}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        if not train or self.p == 0.0:
            self._mask = None
            return x
        shape = x.shape if self.type_name == "Dropout" else (*x.shape[:2], *([1] * (x.ndim - 2)))
        self._mask = (self.rng.random(shape, dtype=DTYPE) >= self.p).astype(self.dtype) / self.dtype(1 - self.p)
        return x * self._mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy if self._mask is None else dy * self._mask


class Dropout2d(Dropout):
    """Channel dropout: zeroes whole feature maps (one draw per sample and channel)."""

    type_name = "Dropout2d"


class BatchNorm2d(Layer):
    type_name = "BatchNorm2d"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), float(momentum)
        self.params = {"weight": np.ones(num_features, DTYPE), "bias": np.zeros(num_features, DTYPE)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {
            "running_mean": np.zeros(num_features, DTYPE),
            "running_var": np.ones(num_features, DTYPE),
        }

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "num_features": self.num_features, "eps": self.eps, "momentum": self.momentum}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d expects {self.num_features} channels, got {x.shape[1]}")
        if train:
            mean = x.mean(axis=(0, 2, 3), dtype=np.float64)
            var = x.var(axis=(0, 2, 3), dtype=np.float64)
            m = x.shape[0] * x.shape[2] * x.shape[3]
            unbiased = var * m / max(m - 1, 1)
            mom = self.momentum
            self.buffers["running_mean"][...] = (1 - mom) * self.buffers["running_mean"] + mom * mean
            self.buffers["running_var"][...] = (1 - mom) * self.buffers["running_var"] + mom * unbiased
        else:
            mean = self.buffers["running_mean"].astype(np.float64)
            var = self.buffers["running_var"].astype(np.float64)
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(self.dtype)
        xhat = (x - mean.astype(self.dtype)[None, :, None, None]) * inv_std[None, :, None, None]
        self._cache = (xhat, inv_std, train)
        return xhat * self.params["weight"][None, :, None, None] + self.params["bias"][None, :, None, None]

    def backward(self, dy: np.ndarray) -> np.ndarray:
        xhat, inv_std, train = self._cache
        dy = self._as(dy)
        self.grads["weight"][...] = (dy * xhat).sum(axis=(0, 2, 3))
        self.grads["bias"][...] = dy.sum(axis=(0, 2, 3))
        g = (self.params["weight"] * inv_std)[None, :, None, None]
        if not train:
            return dy * g
        dxhat_mean = dy.mean(axis=(0, 2, 3), keepdims=True)
        dxhat_xhat = (dy * xhat).mean(axis=(0, 2, 3), keepdims=True)
        return g * (dy - dxhat_mean - xhat * dxhat_xhat)


class Softmax(Layer):
    """Softmax over the class axis (dim=1)."""

    type_name = "Softmax"

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "dim": 1}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name, "dim": 1}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._y = softmax(self._as(x))
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return y * (dy - (dy * y).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable: exp(z - max z) / sum exp(z - max z)."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def check_label_smoothing(smoothing: float) -> None:
    """Label smoothing s is a share of the target moved to the uniform: 0 <= s < 1."""
    if not 0.0 <= smoothing < 1.0:
        raise ValueError("label_smoothing must be in [0, 1)")


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, label_smoothing: float = 0.0
) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer ``targets`` under softmax(``logits``) and its gradient;
    with ``label_smoothing`` s the target is ``(1 - s) onehot + s / K`` (PyTorch's
    ``CrossEntropyLoss(label_smoothing=s)``)."""
    check_label_smoothing(label_smoothing)
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.int64)
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_z
    loss = float(-log_p[np.arange(n), targets].mean())
    grad = np.exp(log_p)
    grad[np.arange(n), targets] -= 1.0
    if label_smoothing:
        uniform = float(-log_p.mean(axis=1).mean())  # -mean_n (1/K) sum_k log p_nk
        loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform
        grad[np.arange(n), targets] += label_smoothing
        grad -= label_smoothing / k
    return loss, (grad / n).astype(DTYPE)


def smoothed_targets(smoothing: float, classes: int = 10) -> tuple[float, float]:
    """The target probabilities of :func:`softmax_cross_entropy` with ``label_smoothing`` s:
    ``(1 - s + s/K, s/K)`` for the right class and for each other class."""
    check_label_smoothing(smoothing)
    if classes < 2:
        raise ValueError("label smoothing needs at least 2 classes")
    return 1.0 - smoothing + smoothing / classes, smoothing / classes


def label_smoothing_floor(smoothing: float, classes: int = 10) -> float:
    """The smallest value :func:`softmax_cross_entropy` can take with ``label_smoothing`` s:
    the entropy of the target q, ``-(1 - s + s/K) log(1 - s + s/K) - (K - 1) (s/K) log(s/K)``,
    reached when softmax(z) = q (0 when s = 0). A training loss near it is a perfect fit."""
    right, other = smoothed_targets(smoothing, classes)
    return float(-right * np.log(right) - ((classes - 1) * other * np.log(other) if other > 0 else 0.0))


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.type_name: cls
    for cls in (
        Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, ReLU, LeakyReLU,
        Sigmoid, Tanh, Identity, Flatten, Linear, Dropout, Dropout2d, BatchNorm2d, Softmax,
    )
}
"""The numpy layers by PyTorch name (blocks: :mod:`convviz.nn.blocks`)."""

_SEEDED = ("Conv2d", "ConvTranspose2d", "Linear", "Dropout", "Dropout2d")


def layer_from_config(config: dict[str, Any], rng: np.random.Generator | None = None) -> Layer:
    """Rebuild a layer (or a Residual / Concat block) from its ``config()`` dict."""
    kwargs = dict(config)
    name = kwargs.pop("type", None)
    if name in ("Residual", "Concat"):
        from convviz.nn.blocks import block_from_config

        return block_from_config(name, kwargs, rng)
    if name not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {name!r}; known: {sorted(LAYER_TYPES)}")
    if name == "Softmax":
        return Softmax()
    if name in _SEEDED:
        kwargs["rng"] = rng
    return LAYER_TYPES[name](**kwargs)

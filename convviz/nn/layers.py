"""Layers of the numpy CNN, each with a forward and a backward pass (PyTorch semantics).

Tensors are float32 in NCHW layout. Every layer keeps what its backward pass needs from
the last forward pass, exposes its learnable arrays in ``params`` and their gradients in
``grads`` (same keys, same shapes), and describes itself with ``config()`` (PyTorch's
layer and argument names) so a model can be saved, rebuilt and summarised by the engine.

Formulas (y = forward output, dy = gradient of the loss with respect to y):

- Conv2d:    y[n,f,i,j] = b[f] + sum_{c,u,v} w[f,c,u,v] * xpad[n,c,s*i+u,s*j+v]
             computed as one matmul ``cols @ W.T`` where ``cols`` (im2col) holds every
             k x k window as a row (built with ``np.lib.stride_tricks.sliding_window_view``);
             dW = dy^T cols, db = sum dy, dx = col2im(dy W).
- MaxPool2d: y = max over each window; dx routes dy to the (first) arg-max of its window.
- AvgPool2d: y = mean over each window (zero padding counted, like PyTorch's default);
             dx spreads dy / k^2 over the window.
- ReLU:      y = max(x, 0); dx = dy * [x > 0].
- Linear:    y = x W^T + b; dW = dy^T x, db = sum dy, dx = dy W.
- Dropout:   training: y = x * m / (1 - p) with m ~ Bernoulli(1 - p); evaluation: y = x.
- BatchNorm2d: y = gamma * (x - mu) / sqrt(var + eps) + beta with batch statistics per
             channel in training (running averages updated with ``momentum``) and the
             running averages in evaluation.
- Softmax:   y_k = exp(x_k) / sum_j exp(x_j); dx = y * (dy - sum(dy * y)).
- softmax_cross_entropy: L = -mean_n log softmax(z_n)[t_n]; dL/dz = (softmax(z) - onehot(t)) / N.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convviz.nn.init import glorot_uniform, he_normal

DTYPE = np.float32


def _as_float(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=DTYPE)


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


class Layer:
    """Base class: a layer without parameters that passes the gradient through."""

    type_name = "Layer"

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.need_input_grad = True

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


class Conv2d(Layer):
    """2-D convolution (cross-correlation, like PyTorch) with square kernels."""

    type_name = "Conv2d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        rng: np.random.Generator | None = None,
        init_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if min(in_channels, out_channels, kernel_size, stride) < 1 or padding < 0:
            raise ValueError("Conv2d needs positive channels, kernel_size, stride and padding >= 0")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        rng = rng if rng is not None else np.random.default_rng(0)
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        fan_in = self.in_channels * self.kernel_size**2
        self.params = {
            "weight": he_normal(shape, fan_in, rng, init_scale),
            "bias": np.zeros(self.out_channels, DTYPE),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cols: np.ndarray | None = None
        self._x_shape: tuple[int, ...] = ()

    def config(self) -> dict[str, Any]:
        return {
            "type": self.type_name,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
        }

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type_name,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
        }
        if self.stride != 1:
            out["stride"] = self.stride
        if self.padding:
            out["padding"] = self.padding
        return out

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        _, h, w = shape
        k, s, p = self.kernel_size, self.stride, self.padding
        return (self.out_channels, _out_size(h, k, s, p), _out_size(w, k, s, p))

    def _windows(self, x: np.ndarray) -> np.ndarray:
        p, k, s = self.padding, self.kernel_size, self.stride
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = _as_float(x)
        n, c, h, w = x.shape
        if c != self.in_channels:
            raise ValueError(f"Conv2d expects {self.in_channels} input channels, got {c}")
        win = self._windows(x)  # (N, C, Ho, Wo, k, k), a view
        ho, wo = win.shape[2], win.shape[3]
        if ho < 1 or wo < 1:
            raise ValueError("Conv2d: the kernel is larger than the padded input")
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)  # one copy
        weight = self.params["weight"].reshape(self.out_channels, -1)
        out = cols @ weight.T
        out += self.params["bias"]
        self._cols, self._x_shape = cols, x.shape
        return np.ascontiguousarray(out.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2))

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._cols is None:
            raise RuntimeError("backward() called before forward()")
        n, c, h, w = self._x_shape
        f, k, s, p = self.out_channels, self.kernel_size, self.stride, self.padding
        ho, wo = dy.shape[2], dy.shape[3]
        dy2 = _as_float(dy).transpose(0, 2, 3, 1).reshape(-1, f)
        weight = self.params["weight"].reshape(f, -1)
        self.grads["weight"][...] = (dy2.T @ self._cols).reshape(self.params["weight"].shape)
        self.grads["bias"][...] = dy2.sum(axis=0)
        if not self.need_input_grad:
            return None
        # (C*k*k, N*Ho*Wo): each (c, u, v) row is contiguous, so col2im adds whole planes
        dcols = (weight.T @ dy2.T).reshape(c, k, k, n, ho, wo)
        dxp = np.zeros((c, n, h + 2 * p, w + 2 * p), DTYPE)
        for u in range(k):
            for v in range(k):
                dxp[:, :, u : u + s * (ho - 1) + 1 : s, v : v + s * (wo - 1) + 1 : s] += dcols[:, u, v]
        dxp = dxp.transpose(1, 0, 2, 3)
        return np.ascontiguousarray(dxp[:, :, p : p + h, p : p + w] if p else dxp)


class _Pool(Layer):
    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0) -> None:
        super().__init__()
        self.kernel_size = int(kernel_size)
        self.stride = int(stride) if stride else self.kernel_size
        self.padding = int(padding)
        if self.kernel_size < 1 or self.stride < 1 or self.padding < 0:
            raise ValueError(f"{self.type_name} needs kernel_size, stride >= 1 and padding >= 0")
        if self.padding > self.kernel_size // 2:
            raise ValueError(f"{self.type_name}: padding must be at most half the kernel size")
        self._cache: tuple[Any, ...] = ()

    def config(self) -> dict[str, Any]:
        return {
            "type": self.type_name,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
        }

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type_name, "kernel_size": self.kernel_size}
        if self.stride != self.kernel_size:
            out["stride"] = self.stride
        if self.padding:
            out["padding"] = self.padding
        return out

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        c, h, w = shape
        k, s, p = self.kernel_size, self.stride, self.padding
        return (c, _out_size(h, k, s, p), _out_size(w, k, s, p))

    def _fast(self) -> bool:
        return self.stride == self.kernel_size and self.padding == 0

    def _scatter(self, dwin: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
        """Sum window gradients (N, C, Ho, Wo, k, k) back onto the input grid."""
        n, c, h, w = x_shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = dwin.shape[2], dwin.shape[3]
        if self._fast():
            dx = np.zeros((n, c, h, w), DTYPE)
            dx[:, :, : ho * k, : wo * k] = dwin.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, ho * k, wo * k)
            return dx
        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p), DTYPE)
        for u in range(k):
            for v in range(k):
                dxp[:, :, u : u + s * (ho - 1) + 1 : s, v : v + s * (wo - 1) + 1 : s] += dwin[..., u, v]
        return dxp[:, :, p : p + h, p : p + w] if p else dxp

    def _windows(self, x: np.ndarray, fill: float) -> np.ndarray:
        """All pooling windows as (N, C, Ho, Wo, k, k)."""
        n, c, h, w = x.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = _out_size(h, k, s, p), _out_size(w, k, s, p)
        if ho < 1 or wo < 1:
            raise ValueError(f"{self.type_name}: the window is larger than the input")
        if self._fast():  # non-overlapping windows: a reshape, no copy
            xc = x[:, :, : ho * k, : wo * k]
            return xc.reshape(n, c, ho, k, wo, k).transpose(0, 1, 2, 4, 3, 5)
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
        return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s][:, :, :ho, :wo]


class MaxPool2d(_Pool):
    """Max pooling; ``stride`` defaults to ``kernel_size`` (PyTorch's default).

    Computed as k*k element-wise maxima of strided slices (one per window offset); the
    backward pass sends each window's gradient to the first offset holding the maximum,
    as PyTorch does.
    """

    type_name = "MaxPool2d"

    def _slices(self, ho: int, wo: int) -> list[tuple[slice, slice]]:
        k, s = self.kernel_size, self.stride
        return [
            (slice(u, u + s * (ho - 1) + 1, s), slice(v, v + s * (wo - 1) + 1, s))
            for u in range(k)
            for v in range(k)
        ]

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = _as_float(x)
        n, c, h, w = x.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = _out_size(h, k, s, p), _out_size(w, k, s, p)
        if ho < 1 or wo < 1:
            raise ValueError(f"{self.type_name}: the window is larger than the input")
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf) if p else x
        out: np.ndarray | None = None
        for sy, sx in self._slices(ho, wo):
            part = xp[:, :, sy, sx]
            out = part.copy() if out is None else np.maximum(out, part, out=out)
        assert out is not None
        self._cache = (xp, out, x.shape)
        return out

    def backward(self, dy: np.ndarray) -> np.ndarray:
        xp, out, (n, c, h, w) = self._cache
        p = self.padding
        dy = _as_float(dy)
        dxp = np.zeros(xp.shape, DTYPE)
        taken = np.zeros(out.shape, bool)
        for sy, sx in self._slices(*out.shape[2:]):
            hit = xp[:, :, sy, sx] == out
            hit &= ~taken
            taken |= hit
            dxp[:, :, sy, sx] += dy * hit
        return dxp[:, :, p : p + h, p : p + w] if p else dxp


class AvgPool2d(_Pool):
    """Average pooling (zero padding counts in the mean, PyTorch's default)."""

    type_name = "AvgPool2d"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = _as_float(x)
        win = self._windows(x, fill=0.0)
        self._cache = (x.shape, win.shape)
        return win.mean(axis=(-2, -1), dtype=DTYPE)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        x_shape, win_shape = self._cache
        k = self.kernel_size
        dwin = np.broadcast_to((_as_float(dy) / (k * k))[..., None, None], win_shape)
        return self._scatter(dwin, x_shape)


class ReLU(Layer):
    type_name = "ReLU"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._y = np.maximum(_as_float(x), DTYPE(0))
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * (self._y > 0)


class Flatten(Layer):
    type_name = "Flatten"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._shape = x.shape
        return _as_float(x).reshape(x.shape[0], -1)

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
        self.params = {"weight": weight, "bias": np.zeros(self.out_features, DTYPE)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "in_features": self.in_features, "out_features": self.out_features}

    def spec(self) -> dict[str, Any]:
        return {"type": self.type_name, "out_features": self.out_features}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.out_features,)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = _as_float(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"Linear expects (N, {self.in_features}) input, got {x.shape}")
        self._x = x
        out = x @ self.params["weight"].T
        out += self.params["bias"]
        return out

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy = _as_float(dy)
        self.grads["weight"][...] = dy.T @ self._x
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
        x = _as_float(x)
        if not train or self.p == 0.0:
            self._mask = None
            return x
        self._mask = (self.rng.random(x.shape, dtype=DTYPE) >= self.p).astype(DTYPE) / DTYPE(1 - self.p)
        return x * self._mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy if self._mask is None else dy * self._mask


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
        x = _as_float(x)
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
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(DTYPE)
        xhat = (x - mean.astype(DTYPE)[None, :, None, None]) * inv_std[None, :, None, None]
        self._cache = (xhat, inv_std, train)
        return xhat * self.params["weight"][None, :, None, None] + self.params["bias"][None, :, None, None]

    def backward(self, dy: np.ndarray) -> np.ndarray:
        xhat, inv_std, train = self._cache
        dy = _as_float(dy)
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
        self._y = softmax(_as_float(x))
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return y * (dy - (dy * y).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable: exp(z - max z) / sum exp(z - max z)."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of integer ``targets`` under softmax(``logits``) and its gradient."""
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.int64)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_z
    loss = float(-log_p[np.arange(n), targets].mean())
    grad = np.exp(log_p)
    grad[np.arange(n), targets] -= 1.0
    return loss, (grad / n).astype(DTYPE)


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.type_name: cls
    for cls in (Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten, Linear, Dropout, BatchNorm2d, Softmax)
}


def layer_from_config(config: dict[str, Any], rng: np.random.Generator | None = None) -> Layer:
    """Rebuild a layer from its ``config()`` dict."""
    kwargs = dict(config)
    name = kwargs.pop("type", None)
    if name not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {name!r}; known: {sorted(LAYER_TYPES)}")
    cls = LAYER_TYPES[name]
    if name == "Softmax":
        return Softmax()
    if name in ("Conv2d", "Linear", "Dropout"):
        kwargs["rng"] = rng
    return cls(**kwargs)

"""Convolution layers of the numpy network: Conv2d (im2col) and ConvTranspose2d (scatter).

Shapes per axis come from :mod:`convviz.arithmetic.sizes` (the one place for output sizes).
Notation: k kernel, s stride, d dilation, (top, bottom, left, right) padding, g groups.

- Conv2d:  y[n,f,i,j] = b[f] + sum_{c,u,v} w[f,c,u,v] * xpad[n, g*Cin/g + c, s*i + d*u, s*j + d*v]
           (c runs over the input channels of f's group). Computed as one matmul per group,
           ``W @ cols``, where ``cols`` (im2col, shape (C/g*kh*kw, Ho*Wo*N)) holds every
           dilated k x k window as a column: one copy of a strided view of the padded input
           stored channel-first, batch-last (C, Hp, Wp, N), so each row is a long contiguous
           run; dW = dy cols^T (the forward's buffer), db = sum dy, dx = col2im(W^T dy) by one
           strided add per kernel tap. The output is NCHW indexed but (C, H, W, N) in memory:
           element-wise layers and pooling keep that layout, so no transposing copy is made
           between layers.
- ConvTranspose2d: input cell (i, j) adds x[c,i,j] * w[c,o,u,v] at (s*i + d*u, s*j + d*v) of a
           canvas, which is then cropped by the padding (output_padding extends it at the
           bottom/right); the backward pass gathers the same positions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convviz.arithmetic import sizes
from convviz.nn.base import Layer, compact, pads4, pair
from convviz.nn.init import he_normal

Size = int | tuple[int, int]
"""A size per axis: one int for both, or (height, width)."""


class _ConvBase(Layer):
    """What both convolutions share: arguments, weights, bias and the group slices."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size, dilation: Size, groups: int, bias: bool
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel, self.strides = pair(kernel_size, "kernel_size"), pair(stride, "stride")
        self.dilations, self.groups = pair(dilation, "dilation"), int(groups)
        if min(self.in_channels, self.out_channels, *self.kernel, *self.strides, *self.dilations, self.groups) < 1:
            raise ValueError(f"{self.type_name} needs positive channels, kernel_size, stride, dilation and groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{self.type_name}: groups must divide in_channels and out_channels")
        self.has_bias = bool(bias)

    def _init(self, shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None, scale: float) -> None:
        rng = rng if rng is not None else np.random.default_rng(0)
        self.params = {"weight": he_normal(shape, fan_in, rng, scale)}
        if self.has_bias:
            self.params["bias"] = np.zeros(self.out_channels, self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def _extra(self) -> dict[str, Any]:
        """Arguments left at PyTorch's default are not written."""
        out: dict[str, Any] = {}
        if self.dilations != (1, 1):
            out["dilation"] = compact(self.dilations)
        if self.groups != 1:
            out["groups"] = self.groups
        if not self.has_bias:
            out["bias"] = False
        return out

    def _input(self, x: np.ndarray) -> np.ndarray:
        """``x`` in the layer's dtype, after checking its channels."""
        x = self._as(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self.type_name} expects (N, {self.in_channels}, H, W) inputs, got {x.shape}")
        return x

    def _groups(self) -> list[tuple[slice, slice]]:
        """(input channels, output channels) of each group."""
        gi, go = self.in_channels // self.groups, self.out_channels // self.groups
        return [(slice(g * gi, (g + 1) * gi), slice(g * go, (g + 1) * go)) for g in range(self.groups)]

    def _offsets(self, rows: int, cols: int) -> list[tuple[int, int, slice, slice]]:
        """(u, v, row slice, column slice): the cells kernel tap (u, v) touches for a grid of
        ``rows`` x ``cols`` window positions (stride s, dilation d)."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        return [
            (u, v, slice(u * dh, u * dh + sh * (rows - 1) + 1, sh), slice(v * dw, v * dw + sw * (cols - 1) + 1, sw))
            for u in range(kh)
            for v in range(kw)
        ]


class Conv2d(_ConvBase):
    """2-D convolution (cross-correlation, like PyTorch), with stride, uneven zero padding
    (an int, an (h, w) pair or (top, bottom, left, right)), dilation and groups."""

    type_name = "Conv2d"

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1, padding: Any = 0,
        dilation: Size = 1, groups: int = 1, bias: bool = True,
        rng: np.random.Generator | None = None, init_scale: float = 1.0,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, dilation, groups, bias)
        self.pads = pads4(padding)
        if min(self.pads) < 0:
            raise ValueError("Conv2d needs padding >= 0")
        kh, kw = self.kernel
        cin_g = self.in_channels // self.groups
        self._init((self.out_channels, cin_g, kh, kw), cin_g * kh * kw, rng, init_scale)
        self._cols: np.ndarray | None = None
        self._x_shape: tuple[int, ...] = ()

    def _padding(self) -> Any:
        t, b, left, r = self.pads
        return compact((t, left)) if (t, left) == (b, r) else list(self.pads)

    def config(self) -> dict[str, Any]:
        return {
            "type": self.type_name,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": compact(self.kernel),
            "stride": compact(self.strides),
            "padding": self._padding(),
            **self._extra(),
        }

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type_name, "out_channels": self.out_channels,
                               "kernel_size": compact(self.kernel)}
        if self.strides != (1, 1):
            out["stride"] = compact(self.strides)
        if any(self.pads):
            padding = self._padding()
            uneven = isinstance(padding, list) and len(padding) == 4
            out["padding"] = "same" if uneven else padding  # uneven: only "same" makes it
        return {**out, **self._extra()}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        _, h, w = shape
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        t, b, left, r = self.pads
        return (self.out_channels, sizes.conv_out(h, kh, sh, (t, b), dh), sizes.conv_out(w, kw, sw, (left, r), dw))

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """Every window of the padded input, channels-first and batch-last:
        (C, kh, kw, Ho, Wo, N), a view of a (C, Hp, Wp, N) copy of ``x``."""
        n, c, h, w = x.shape
        t, b, left, r = self.pads
        xt = np.zeros((c, h + t + b, w + left + r, n), x.dtype)
        xt[:, t : t + h, left : left + w] = x.transpose(1, 2, 3, 0)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        win = sliding_window_view(xt, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(1, 2))
        if dh > 1 or dw > 1:
            win = win[..., ::dh, ::dw]
        return win[:, ::sh, ::sw].transpose(0, 4, 5, 1, 2, 3)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._input(x)
        n, c, h, w = x.shape
        _, ho, wo = self.output_shape((c, h, w))
        g = self.groups
        # im2col as (G, C/g*kh*kw, Ho*Wo*N): one copy whose rows are long contiguous runs
        # (output columns times batch), so W (G, F/g, K) @ cols is one matmul per group
        cols = self._windows(x).reshape(g, -1, ho * wo * n)
        weight = self.params["weight"].reshape(g, self.out_channels // g, -1)
        out = np.matmul(weight, cols)
        if self.has_bias:
            out += self.params["bias"].reshape(g, -1, 1)
        self._cols, self._x_shape = cols, x.shape
        # NCHW indices over a (C, H, W, N) memory layout: the element-wise layers and pooling
        # that follow keep it, and the next convolution's im2col reads it with long runs
        return out.reshape(self.out_channels, ho, wo, n).transpose(3, 0, 1, 2)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dW = dy cols^T (the forward's im2col buffer), db = sum dy, and dx = col2im(W^T dy):
        one strided add per kernel tap (kh*kw adds of whole planes, no loop over positions)."""
        if self._cols is None:
            raise RuntimeError("backward() called before forward()")
        n, c, h, w = self._x_shape
        (kh, kw), (ho, wo), g = self.kernel, dy.shape[2:], self.groups
        dyt = self._as(dy).transpose(1, 2, 3, 0).reshape(g, self.out_channels // g, -1)  # (G, F/g, Ho*Wo*N)
        self.grads["weight"][...] = np.matmul(dyt, self._cols.transpose(0, 2, 1)).reshape(self.params["weight"].shape)
        if self.has_bias:
            self.grads["bias"][...] = dyt.sum(axis=2).reshape(-1)
        if not self.need_input_grad:
            return None
        weight = self.params["weight"].reshape(g, self.out_channels // g, -1)
        dcols = np.matmul(weight.transpose(0, 2, 1), dyt).reshape(c, kh, kw, ho, wo, n)
        t, b, left, r = self.pads
        dxt = np.zeros((c, h + t + b, w + left + r, n), self.dtype)
        for u, v, rows, cols in self._offsets(ho, wo):
            dxt[:, rows, cols] += dcols[:, u, v]
        return dxt[:, t : t + h, left : left + w].transpose(3, 0, 1, 2)


class ConvTranspose2d(_ConvBase):
    """Transposed convolution (PyTorch's ConvTranspose2d): weights (Cin, Cout/g, kh, kw)."""

    type_name = "ConvTranspose2d"

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1, padding: Size = 0,
        output_padding: Size = 0, groups: int = 1, bias: bool = True, dilation: Size = 1,
        rng: np.random.Generator | None = None, init_scale: float = 1.0,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, dilation, groups, bias)
        self.padding, self.output_padding = pair(padding, "padding"), pair(output_padding, "output_padding")
        kh, kw = self.kernel
        cin_g, cout_g = self.in_channels // self.groups, self.out_channels // self.groups
        self._init((self.in_channels, cout_g, kh, kw), cin_g * kh * kw, rng, init_scale)
        self._x: np.ndarray | None = None

    def config(self) -> dict[str, Any]:
        return {**self.spec(), "in_channels": self.in_channels}

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type_name, "out_channels": self.out_channels,
                               "kernel_size": compact(self.kernel)}
        for name, value, default in (("stride", self.strides, (1, 1)), ("padding", self.padding, (0, 0)),
                                     ("output_padding", self.output_padding, (0, 0))):
            if value != default:
                out[name] = compact(value)
        return {**out, **self._extra()}

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        _, h, w = shape
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        (ph, pw), (oph, opw) = self.padding, self.output_padding
        return (self.out_channels, sizes.convt_out(h, kh, sh, ph, oph, dh), sizes.convt_out(w, kw, sw, pw, opw, dw))

    def _canvas_shape(self, h: int, w: int) -> tuple[int, int]:
        """The uncropped output: ``(n-1)*s + d*(k-1) + 1 + output_padding`` per axis."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        oph, opw = self.output_padding
        return (h - 1) * sh + dh * (kh - 1) + 1 + oph, (w - 1) * sw + dw * (kw - 1) + 1 + opw

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._input(x)
        n, c, h, w = x.shape
        _, ho, wo = self.output_shape((c, h, w))
        weight = self.params["weight"]
        canvas = np.zeros((n, self.out_channels, *self._canvas_shape(h, w)), self.dtype)
        for gi, go in self._groups():
            for u, v, rows, cols in self._offsets(h, w):
                canvas[:, go, rows, cols] += np.einsum("co,nchw->nohw", weight[gi, :, u, v], x[:, gi])
        ph, pw = self.padding
        y = canvas[:, :, ph : ph + ho, pw : pw + wo]
        if self.has_bias:
            y = y + self.params["bias"][None, :, None, None]
        self._x = x
        return np.ascontiguousarray(y)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._x is None:
            raise RuntimeError("backward() called before forward()")
        x, dy = self._x, self._as(dy)
        n, c, h, w = x.shape
        ph, pw = self.padding
        gcanvas = np.zeros((n, self.out_channels, *self._canvas_shape(h, w)), self.dtype)
        gcanvas[:, :, ph : ph + dy.shape[2], pw : pw + dy.shape[3]] = dy
        weight, dweight = self.params["weight"], self.grads["weight"]
        dx = np.zeros_like(x) if self.need_input_grad else None
        for gi, go in self._groups():
            for u, v, rows, cols in self._offsets(h, w):
                part = gcanvas[:, go, rows, cols]
                dweight[gi, :, u, v] = np.einsum("nchw,nohw->co", x[:, gi], part)
                if dx is not None:
                    dx[:, gi] += np.einsum("co,nohw->nchw", weight[gi, :, u, v], part)
        if self.has_bias:
            self.grads["bias"][...] = dy.sum(axis=(0, 2, 3))
        return dx

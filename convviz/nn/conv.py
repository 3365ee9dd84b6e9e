"""Convolution layers of the numpy network: Conv2d (im2col) and ConvTranspose2d (scatter).

Shapes per axis come from :mod:`convviz.arithmetic.sizes` (the one place for output sizes).
Notation: k kernel, s stride, d dilation, (top, bottom, left, right) padding, g groups.

- Conv2d:  y[n,f,i,j] = b[f] + sum_{c,u,v} w[f,c,u,v] * xpad[n, g*Cin/g + c, s*i + d*u, s*j + d*v]
           (c runs over the input channels of f's group). Computed as one matmul per group,
           ``cols @ W.T``, where ``cols`` (im2col) holds every dilated k x k window as a row;
           dW = dy^T cols, db = sum dy, dx = col2im(dy W).
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
        """Every window as (N, C, Ho, Wo, kh, kw): a view of the padded input."""
        t, b, left, r = self.pads
        if t or b or left or r:
            x = np.pad(x, ((0, 0), (0, 0), (t, b), (left, r)))
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        win = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
        if dh > 1 or dw > 1:
            win = win[..., ::dh, ::dw]
        return win[:, :, ::sh, ::sw]

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._input(x)
        n, c, h, w = x.shape
        _, ho, wo = self.output_shape((c, h, w))
        cols = self._windows(x).transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)  # one copy
        weight = self.params["weight"].reshape(self.out_channels, -1)
        if self.groups == 1:
            out = cols @ weight.T
        else:
            g = self.groups
            per_group = cols.reshape(len(cols), g, -1).transpose(1, 0, 2) @ weight.reshape(g, -1, weight.shape[1]).transpose(0, 2, 1)
            out = per_group.transpose(1, 0, 2).reshape(len(cols), self.out_channels)
        if self.has_bias:
            out += self.params["bias"]
        self._cols, self._x_shape = cols, x.shape
        return np.ascontiguousarray(out.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2))

    def _weight_and_col_grads(self, dy2: np.ndarray) -> np.ndarray | None:
        """Fill dW from (N*Ho*Wo, F) output gradients; return d cols as (C*kh*kw, N*Ho*Wo)
        when the input gradient is needed (else None: the first layer skips that matmul)."""
        assert self._cols is not None
        weight = self.params["weight"].reshape(self.out_channels, -1)
        if self.groups == 1:
            self.grads["weight"][...] = (dy2.T @ self._cols).reshape(self.params["weight"].shape)
            return weight.T @ dy2.T if self.need_input_grad else None
        g, m = self.groups, len(dy2)
        dyg = dy2.reshape(m, g, -1).transpose(1, 2, 0)  # (G, F/g, m)
        colg = self._cols.reshape(m, g, -1).transpose(1, 0, 2)  # (G, m, K)
        self.grads["weight"][...] = (dyg @ colg).reshape(self.params["weight"].shape)
        if not self.need_input_grad:
            return None
        wg = weight.reshape(g, -1, weight.shape[1])  # (G, F/g, K)
        return (wg.transpose(0, 2, 1) @ dyg).reshape(-1, m)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._cols is None:
            raise RuntimeError("backward() called before forward()")
        n, c, h, w = self._x_shape
        (kh, kw), (ho, wo) = self.kernel, dy.shape[2:]
        dy2 = self._as(dy).transpose(0, 2, 3, 1).reshape(-1, self.out_channels)
        dcols = self._weight_and_col_grads(dy2)
        if self.has_bias:
            self.grads["bias"][...] = dy2.sum(axis=0)
        if dcols is None:
            return None
        # (C*kh*kw, N*Ho*Wo): each (c, u, v) row is contiguous, so col2im adds whole planes
        dcols = dcols.reshape(c, kh, kw, n, ho, wo)
        t, b, left, r = self.pads
        dxp = np.zeros((c, n, h + t + b, w + left + r), self.dtype)
        for u, v, rows, cols in self._offsets(ho, wo):
            dxp[:, :, rows, cols] += dcols[:, u, v]
        dxp = dxp.transpose(1, 0, 2, 3)
        return np.ascontiguousarray(dxp[:, :, t : t + h, left : left + w])


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

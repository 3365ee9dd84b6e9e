"""Pooling layers of the numpy network, with PyTorch's conventions.

Output sizes come from :func:`convviz.arithmetic.sizes.pool_out` (stride defaults to the
window; ``ceil_mode`` may add a last window overhanging the input) and
:func:`~convviz.arithmetic.sizes.adaptive_bins`.

- MaxPool2d: y = max over each (dilated) window, padding counts as -inf; dx routes dy to the
  first (row-major) arg-max of its window, as PyTorch does (the arg-max offsets are kept
  from the forward pass).
- AvgPool2d: y = sum over the window / divisor; the divisor is ``divisor_override``, else the
  window clipped to the padded input (``count_include_pad``) or to the real input;
  dx spreads dy / divisor over the window.
- AdaptiveAvgPool2d / AdaptiveMaxPool2d: bin i covers ``[floor(i*n/out), ceil((i+1)*n/out))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convviz.arithmetic import sizes
from convviz.nn.base import Layer, compact, pair, same_layout


class _Pool(Layer):
    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel = pair(kernel_size, "kernel_size")
        self.strides = pair(stride, "stride") if stride else self.kernel
        self.padding, self.dilations = pair(padding, "padding"), pair(dilation, "dilation")
        self.ceil_mode = bool(ceil_mode)
        if min(*self.kernel, *self.strides, *self.dilations) < 1 or min(self.padding) < 0:
            raise ValueError(f"{self.type_name} needs kernel_size, stride, dilation >= 1 and padding >= 0")
        if any(p > k // 2 for p, k in zip(self.padding, self.kernel, strict=True)):
            raise ValueError(f"{self.type_name}: padding must be at most half the kernel size")
        self._cache: tuple[Any, ...] = ()

    def _extra(self) -> dict[str, Any]:
        return {"ceil_mode": True} if self.ceil_mode else {}

    def config(self) -> dict[str, Any]:
        return {
            "type": self.type_name,
            "kernel_size": compact(self.kernel),
            "stride": compact(self.strides),
            "padding": compact(self.padding),
            **self._extra(),
        }

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type_name, "kernel_size": compact(self.kernel)}
        if self.strides != self.kernel:
            out["stride"] = compact(self.strides)
        if any(self.padding):
            out["padding"] = compact(self.padding)
        return {**out, **self._extra()}

    def _out(self, h: int, w: int) -> tuple[int, int]:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel, self.strides, self.padding, self.dilations
        return (sizes.pool_out(h, kh, sh, ph, dh, self.ceil_mode), sizes.pool_out(w, kw, sw, pw, dw, self.ceil_mode))

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        c, h, w = shape
        return (c, *self._out(h, w))

    def _fast(self, h: int, w: int, ho: int, wo: int) -> bool:
        """Non-overlapping windows inside the input: a reshape does it."""
        (kh, kw), (sh, sw) = self.kernel, self.strides
        return (sh, sw) == (kh, kw) and self.padding == (0, 0) and self.dilations == (1, 1) and ho * kh <= h and wo * kw <= w

    def _canvas(self, x: np.ndarray, ho: int, wo: int, fill: float) -> np.ndarray:
        """The input in a canvas large enough for every window (padding and ceil mode's
        overhanging last window filled with ``fill``); the input itself when it is."""
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel, self.strides, self.padding, self.dilations
        full_h = max(h + 2 * ph, (ho - 1) * sh + dh * (kh - 1) + 1)
        full_w = max(w + 2 * pw, (wo - 1) * sw + dw * (kw - 1) + 1)
        if (full_h, full_w) == (h, w):
            return x
        xp = np.full((n, c, full_h, full_w), fill, self.dtype)
        xp[:, :, ph : ph + h, pw : pw + w] = x
        return xp

    def _crop(self, dxp: np.ndarray, h: int, w: int) -> np.ndarray:
        ph, pw = self.padding
        return dxp[:, :, ph : ph + h, pw : pw + w] if dxp.shape[2:] != (h, w) else dxp

    def _slices(self, ho: int, wo: int) -> list[tuple[slice, slice]]:
        """One (rows, columns) slice of the canvas per window offset (u, v), row-major."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        return [
            (slice(u * dh, u * dh + sh * (ho - 1) + 1, sh), slice(v * dw, v * dw + sw * (wo - 1) + 1, sw))
            for u in range(kh)
            for v in range(kw)
        ]


class MaxPool2d(_Pool):
    """Max pooling; ``stride`` defaults to ``kernel_size`` (PyTorch's default).

    Computed from k*k strided slices (one per window offset) by a knock-out of element-wise
    maxima that also records the first offset holding the maximum; the backward pass sends
    each window's gradient to that offset, as PyTorch does.
    """

    type_name = "MaxPool2d"

    def _extra(self) -> dict[str, Any]:
        out = super()._extra()
        if self.dilations != (1, 1):
            out["dilation"] = compact(self.dilations)
        return out

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        ho, wo = self._out(*x.shape[2:])
        xp = self._canvas(x, ho, wo, -np.inf)
        out, arg = self._maxima(xp, ho, wo, with_arg=train)  # evaluation: found if backward asks
        self._cache = (xp, arg, x.shape, (ho, wo))
        return out

    def _maxima(self, xp: np.ndarray, ho: int, wo: int, with_arg: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Each window's maximum and (``with_arg``) the offset code of its first maximum."""
        taps = [xp[:, :, sy, sx] for sy, sx in self._slices(ho, wo)]
        if not with_arg:
            out = taps[0].copy(order="K")
            for part in taps[1:]:
                np.maximum(out, part, out=out)
            return out, None
        code = np.uint8 if len(taps) < 256 else np.int32
        # a knock-out over the window offsets in row-major order: the right-hand group wins
        # only when strictly larger, so each window keeps its first maximum (as PyTorch)
        level: list[tuple[np.ndarray, Any]] = [(part, code(k)) for k, part in enumerate(taps)]
        while len(level) > 1:
            pairs = [(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            level = [(np.maximum(ml, mr), np.where(mr > ml, ar, al)) for (ml, al), (mr, ar) in pairs] + level[2 * len(pairs):]
        out, arg = level[0]
        if np.shares_memory(out, xp):  # a 1x1 window: a view of the input
            out = out.copy(order="K")
        return out, np.broadcast_to(arg, out.shape)

    def _disjoint(self) -> bool:
        """Windows that do not overlap: each input cell belongs to at most one window."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.strides, self.dilations
        return sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy goes to the window offset kept in the forward pass's arg-max codes."""
        xp, arg, (n, c, h, w), (ho, wo) = self._cache
        if arg is None:
            arg = self._maxima(xp, ho, wo, with_arg=True)[1]
        assert arg is not None
        dy = same_layout(self._as(dy), xp[:, :, : arg.shape[2], : arg.shape[3]])
        dxp = np.zeros_like(xp)  # the input's memory layout
        for k, (sy, sx) in enumerate(self._slices(*arg.shape[2:])):
            if self._disjoint():
                np.multiply(dy, arg == k, out=dxp[:, :, sy, sx])
            else:
                dxp[:, :, sy, sx] += np.where(arg == k, dy, self.dtype(0))
        return self._crop(dxp, h, w)


class AvgPool2d(_Pool):
    """Average pooling (zero padding counts in the mean by default, as in PyTorch)."""

    type_name = "AvgPool2d"

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = None if divisor_override is None else int(divisor_override)

    def _extra(self) -> dict[str, Any]:
        out = super()._extra()
        if not self.count_include_pad:
            out["count_include_pad"] = False
        if self.divisor_override is not None:
            out["divisor_override"] = self.divisor_override
        return out

    def _divisor(self, h: int, w: int, ho: int, wo: int, canvas: tuple[int, ...]) -> np.ndarray:
        """How many cells each window divides by, as an (Ho, Wo) array."""
        if self.divisor_override is not None:
            return np.full((ho, wo), float(self.divisor_override))
        (ph, pw) = self.padding
        mask = np.zeros(canvas[2:])
        if self.count_include_pad:
            mask[: h + 2 * ph, : w + 2 * pw] = 1.0  # the padded input, not ceil mode's overhang
        else:
            mask[ph : ph + h, pw : pw + w] = 1.0
        return sum(mask[sy, sx] for sy, sx in self._slices(ho, wo))

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        n, c, h, w = x.shape
        ho, wo = self._out(h, w)
        if self._fast(h, w, ho, wo):  # non-overlapping windows: a reshape, no copy
            kh, kw = self.kernel
            win = x[:, :, : ho * kh, : wo * kw].reshape(n, c, ho, kh, wo, kw)
            self._cache = (x.shape, None, None)
            return win.mean(axis=(3, 5), dtype=self.dtype)
        xp = self._canvas(x, ho, wo, 0.0)
        divisor = self._divisor(h, w, ho, wo, xp.shape).astype(self.dtype)
        total = sum(xp[:, :, sy, sx] for sy, sx in self._slices(ho, wo))
        self._cache = (x.shape, xp.shape, divisor)
        return (total / divisor).astype(self.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        (n, c, h, w), canvas, divisor = self._cache
        dy = self._as(dy)
        ho, wo = dy.shape[2:]
        if canvas is None:
            kh, kw = self.kernel
            dx = np.zeros((n, c, h, w), self.dtype)
            share = np.broadcast_to((dy / (kh * kw))[:, :, :, None, :, None], (n, c, ho, kh, wo, kw))
            dx[:, :, : ho * kh, : wo * kw] = share.reshape(n, c, ho * kh, wo * kw)
            return dx
        dxp = np.zeros(canvas, self.dtype)
        share = dy / divisor
        for sy, sx in self._slices(ho, wo):
            dxp[:, :, sy, sx] += share
        return self._crop(dxp, h, w)


class _Adaptive(Layer):
    """Adaptive pooling to a fixed output size (None keeps that side of the input)."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        size = output_size if isinstance(output_size, (list, tuple)) else (output_size, output_size)
        self.output_size: tuple[int | None, int | None] = (size[0], size[1])
        self._cache: tuple[Any, ...] = ()

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "output_size": list(self.output_size)}

    spec = config

    def _bins(self, h: int, w: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        oh, ow = self.output_size
        return sizes.adaptive_bins(h, h if oh is None else oh), sizes.adaptive_bins(w, w if ow is None else ow)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        rows, cols = self._bins(*shape[1:])
        return (shape[0], len(rows), len(cols))

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = self._as(x)
        n, c, h, w = x.shape
        rows, cols = self._bins(h, w)
        y = np.zeros((n, c, len(rows), len(cols)), self.dtype)
        picks: dict[tuple[int, int], np.ndarray] = {}
        for a, (r0, r1) in enumerate(rows):
            for b, (c0, c1) in enumerate(cols):
                block = x[:, :, r0:r1, c0:c1].reshape(n, c, -1)
                if self.type_name == "AdaptiveMaxPool2d":
                    picks[a, b] = block.argmax(axis=2)  # the first maximum, as PyTorch
                    y[:, :, a, b] = np.take_along_axis(block, picks[a, b][..., None], axis=2)[..., 0]
                else:
                    y[:, :, a, b] = block.mean(axis=2)
        self._cache = (x.shape, rows, cols, picks)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        (n, c, h, w), rows, cols, picks = self._cache
        dy = self._as(dy)
        dx = np.zeros((n, c, h, w), self.dtype)
        for a, (r0, r1) in enumerate(rows):
            for b, (c0, c1) in enumerate(cols):
                cells = (r1 - r0) * (c1 - c0)
                if picks:
                    flat = np.zeros((n, c, cells), self.dtype)
                    np.put_along_axis(flat, picks[a, b][..., None], dy[:, :, a, b][..., None], axis=2)
                    dx[:, :, r0:r1, c0:c1] += flat.reshape(n, c, r1 - r0, c1 - c0)
                else:
                    dx[:, :, r0:r1, c0:c1] += (dy[:, :, a, b] / cells)[:, :, None, None]
        return dx


class AdaptiveAvgPool2d(_Adaptive):
    type_name = "AdaptiveAvgPool2d"


class AdaptiveMaxPool2d(_Adaptive):
    type_name = "AdaptiveMaxPool2d"

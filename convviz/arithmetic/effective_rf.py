"""Effective receptive field (ERF) of one unit, computed with numpy.

The ERF of output unit ``y = f(x)[c, i, j]`` is the magnitude of its input gradient,
``E[h, w] = sum_ch |dy / dx[ch, h, w]|`` (Luo et al., 2016), evaluated for one input
``x`` and one set of weights. It is non-zero only inside the theoretical receptive field,
and usually concentrated near its centre.

The network is run forward up to the chosen layer (layers before it, and, for a layer inside
a Residual / Concat block, the layers before it in that block), then back-propagated by hand:

* Conv2d / ConvTranspose2d: dL/dx is the transposed operation applied to dL/dy;
* MaxPool2d routes the gradient to the arg-max of each window (so its ERF is sparse);
  AvgPool2d spreads it by 1/divisor; adaptive pools over their bins;
* ReLU / LeakyReLU / Sigmoid / Tanh multiply by their derivative;
* BatchNorm2d in evaluation mode with fresh statistics (mean 0, variance 1, weight 1,
  bias 0) is the scale 1/sqrt(1 + eps); Dropout, Dropout2d and Identity pass it through;
* Residual adds the gradients of body and shortcut; Concat splits it by channel.

Weights: ``"random"`` draws He-normal weights N(0, 2/fan_in) (seeded); ``"uniform"`` sets
every weight to 1/fan_in, so with a positive input every path counts and the ERF's support
is the whole theoretical field (except through max pooling). Biases are 0.

Only small networks: the forward work is capped at :data:`MAX_MACS` multiplications and the
input at :data:`MAX_INPUT` values; beyond that :class:`ERFTooLarge` says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convviz.arithmetic import sizes as arithmetic
from convviz.arithmetic.spec import CatalogError

MAX_MACS = 40_000_000
MAX_INPUT = 3 * 256 * 256
BN_EPS = 1e-5

Backward = Callable[[np.ndarray], np.ndarray]


class ERFError(CatalogError):
    """Why the ERF cannot be computed here; ``localized(lang)`` gives the message."""


class ERFTooLarge(ERFError):
    """The network (up to the chosen layer) is too big for a numpy ERF in a page."""


def _pair(value: Any, name: str = "value") -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ERFError("rf.erf_bad_arg", name=name, value=value)
        return int(value[0]), int(value[1])
    return int(value), int(value)


@dataclass
class _Context:
    rng: np.random.Generator
    weights: str
    macs: int = 0
    params: dict[str, tuple[np.ndarray, np.ndarray | None]] = field(default_factory=dict)

    def spend(self, macs: int) -> None:
        self.macs += macs
        if self.macs > MAX_MACS:
            raise ERFTooLarge("rf.erf_too_large", macs=f"{self.macs:,}", limit=f"{MAX_MACS:,}")

    def weight(self, path: str, shape: tuple[int, ...], fan_in: int, bias: bool, nbias: int) -> tuple[np.ndarray, np.ndarray | None]:
        if self.weights == "uniform":
            w = np.full(shape, 1.0 / fan_in)
        else:
            w = self.rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
        b = np.zeros(nbias) if bias else None
        self.params[path] = (w, b)
        return w, b


def _conv_padding(layer: dict, kh: int, kw: int, dh: int, dw: int) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding of a Conv2d, with PyTorch's "same"/"valid"."""
    pad = layer.get("padding", 0)
    if pad == "valid":
        return 0, 0, 0, 0
    if pad == "same":
        t, b = arithmetic.same_padding(kh, dh)
        left, r = arithmetic.same_padding(kw, dw)
        return t, b, left, r
    ph, pw = _pair(pad, "padding")
    return ph, ph, pw, pw


def _conv2d(layer: dict, x: np.ndarray, path: str, ctx: _Context) -> tuple[np.ndarray, Backward]:
    cin, h, w = x.shape
    cout = int(layer["out_channels"])
    kh, kw = _pair(layer["kernel_size"], "kernel_size")
    sh, sw = _pair(layer.get("stride", 1), "stride")
    dh, dw = _pair(layer.get("dilation", 1), "dilation")
    groups = int(layer.get("groups", 1))
    top, bottom, left, right = _conv_padding(layer, kh, kw, dh, dw)
    ho = arithmetic.conv_out(h, kh, sh, (top, bottom), dh)
    wo = arithmetic.conv_out(w, kw, sw, (left, right), dw)
    if cin % groups or cout % groups:
        raise ERFError("rf.erf_bad_arg", name="groups", value=groups)
    cin_g, cout_g = cin // groups, cout // groups
    ctx.spend(cout * ho * wo * cin_g * kh * kw)
    weight, bias = ctx.weight(path, (cout, cin_g, kh, kw), cin_g * kh * kw, bool(layer.get("bias", True)), cout)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    y = np.zeros((cout, ho, wo))

    def window(u: int, v: int) -> tuple[slice, slice]:
        return (slice(u * dh, u * dh + sh * (ho - 1) + 1, sh), slice(v * dw, v * dw + sw * (wo - 1) + 1, sw))

    for g in range(groups):
        go, gi = slice(g * cout_g, (g + 1) * cout_g), slice(g * cin_g, (g + 1) * cin_g)
        for u in range(kh):
            for v in range(kw):
                rs, cs = window(u, v)
                y[go] += np.einsum("oc,chw->ohw", weight[go, :, u, v], xp[gi, rs, cs])
    if bias is not None:
        y += bias[:, None, None]

    def backward(gy: np.ndarray) -> np.ndarray:
        gxp = np.zeros_like(xp)
        for g in range(groups):
            go, gi = slice(g * cout_g, (g + 1) * cout_g), slice(g * cin_g, (g + 1) * cin_g)
            for u in range(kh):
                for v in range(kw):
                    rs, cs = window(u, v)
                    gxp[gi, rs, cs] += np.einsum("oc,ohw->chw", weight[go, :, u, v], gy[go])
        return gxp[:, top : top + h, left : left + w]

    return y, backward


def _conv_transpose2d(layer: dict, x: np.ndarray, path: str, ctx: _Context) -> tuple[np.ndarray, Backward]:
    """Scatter form: input (i, j) adds x * kernel at (i*s + u*d, j*s + v*d) of a full canvas,
    cropped by ``padding`` and extended by ``output_padding`` at the bottom/right."""
    cin, h, w = x.shape
    cout = int(layer["out_channels"])
    kh, kw = _pair(layer["kernel_size"], "kernel_size")
    sh, sw = _pair(layer.get("stride", 1), "stride")
    ph, pw = _pair(layer.get("padding", 0), "padding")
    oph, opw = _pair(layer.get("output_padding", 0), "output_padding")
    dh, dw = _pair(layer.get("dilation", 1), "dilation")
    groups = int(layer.get("groups", 1))
    ho = arithmetic.convt_out(h, kh, sh, ph, oph, dh)
    wo = arithmetic.convt_out(w, kw, sw, pw, opw, dw)
    if cin % groups or cout % groups:
        raise ERFError("rf.erf_bad_arg", name="groups", value=groups)
    cin_g, cout_g = cin // groups, cout // groups
    ctx.spend(cin * h * w * cout_g * kh * kw)
    weight, bias = ctx.weight(path, (cin, cout_g, kh, kw), cin_g * kh * kw, bool(layer.get("bias", True)), cout)
    full_h = (h - 1) * sh + dh * (kh - 1) + 1 + oph
    full_w = (w - 1) * sw + dw * (kw - 1) + 1 + opw
    canvas = np.zeros((cout, full_h, full_w))

    def window(u: int, v: int) -> tuple[slice, slice]:
        return (slice(u * dh, u * dh + sh * (h - 1) + 1, sh), slice(v * dw, v * dw + sw * (w - 1) + 1, sw))

    for g in range(groups):
        go, gi = slice(g * cout_g, (g + 1) * cout_g), slice(g * cin_g, (g + 1) * cin_g)
        for u in range(kh):
            for v in range(kw):
                rs, cs = window(u, v)
                canvas[go, rs, cs] += np.einsum("co,chw->ohw", weight[gi, :, u, v], x[gi])
    y = canvas[:, ph : ph + ho, pw : pw + wo].copy()
    if bias is not None:
        y += bias[:, None, None]

    def backward(gy: np.ndarray) -> np.ndarray:
        gcanvas = np.zeros_like(canvas)
        gcanvas[:, ph : ph + ho, pw : pw + wo] = gy
        gx = np.zeros_like(x)
        for g in range(groups):
            go, gi = slice(g * cout_g, (g + 1) * cout_g), slice(g * cin_g, (g + 1) * cin_g)
            for u in range(kh):
                for v in range(kw):
                    rs, cs = window(u, v)
                    gx[gi] += np.einsum("co,ohw->chw", weight[gi, :, u, v], gcanvas[go, rs, cs])
        return gx

    return y, backward


def _pool2d(layer: dict, x: np.ndarray, kind: str) -> tuple[np.ndarray, Backward]:
    c, h, w = x.shape
    kh, kw = _pair(layer["kernel_size"], "kernel_size")
    stride = layer.get("stride")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(layer.get("padding", 0), "padding")
    dh, dw = _pair(layer.get("dilation", 1), "dilation") if kind == "max" else (1, 1)
    ceil = bool(layer.get("ceil_mode", False))
    ho = arithmetic.pool_out(h, kh, sh, ph, dh, ceil)
    wo = arithmetic.pool_out(w, kw, sw, pw, dw, ceil)
    # canvas large enough for every window, including ceil mode's overhanging last one
    full_h = max(h + 2 * ph, (ho - 1) * sh + dh * (kh - 1) + 1)
    full_w = max(w + 2 * pw, (wo - 1) * sw + dw * (kw - 1) + 1)
    fill = -np.inf if kind == "max" else 0.0
    xp = np.full((c, full_h, full_w), fill)
    xp[:, ph : ph + h, pw : pw + w] = x

    def window(u: int, v: int) -> tuple[slice, slice]:
        return (slice(u * dh, u * dh + sh * (ho - 1) + 1, sh), slice(v * dw, v * dw + sw * (wo - 1) + 1, sw))

    offsets = [(u, v) for u in range(kh) for v in range(kw)]
    if kind == "max":
        stack = np.stack([xp[:, window(u, v)[0], window(u, v)[1]] for u, v in offsets])
        arg = np.argmax(stack, axis=0)  # first maximum, as PyTorch
        y = np.take_along_axis(stack, arg[None], axis=0)[0]

        def backward(gy: np.ndarray) -> np.ndarray:
            gxp = np.zeros_like(xp)
            for n, (u, v) in enumerate(offsets):
                rs, cs = window(u, v)
                gxp[:, rs, cs] += np.where(arg == n, gy, 0.0)
            return gxp[:, ph : ph + h, pw : pw + w]

        return y, backward

    include_pad = bool(layer.get("count_include_pad", True))
    mask = np.zeros((full_h, full_w))
    if include_pad:
        mask[: h + 2 * ph, : w + 2 * pw] = 1.0  # the padded input, not ceil mode's overhang
    else:
        mask[ph : ph + h, pw : pw + w] = 1.0
    total = np.zeros((c, ho, wo))
    divisor = np.zeros((ho, wo))
    for u, v in offsets:
        rs, cs = window(u, v)
        total += xp[:, rs, cs]
        divisor += mask[rs, cs]
    divisor = np.where(divisor > 0, divisor, np.nan)
    y = total / divisor

    def backward_avg(gy: np.ndarray) -> np.ndarray:
        gxp = np.zeros_like(xp)
        share = np.nan_to_num(gy / divisor)
        for u, v in offsets:
            rs, cs = window(u, v)
            gxp[:, rs, cs] += share
        return gxp[:, ph : ph + h, pw : pw + w]

    return y, backward_avg


def _adaptive(layer: dict, x: np.ndarray, kind: str) -> tuple[np.ndarray, Backward]:
    c, h, w = x.shape
    size = layer.get("output_size", 1)
    oh, ow = (size, size) if not isinstance(size, (list, tuple)) else size
    oh, ow = (h if oh is None else int(oh)), (w if ow is None else int(ow))
    rows, cols = arithmetic.adaptive_bins(h, oh), arithmetic.adaptive_bins(w, ow)
    y = np.zeros((c, oh, ow))
    picks: dict[tuple[int, int], np.ndarray] = {}
    for a, (r0, r1) in enumerate(rows):
        for b, (c0, c1) in enumerate(cols):
            block = x[:, r0:r1, c0:c1].reshape(c, -1)
            if kind == "max":
                picks[a, b] = np.argmax(block, axis=1)
                y[:, a, b] = block[np.arange(c), picks[a, b]]
            else:
                y[:, a, b] = block.mean(axis=1)

    def backward(gy: np.ndarray) -> np.ndarray:
        gx = np.zeros_like(x)
        for a, (r0, r1) in enumerate(rows):
            for b, (c0, c1) in enumerate(cols):
                if kind == "max":
                    flat = np.zeros((c, (r1 - r0) * (c1 - c0)))
                    flat[np.arange(c), picks[a, b]] = gy[:, a, b]
                    gx[:, r0:r1, c0:c1] += flat.reshape(c, r1 - r0, c1 - c0)
                else:
                    gx[:, r0:r1, c0:c1] += gy[:, a, b][:, None, None] / ((r1 - r0) * (c1 - c0))
        return gx

    return y, backward


def _elementwise(kind: str, layer: dict, x: np.ndarray) -> tuple[np.ndarray, Backward]:
    if kind == "ReLU":
        slope = np.where(x > 0, 1.0, 0.0)
        return x * slope, lambda g: g * slope
    if kind == "LeakyReLU":
        neg = float(layer.get("negative_slope", 0.01))
        slope = np.where(x > 0, 1.0, neg)
        return x * slope, lambda g: g * slope
    if kind == "Sigmoid":
        s = 1.0 / (1.0 + np.exp(-x))
        return s, lambda g: g * s * (1 - s)
    if kind == "Tanh":
        t = np.tanh(x)
        return t, lambda g: g * (1 - t * t)
    if kind == "BatchNorm2d":
        scale = 1.0 / math.sqrt(1.0 + float(layer.get("eps", BN_EPS)))
        return x * scale, lambda g: g * scale
    return x, lambda g: g  # Identity, Dropout, Dropout2d (evaluation mode)


ELEMENTWISE = ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "BatchNorm2d", "Dropout", "Dropout2d", "Identity")


def _layer(layer: dict, x: np.ndarray, path: str, ctx: _Context) -> tuple[np.ndarray, Backward]:
    kind = layer.get("type")
    if x.ndim != 3:
        raise ERFError("rf.erf_unsupported", path=path, type=kind)
    if kind == "Conv2d":
        return _conv2d(layer, x, path, ctx)
    if kind == "ConvTranspose2d":
        return _conv_transpose2d(layer, x, path, ctx)
    if kind in ("MaxPool2d", "AvgPool2d"):
        ctx.spend(x.size)
        return _pool2d(layer, x, "max" if kind == "MaxPool2d" else "avg")
    if kind in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        ctx.spend(x.size)
        return _adaptive(layer, x, "max" if kind == "AdaptiveMaxPool2d" else "avg")
    if kind in ELEMENTWISE:
        return _elementwise(kind, layer, x)
    if kind == "Residual":
        return _residual(layer, x, path, ctx)
    if kind == "Concat":
        return _concat(layer, x, path, ctx)
    raise ERFError("rf.erf_unsupported", path=path, type=kind)


def _sequence(layers: list[dict], x: np.ndarray, prefix: str, ctx: _Context, stop: int | None = None) -> tuple[np.ndarray, Backward]:
    backs: list[Backward] = []
    for i, layer in enumerate(layers if stop is None else layers[:stop]):
        x, back = _layer(layer, x, f"{prefix}.{i}", ctx)
        backs.append(back)

    def backward(g: np.ndarray) -> np.ndarray:
        for back in reversed(backs):
            g = back(g)
        return g

    return x, backward


def _residual(layer: dict, x: np.ndarray, path: str, ctx: _Context) -> tuple[np.ndarray, Backward]:
    yb, back_b = _sequence(layer.get("body") or [], x, f"{path}.body", ctx)
    ys, back_s = _sequence(layer.get("shortcut") or [], x, f"{path}.shortcut", ctx)
    if yb.shape != ys.shape:
        raise ERFError("rf.erf_unsupported", path=path, type="Residual")
    return yb + ys, lambda g: back_b(g) + back_s(g)


def _concat(layer: dict, x: np.ndarray, path: str, ctx: _Context) -> tuple[np.ndarray, Backward]:
    outs, backs = [], []
    for b, branch in enumerate(layer.get("branches") or []):
        y, back = _sequence(branch, x, f"{path}.branches.{b}", ctx)
        outs.append(y)
        backs.append(back)
    if not outs or any(o.shape[1:] != outs[0].shape[1:] for o in outs):
        raise ERFError("rf.erf_unsupported", path=path, type="Concat")
    bounds = np.cumsum([0] + [o.shape[0] for o in outs])

    def backward(g: np.ndarray) -> np.ndarray:
        return sum(back(g[bounds[k] : bounds[k + 1]]) for k, back in enumerate(backs))

    return np.concatenate(outs), backward


def _forward_to(spec: dict, path: str, x: np.ndarray, ctx: _Context) -> tuple[np.ndarray, Backward]:
    """Run the layers that the output of ``path`` depends on; return it and its backward."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] != "layers":
        raise ERFError("rf.erf_bad_path", path=path)
    backs: list[Backward] = []
    layers: Any = spec.get("layers") or []
    prefix = "layers"
    k = 1
    while True:
        if k >= len(parts) or not parts[k].isdigit() or int(parts[k]) >= len(layers):
            raise ERFError("rf.erf_bad_path", path=path)
        index = int(parts[k])
        x, back = _sequence(layers, x, prefix, ctx, stop=index)
        backs.append(back)
        layer = layers[index]
        here = f"{prefix}.{index}"
        if k == len(parts) - 1:
            x, back = _layer(layer, x, here, ctx)
            backs.append(back)
            break
        key = parts[k + 1]
        if key in ("body", "shortcut") and layer.get("type") == "Residual":
            layers, prefix, k = layer.get(key) or [], f"{here}.{key}", k + 2
        elif key == "branches" and layer.get("type") == "Concat" and k + 2 < len(parts) and parts[k + 2].isdigit():
            branches = layer.get("branches") or []
            b = int(parts[k + 2])
            if b >= len(branches):
                raise ERFError("rf.erf_bad_path", path=path)
            layers, prefix, k = branches[b], f"{here}.branches.{b}", k + 3
        else:
            raise ERFError("rf.erf_bad_path", path=path)

    def backward(g: np.ndarray) -> np.ndarray:
        for back in reversed(backs):
            g = back(g)
        return g

    return x, backward


@dataclass
class ERF:
    """Input gradient of one unit: ``grad`` (C, H, W) and ``magnitude`` (H, W) = sum |grad|."""

    path: str
    unit: tuple[int, int]
    channel: int | None
    grad: np.ndarray
    magnitude: np.ndarray
    output_shape: tuple[int, ...]
    macs: int
    weights: dict[str, tuple[np.ndarray, np.ndarray | None]]
    input: np.ndarray


def make_input(shape: tuple[int, int, int], kind: str = "random", seed: int = 0) -> np.ndarray:
    """The input the ERF is evaluated at: N(0, 1) noise (``"random"``) or, for
    ``"positive"``, values uniform in [0.5, 1.5] (every ReLU passes)."""
    rng = np.random.default_rng(seed + 1)
    if kind == "positive":
        return rng.uniform(0.5, 1.5, size=shape)
    return rng.normal(size=shape)


def effective_receptive_field(
    spec: dict,
    path: str,
    unit: tuple[int, int],
    channel: int | None = None,
    weights: str = "random",
    seed: int = 0,
    x: np.ndarray | None = None,
) -> ERF:
    """ERF of unit ``unit = (i, j)`` of layer ``path``: the gradient of ``y[channel, i, j]``
    (of the sum over channels when ``channel`` is None) with respect to the input.

    ``x`` defaults to :func:`make_input` (random for random weights, positive for uniform)."""
    if weights not in ("random", "uniform"):
        raise ERFError("rf.erf_bad_arg", name="weights", value=weights)
    shape = tuple(int(v) for v in spec.get("input", ()))
    if len(shape) != 3 or min(shape) < 1:
        raise ERFError("rf.erf_bad_arg", name="input", value=list(shape))
    if math.prod(shape) > MAX_INPUT:
        raise ERFTooLarge("rf.erf_input_too_large", shape="x".join(map(str, shape)), limit=f"{MAX_INPUT:,}")
    if x is None:
        x = make_input(shape, "positive" if weights == "uniform" else "random", seed)
    ctx = _Context(np.random.default_rng(seed), weights)
    y, backward = _forward_to(spec, path, np.asarray(x, dtype=float), ctx)
    if y.ndim != 3:
        raise ERFError("rf.erf_unsupported", path=path, type="?")
    i, j = unit
    if not (0 <= i < y.shape[1] and 0 <= j < y.shape[2]) or (channel is not None and not 0 <= channel < y.shape[0]):
        raise ERFError("rf.erf_bad_unit", i=i, j=j, h=y.shape[1], w=y.shape[2])
    gy = np.zeros_like(y)
    if channel is None:
        gy[:, i, j] = 1.0
    else:
        gy[channel, i, j] = 1.0
    grad = backward(gy)
    return ERF(path, (i, j), channel, grad, np.abs(grad).sum(axis=0), y.shape, ctx.macs, ctx.params, x)


def support_box(magnitude: np.ndarray, tol: float = 0.0) -> tuple[int, int, int, int] | None:
    """Bounding box (top, left, bottom, right), inclusive, of the cells above ``tol``."""
    ys, xs = np.nonzero(magnitude > tol)
    if ys.size == 0:
        return None
    return int(ys.min()), int(xs.min()), int(ys.max()), int(xs.max())

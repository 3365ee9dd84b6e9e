"""Inside the live network: how one unit of one layer was computed, with every number.

``explain_unit(model, image, layer, unit)`` runs the model (a :class:`convviz.nn.Sequential`)
on one 28x28 uint8 image in evaluation mode and opens up one output unit of one layer:

- **Conv2d** unit ``(f, i, j)``: ``value = b[f] + sum_c channel_sums[c]`` with
  ``channel_sums[c] = sum_{u,v} weights[c,u,v] * patch[c,u,v]``, where ``patch`` is the
  layer's input under the kernel (zeros in the padding; with dilation ``d`` the taps are
  ``d`` cells apart; with groups only the filter's group of channels);
- **MaxPool2d** / **AvgPool2d** unit ``(c, i, j)``: ``value = max(window)`` (``argmax`` is
  the first maximum, as PyTorch routes its gradient) or ``mean(window)`` (zero padding
  counted, PyTorch's default);
- **Linear** unit ``(k,)``: ``value = bias + sum_n contributions[n]`` with
  ``contributions[n] = W[k, n] * x[n]``;
- **ReLU** ``max(x, 0)``, **Dropout** (identity in evaluation), **BatchNorm2d**
  ``gamma*(x - mean)/sqrt(var + eps) + beta``, **Flatten** (one input cell, ``source``),
  **Softmax** ``exp(x_k) / sum_j exp(x_j)``.

``input_box`` is the half-open box ``(row0, col0, row1, col1)`` of input pixels that can affect
the unit, from the engine's receptive field of the model's spec
(:func:`convviz.summarize`, exact per-unit bounds), clipped to the image. A vector unit
right after ``Flatten`` keeps the field of the cell it came from; after ``Linear`` a unit
depends on every input of the layer, i.e. the union of all fields.

``arithmetic`` is the layer's arithmetic from the engine: the output-size formula per axis
with the numbers filled in (:mod:`convviz.arithmetic.layer_calc`), the parameters and the
multiplications (the summary's numbers, as on the Architecture page).

Numbers: the network computes in float32 (a matrix product); the explanation's sums are in
float64, so ``channel_sums.sum() + bias`` equals ``value`` up to float32 rounding
(about 1e-6 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from convviz.nn.layers import softmax
from convviz.nn.model import images_to_input

ELEMENTWISE = ("ReLU", "Dropout", "BatchNorm2d", "Identity", "LeakyReLU", "Sigmoid", "Tanh")
"""Layers whose unit ``u`` reads only unit ``u`` of their input."""
SIZE = 28


@dataclass(frozen=True)
class LayerArithmetic:
    """One layer of the network worked out by the engine.

    ``formulas`` / ``latex``: (height, width) output-size formulas with the numbers, or None
    for layers without a window; ``params_how`` / ``macs_how``: the products with the numbers
    (``"16*(1/1*5*5 + 1)"``); ``field_size`` / ``field_jump``: receptive field per axis.
    """

    index: int
    type: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    params_how: str
    macs_how: str
    formulas: tuple[str, str] | None = None
    latex: tuple[str, str] | None = None
    field_size: tuple[int, int] | None = None
    field_jump: tuple[float, float] | None = None


@dataclass
class UnitExplanation:
    """How one unit was computed (the fields that do not apply to the layer are None)."""

    layer: int
    layer_type: str
    unit: tuple[int, ...]
    value: float
    input_box: tuple[int, int, int, int]
    arithmetic: LayerArithmetic
    input_shape: tuple[int, ...] = ()
    # Conv2d
    patch: np.ndarray | None = None  # (Cin_g, kh, kw), zeros in the padding
    weights: np.ndarray | None = None  # (Cin_g, kh, kw)
    bias: float | None = None  # Conv2d, Linear, BatchNorm2d (beta)
    channel_sums: np.ndarray | None = None  # (Cin_g,)
    channels: tuple[int, ...] = ()  # input channels of the patch (all of them unless groups)
    origin: tuple[int, int] | None = None  # top-left input cell of the window (may be < 0)
    step: tuple[int, int] = (1, 1)  # input cells between taps (dilation)
    # pooling
    window: np.ndarray | None = None  # (kh, kw); -inf / 0 in the padding
    argmax: tuple[int, int] | None = None
    pool: str | None = None  # "max" or "avg"
    # Linear
    contributions: np.ndarray | None = None  # (in_features,)
    inputs: np.ndarray | None = None  # (in_features,)
    # elementwise, Flatten, Softmax
    input_value: float | None = None
    source: tuple[int, ...] | None = None  # the input unit read (Flatten, elementwise)
    scale: tuple[float, float, float, float] | None = None  # BatchNorm2d: mean, var, eps, gamma
    probabilities: np.ndarray | None = None  # softmax of a vector output (the last layer's)
    logits: np.ndarray | None = None

    @property
    def pre_activation(self) -> float | None:
        """The sum the engine computed (Conv2d / Linear): sum of products plus the bias."""
        if self.channel_sums is not None and self.bias is not None:
            return float(self.channel_sums.sum() + self.bias)
        if self.contributions is not None and self.bias is not None:
            return float(self.contributions.sum() + self.bias)
        return None


# ------------------------------------------------------------------ forward pass


def forward_trace(model: Any, image: np.ndarray) -> list[np.ndarray]:
    """The network input (1, 28, 28 in 0..1; deskewed when the model deskews) followed by
    every layer's output for one uint8 image, in evaluation mode: ``trace[i + 1]`` is layer
    ``i``'s output."""
    arr = np.asarray(image)
    if arr.shape != tuple(model.input_shape[1:]) and arr.shape != tuple(model.input_shape):
        raise ValueError(f"expected one image of shape {tuple(model.input_shape[1:])}, got {arr.shape}")
    x = images_to_input(model.prepare(arr.reshape(model.input_shape[1:])))[:1]
    out = [x[0].copy()]
    with model.lock:
        for layer in model.layers:
            x = layer.forward(x, train=False)
            out.append(x[0].copy())
    return out


# ------------------------------------------------------------------ the engine's numbers


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[-1])
    return int(v), int(v)


@lru_cache(maxsize=16)
def _summary(spec_json: str) -> Any:
    import json

    from convviz.arithmetic.summary import summarize

    return summarize(json.loads(spec_json))


def model_summary(model: Any) -> Any:
    """The engine's summary of the model's spec (cached by the spec's text)."""
    import json

    return _summary(json.dumps(model.to_spec(), sort_keys=True))


def _rows(model: Any) -> list[Any]:
    rows = [r for r in model_summary(model).layers if r.depth == 0]
    if len(rows) != len(model.layers):
        raise ValueError("the model's spec does not match its layers")
    return rows


def _window_settings(row: Any) -> Any:
    from convviz.arithmetic.layer_calc import LayerSettings

    a = row.args
    cin, h, w = row.input_shape
    if row.type == "Conv2d":
        pad = a["padding"] if isinstance(a["padding"], str) else _pair(a["padding"])
        return LayerSettings("conv", h, w, cin, a["out_channels"], _pair(a["kernel_size"]),
                             _pair(a["stride"]), pad, _pair(a["dilation"]),
                             groups=int(a["groups"]), bias=bool(a["bias"]))
    op = "maxpool" if row.type == "MaxPool2d" else "avgpool"
    k = _pair(a["kernel_size"])
    stride = k if a.get("stride") is None else _pair(a["stride"])
    return LayerSettings(op, h, w, cin, cin, k, stride, _pair(a["padding"]),
                         _pair(a.get("dilation", 1)), ceil_mode=bool(a.get("ceil_mode", False)),
                         count_include_pad=bool(a.get("count_include_pad", True)))


def layer_arithmetic(model: Any, layer: int) -> LayerArithmetic:
    """Layer ``layer``'s output-size formulas, parameters and multiplications (engine)."""
    rows = _rows(model)
    _check_layer(model, layer)
    row = rows[layer]
    formulas = latex = None
    params_how, macs_how = "0", "0"
    if row.type in ("Conv2d", "MaxPool2d", "AvgPool2d"):
        from convviz.arithmetic.layer_calc import calculate

        calc = calculate(_window_settings(row))
        formulas, latex = calc.plain, calc.latex
        params_how, macs_how = calc.params_how, calc.macs_how
    elif row.type == "Linear":
        fin, fout = row.args["in_features"], row.args["out_features"]
        params_how = f"{fin}*{fout}" + (f" + {fout}" if row.args.get("bias", True) else "")
        macs_how = f"{fin}*{fout}"
    rf = row.receptive_field
    return LayerArithmetic(
        index=layer, type=row.type, input_shape=tuple(row.input_shape),
        output_shape=tuple(row.output_shape), params=row.params, macs=row.macs,
        params_how=params_how, macs_how=macs_how, formulas=formulas, latex=latex,
        field_size=None if rf is None else tuple(rf.size),
        field_jump=None if rf is None else tuple(rf.jump),
    )


def _clip_box(rows: tuple[int, int], cols: tuple[int, int], h: int, w: int) -> tuple[int, int, int, int]:
    """Inclusive engine bounds -> half-open box clipped to the image."""
    r0, r1 = max(rows[0], 0), min(rows[1] + 1, h)
    c0, c1 = max(cols[0], 0), min(cols[1] + 1, w)
    if r0 >= r1 or c0 >= c1:
        return (0, 0, 0, 0)
    return (r0, c0, r1, c1)


def _spatial_box(row: Any, i: int, j: int, h: int, w: int) -> tuple[int, int, int, int]:
    rows, cols = row.receptive_field.bounds(i, j)
    return _clip_box(rows, cols, h, w)


def _union_box(row: Any, h: int, w: int) -> tuple[int, int, int, int]:
    """Every unit of a spatial layer: the union of all their fields (per axis)."""
    _, ho, wo = row.output_shape
    spans = []
    for axis, n in ((row.receptive_field.h, ho), (row.receptive_field.w, wo)):
        bounds = [axis.bounds(a) for a in range(n)]
        bounds = [b for b in bounds if b[0] <= b[1]]
        spans.append((min(b[0] for b in bounds), max(b[1] for b in bounds)))
    return _clip_box(spans[0], spans[1], h, w)


def receptive_box(model: Any, layer: int, unit: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The half-open box ``(row0, col0, row1, col1)`` of input pixels that can affect
    ``unit`` of ``layer``, from the engine's receptive field, clipped to the input."""
    rows = _rows(model)
    unit = _check_unit(model, layer, unit)
    _, h, w = model.input_shape
    whole = (0, 0, h, w)
    i = layer
    while True:
        row = rows[i]
        if len(row.output_shape) == 3 and row.receptive_field is not None:
            return _spatial_box(row, unit[1], unit[2], h, w)
        if row.type in ELEMENTWISE and i > 0:
            i -= 1
            continue
        if row.type == "Flatten" and i > 0 and len(rows[i - 1].output_shape) == 3:
            prev = rows[i - 1]
            c, a, b = np.unravel_index(unit[0], prev.output_shape)
            if prev.receptive_field is None:
                return whole
            return _spatial_box(prev, int(a), int(b), h, w)
        # a unit that mixes all of its inputs (Linear, Softmax): union of every field
        for j in range(i - 1, -1, -1):
            if len(rows[j].output_shape) == 3 and rows[j].receptive_field is not None:
                return _union_box(rows[j], h, w)
        return whole


# ------------------------------------------------------------------ validation


def _check_layer(model: Any, layer: Any) -> int:
    n = len(model.layers)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= int(layer) < n:
        raise ValueError(f"layer must be an index from 0 to {n - 1} (as the model prints it), got {layer!r}")
    return int(layer)


def _check_unit(model: Any, layer: int, unit: Any) -> tuple[int, ...]:
    layer = _check_layer(model, layer)
    shape = tuple(model.output_shapes()[layer])
    try:
        unit = tuple(int(u) for u in unit)
    except (TypeError, ValueError):
        raise ValueError(f"unit must be a tuple of {len(shape)} integers, got {unit!r}") from None
    if len(unit) != len(shape):
        what = "(channel, row, col)" if len(shape) == 3 else "(i,)"
        raise ValueError(f"layer {layer} outputs shape {shape}: unit must be {what}, got {unit!r}")
    for u, n, name in zip(unit, shape, ("channel", "row", "col") if len(shape) == 3 else ("i",), strict=False):
        if not 0 <= u < n:
            raise ValueError(f"layer {layer} outputs shape {shape}: {name} {u} is outside 0..{n - 1}")
    return unit


# ------------------------------------------------------------------ per layer type


def _window(x: np.ndarray, r0: int, c0: int, k: tuple[int, int], d: tuple[int, int], fill: float) -> np.ndarray:
    """x[:, r0 + d*u, c0 + d*v] for the taps (u, v), ``fill`` outside the input."""
    c, h, w = x.shape
    rows = r0 + d[0] * np.arange(k[0])
    cols = c0 + d[1] * np.arange(k[1])
    out = np.full((c, k[0], k[1]), fill, dtype=np.float64)
    ri = np.flatnonzero((rows >= 0) & (rows < h))
    ci = np.flatnonzero((cols >= 0) & (cols < w))
    out[:, ri[:, None], ci[None, :]] = x[:, rows[ri][:, None], cols[ci][None, :]]
    return out


def layer_geometry(layer: Any) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], int]:
    """Kernel, stride, (top, left) padding, dilation and groups of a conv or pooling layer,
    read from its saved configuration (PyTorch's argument names; padding may be an int, an
    (h, w) pair or (top, bottom, left, right))."""
    cfg = layer.config()
    k = _pair(cfg["kernel_size"])
    s = k if cfg.get("stride") is None else _pair(cfg["stride"])
    pad = cfg.get("padding", 0)
    p = (int(pad[0]), int(pad[2])) if isinstance(pad, (list, tuple)) and len(pad) == 4 else _pair(pad)
    return k, s, p, _pair(cfg.get("dilation", 1)), int(cfg.get("groups", 1))


def _conv(ex: UnitExplanation, layer: Any, x: np.ndarray) -> None:
    f, i, j = ex.unit
    k, s, p, d, groups = layer_geometry(layer)
    weight = np.asarray(layer.params["weight"], dtype=np.float64)
    cin_g = weight.shape[1]
    g = f // (weight.shape[0] // groups)
    chans = tuple(range(g * cin_g, (g + 1) * cin_g))
    r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
    patch = _window(x[list(chans)], r0, c0, k, d, 0.0)
    ex.patch, ex.weights = patch, weight[f]
    ex.bias = float(layer.params["bias"][f]) if "bias" in layer.params else 0.0
    ex.channel_sums = (patch * ex.weights).sum(axis=(1, 2))
    ex.channels, ex.origin, ex.step = chans, (r0, c0), d


def _pool(ex: UnitExplanation, layer: Any, x: np.ndarray) -> None:
    c, i, j = ex.unit
    k, s, p, d, _ = layer_geometry(layer)
    is_max = layer.type_name == "MaxPool2d"
    r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
    win = _window(x[c : c + 1], r0, c0, k, d, -np.inf if is_max else 0.0)[0]
    ex.window, ex.origin, ex.step, ex.channels = win, (r0, c0), d, (c,)
    ex.pool = "max" if is_max else "avg"
    if is_max:
        a, b = np.unravel_index(int(np.argmax(win)), win.shape)
        ex.argmax = (int(a), int(b))


def _linear(ex: UnitExplanation, layer: Any, x: np.ndarray) -> None:
    (k,) = ex.unit
    xin = np.asarray(x, dtype=np.float64).reshape(-1)
    ex.inputs = xin
    ex.contributions = np.asarray(layer.params["weight"][k], dtype=np.float64) * xin
    ex.bias = float(layer.params["bias"][k]) if "bias" in layer.params else 0.0


def _elementwise(ex: UnitExplanation, layer: Any, x: np.ndarray) -> None:
    ex.source = ex.unit
    ex.input_value = float(x[ex.unit])
    if layer.type_name == "BatchNorm2d":
        c = ex.unit[0]
        ex.scale = (float(layer.buffers["running_mean"][c]), float(layer.buffers["running_var"][c]),
                    float(layer.eps), float(layer.params["weight"][c]))
        ex.bias = float(layer.params["bias"][c])


def explain_unit(model: Any, image: np.ndarray, layer: int, unit: tuple[int, ...],
                 trace: list[np.ndarray] | None = None) -> UnitExplanation:
    """How ``unit`` of layer ``layer`` (the index the model prints; 0 = the first layer)
    was computed for ``image`` (one 28x28 uint8 image). ``unit`` is ``(channel, row, col)``
    for a C x H x W output and ``(i,)`` for a vector. ``trace`` (from :func:`forward_trace`)
    saves the forward pass when several units of one image are explained.

    Raises ValueError for an invalid layer, unit or image.
    """
    layer = _check_layer(model, layer)
    unit = _check_unit(model, layer, unit)
    if trace is None:
        trace = forward_trace(model, image)
    lay = model.layers[layer]
    x, y = trace[layer], trace[layer + 1]
    ex = UnitExplanation(
        layer=layer, layer_type=lay.type_name, unit=unit, value=float(y[unit]),
        input_box=receptive_box(model, layer, unit), arithmetic=layer_arithmetic(model, layer),
        input_shape=tuple(x.shape),
    )
    kind = lay.type_name
    if kind == "Conv2d":
        _conv(ex, lay, x)
    elif kind in ("MaxPool2d", "AvgPool2d"):
        _pool(ex, lay, x)
    elif kind == "Linear":
        _linear(ex, lay, x)
    elif kind == "Flatten":
        ex.source = tuple(int(v) for v in np.unravel_index(unit[0], x.shape))
        ex.input_value = float(x[ex.source])
    elif kind == "Softmax":
        ex.logits = np.asarray(x, dtype=np.float64).reshape(-1)
        ex.probabilities = np.asarray(y, dtype=np.float64).reshape(-1)
        ex.input_value = float(ex.logits[unit[0]])
    elif kind in ELEMENTWISE:
        _elementwise(ex, lay, x)
    else:
        raise ValueError(f"explaining a {kind} layer is not supported yet")
    if layer == len(model.layers) - 1 and y.ndim == 1 and ex.probabilities is None:
        ex.logits = np.asarray(y, dtype=np.float64)
        ex.probabilities = softmax(ex.logits[None])[0]
    return ex


def feeding_channels(model: Any, layer: int, channel: int) -> dict[int, float]:
    """Which maps of the previous layer feed map ``channel`` of ``layer``, with a weight:
    a Conv2d map reads every channel of its group (weight = sum of |kernel slice|,
    normalised to a maximum of 1); pooling, ReLU, batch norm read their own channel (1)."""
    layer = _check_layer(model, layer)
    lay = model.layers[layer]
    if lay.type_name == "Conv2d":
        w = np.abs(np.asarray(lay.params["weight"][channel], dtype=np.float64)).sum(axis=(1, 2))
        groups = int(getattr(lay, "groups", 1))
        g = channel // (lay.params["weight"].shape[0] // groups)
        top = float(w.max()) or 1.0
        return {g * len(w) + c: float(v / top) for c, v in enumerate(w)}
    return {int(channel): 1.0}


# ------------------------------------------------------------------ back onto the drawing


def _placement(steps: Any) -> tuple[int, int]:
    """Where the preprocessing pasted the resized digit into the 28x28 image (row, col of
    its top-left cell): the offset that reproduces ``steps.image`` exactly."""
    resized = np.asarray(steps.resized, dtype=np.float64)
    nh, nw = resized.shape
    total = resized.sum() or 1.0
    guess_r = int(round(SIZE / 2 - (resized.sum(axis=1) * np.arange(nh)).sum() / total))
    guess_c = int(round(SIZE / 2 - (resized.sum(axis=0) * np.arange(nw)).sum() / total))
    best, best_err = (guess_r, guess_c), np.inf
    for dr in range(-3, 4):
        for dc in range(-3, 4):
            r, c = guess_r + dr, guess_c + dc
            big = np.zeros((3 * SIZE, 3 * SIZE))
            big[SIZE + r : SIZE + r + nh, SIZE + c : SIZE + c + nw] = resized
            err = float(np.abs(big[SIZE : 2 * SIZE, SIZE : 2 * SIZE] - steps.image).sum())
            if err < best_err:
                best, best_err = (r, c), err
    return best


def drawing_box(steps: Any, box: tuple[int, int, int, int]) -> tuple[float, float, float, float] | None:
    """A half-open box of the 28x28 input -> the same region of the original drawing
    (``steps.gray`` coordinates, clipped), undoing the crop, the resize and the centring of
    :func:`convviz.digits.canvas.preprocess_steps`. None when the box misses the drawing."""
    top, left, bottom, right = steps.box
    nh, nw = np.asarray(steps.resized).shape
    sr, sc = nh / (bottom - top), nw / (right - left)
    off_r, off_c = _placement(steps)
    gh, gw = np.asarray(steps.gray).shape[:2]
    r0 = min(max(top + (box[0] - off_r) / sr, 0.0), gh)
    r1 = min(max(top + (box[2] - off_r) / sr, 0.0), gh)
    c0 = min(max(left + (box[1] - off_c) / sc, 0.0), gw)
    c1 = min(max(left + (box[3] - off_c) / sc, 0.0), gw)
    if r1 <= r0 or c1 <= c0:
        return None
    return (r0, c0, r1, c1)

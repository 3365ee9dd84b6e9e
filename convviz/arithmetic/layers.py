"""Every layer type ConvViz knows, with PyTorch's names, arguments and defaults.

Each layer type declares its arguments (:class:`Arg`) and a ``compute`` function that takes
the checked arguments, the input shape (per example, without the batch axis) and the
receptive field of its input, and returns a :class:`LayerResult`: output shape, parameters,
buffers, multiplications, receptive field and warnings. Impossible settings raise
:class:`convviz.SpecError` with the arithmetic in a student's words.

Conventions (the same everywhere in ConvViz):

- **Parameters**: weights + biases + BatchNorm's affine weight and bias (all trainable).
  BatchNorm's running mean / variance and its ``num_batches_tracked`` counter are
  **buffers**, counted separately (as ``model.buffers()`` in PyTorch).
- **MACs** (multiply-accumulates, "multiplications"):
  Conv2d ``Cout*Hout*Wout*(Cin/groups)*kh*kw``;
  ConvTranspose2d ``Cin*Hin*Win*(Cout/groups)*kh*kw`` (counted from the input: every input
  cell is multiplied by the whole kernel, the way the operation really runs);
  Linear ``in_features*out_features`` per row (times the leading axes when the input has
  more than one axis); every other layer 0. Bias additions are not counted.
- **Dims** (``Flatten``'s start_dim/end_dim, ``Softmax``'s dim) count the batch axis as
  PyTorch does: dim 1 is the channels of a (N, C, H, W) batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from math import prod
from typing import Any

from convviz.arithmetic import sizes as ar
from convviz.arithmetic.receptive import ReceptiveField, adaptive2d, transposed2d, window2d
from convviz.errors import Note, SpecError

Shape = tuple[int, ...]
Pair = tuple[int, int]

REQUIRED = object()
"""Default of an argument that has none (PyTorch's positional arguments)."""

AXES = ("engine.axis_h", "engine.axis_w")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


@dataclass(frozen=True)
class Arg:
    """One argument: its name, its kind (how it is checked, see :mod:`convviz.arithmetic.spec`) and
    PyTorch's default (``REQUIRED`` when there is none)."""

    name: str
    kind: str
    default: Any = REQUIRED


@dataclass
class LayerResult:
    """What a layer does to a shape."""

    shape: Shape
    params: int = 0
    buffers: int = 0
    macs: int = 0
    field: ReceptiveField | None = None
    notes: list[Note] = dc_field(default_factory=list)
    inferred: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True)
class LayerType:
    name: str
    args: tuple[Arg, ...]
    compute: Callable[[dict[str, Any], Shape, ReceptiveField | None], LayerResult]

    @cached_property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)


# ---------------------------------------------------------------- helpers


def _shape_text(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def need_chw(kind: str, shape: Shape) -> tuple[int, int, int]:
    """The (C, H, W) of an image-shaped input; a SpecError otherwise."""
    if len(shape) != 3:
        raise SpecError.of("engine.needs_chw", type=kind, shape=_shape_text(shape))
    return shape[0], shape[1], shape[2]


def check_given(args: dict[str, Any], name: str, actual: int, inferred: dict[str, Any]) -> None:
    """``in_channels`` / ``in_features`` / ``num_features`` are inferred; if given they must match."""
    given = args.get(name)
    if given is not None and given != actual:
        raise SpecError.of("engine.channels_mismatch", arg=name, given=given, actual=actual)
    inferred[name] = actual


def _per_axis(fn: Callable[..., int], axis: int, *a: Any) -> int:
    """Run one per-axis arithmetic function, naming the axis in its error."""
    try:
        return fn(*a)
    except SpecError as err:
        raise SpecError.of("engine.on_axis", axis=Note(AXES[axis]), reason=err.note) from None


def _groups(cin: int, cout: int, groups: int) -> None:
    if cin % groups:
        raise SpecError.of("engine.groups_in", in_channels=cin, groups=groups)
    if cout % groups:
        raise SpecError.of("engine.groups_out", out_channels=cout, groups=groups)


def _tiling_notes(
    ns: Pair, k: Pair, s: Pair, p_total: Pair, d: Pair
) -> list[Note]:
    notes = []
    for axis in range(2):
        if (ns[axis] + p_total[axis] - d[axis] * (k[axis] - 1) - 1) % s[axis] == 0:
            continue  # the windows tile the axis exactly: no note (the usual case, checked fast)
        note = ar.Tiling(ns[axis], k[axis], s[axis], p_total[axis], d[axis]).note(Note(AXES[axis] + "_prefix"))
        if note is not None:
            notes.append(note)
    return notes


def conv_paddings(args: dict[str, Any]) -> tuple[Pair, Pair]:
    """(before, after) padding per axis of a Conv2d: ``"same"`` pads ``d*(k-1)`` in total,
    the odd cell after; ``"valid"`` is 0."""
    pad = args["padding"]
    k, d = args["kernel_size"], args["dilation"]
    if pad == "same":
        return ar.same_padding(k[0], d[0]), ar.same_padding(k[1], d[1])
    if pad == "valid":
        return (0, 0), (0, 0)
    return (pad[0], pad[0]), (pad[1], pad[1])


# ---------------------------------------------------------------- convolution


def _conv_channels(kind: str, args: dict[str, Any], shape: Shape) -> tuple[int, int, int, int, int, dict[str, Any]]:
    """(Cin, H, W, Cout, groups, inferred) of a convolution, with its channel checks."""
    cin, h, w = need_chw(kind, shape)
    inferred: dict[str, Any] = {}
    check_given(args, "in_channels", cin, inferred)
    cout, g = args["out_channels"], args["groups"]
    _groups(cin, cout, g)
    return cin, h, w, cout, g, inferred


def conv2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """Conv2d. Output per axis ``floor((n + p_before + p_after - d*(k-1) - 1)/s) + 1``;
    params ``Cout*(Cin/groups)*kh*kw (+ Cout bias)``; MACs ``Cout*Hout*Wout*(Cin/groups)*kh*kw``."""
    cin, h, w, cout, g, inferred = _conv_channels("Conv2d", args, shape)
    k, s, d = args["kernel_size"], args["stride"], args["dilation"]
    if args["padding"] == "same" and s != (1, 1):
        raise SpecError.of("engine.same_strided", stride=f"{s[0]}x{s[1]}")
    pads = conv_paddings(args)
    mode = args["padding_mode"]
    ns = (h, w)
    for axis in range(2):
        biggest = max(pads[axis])
        if mode == "reflect" and biggest >= ns[axis]:
            raise SpecError.of("engine.reflect_too_big", axis=Note(AXES[axis]), p=biggest, n=ns[axis])
        if mode == "circular" and biggest > ns[axis]:
            raise SpecError.of("engine.circular_too_big", axis=Note(AXES[axis]), p=biggest, n=ns[axis])
    ho = _per_axis(ar.conv_out, 0, h, k[0], s[0], pads[0], d[0])
    wo = _per_axis(ar.conv_out, 1, w, k[1], s[1], pads[1], d[1])
    per_out = (cin // g) * k[0] * k[1]
    params = cout * per_out + (cout if args["bias"] else 0)
    notes = _tiling_notes(ns, k, s, (sum(pads[0]), sum(pads[1])), d)
    if args["padding"] == "same":
        for axis in range(2):
            before, after = pads[axis]
            if before != after:
                notes.append(Note("engine.same_asymmetric", {
                    "axis": Note(AXES[axis] + "_prefix"), "before": before, "after": after,
                    "k": k[axis], "d": d[axis]}))
    field_out = window2d(rf, k, s, d, (pads[0][0], pads[1][0]))
    return LayerResult((cout, ho, wo), params, 0, cout * ho * wo * per_out, field_out, notes, inferred)


def conv_transpose2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """ConvTranspose2d. Output per axis ``(n-1)*s - 2p + d*(k-1) + output_padding + 1``;
    params ``Cin*(Cout/groups)*kh*kw (+ Cout bias)``; MACs ``Cin*Hin*Win*(Cout/groups)*kh*kw``."""
    cin, h, w, cout, g, inferred = _conv_channels("ConvTranspose2d", args, shape)
    if args["padding_mode"] != "zeros":
        raise SpecError.of("engine.convt_padding_mode", mode=args["padding_mode"])
    k, s, d = args["kernel_size"], args["stride"], args["dilation"]
    p, op = args["padding"], args["output_padding"]
    ho = _per_axis(ar.convt_out, 0, h, k[0], s[0], p[0], op[0], d[0])
    wo = _per_axis(ar.convt_out, 1, w, k[1], s[1], p[1], op[1], d[1])
    per_in = (cout // g) * k[0] * k[1]
    params = cin * per_in + (cout if args["bias"] else 0)
    field_out = transposed2d(rf, k, s, d, p)
    return LayerResult((cout, ho, wo), params, 0, cin * h * w * per_in, field_out, [], inferred)


# ---------------------------------------------------------------- pooling


def _pool(kind: str, args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    c, h, w = need_chw(kind, shape)
    k = args["kernel_size"]
    s = args["stride"] if args["stride"] is not None else k
    p = args["padding"]
    d = args.get("dilation", (1, 1))
    ceil = args["ceil_mode"]
    ho = _per_axis(ar.pool_out, 0, h, k[0], s[0], p[0], d[0], ceil)
    wo = _per_axis(ar.pool_out, 1, w, k[1], s[1], p[1], d[1], ceil)
    notes: list[Note] = []
    for axis, (n, out) in enumerate(((h, ho), (w, wo))):
        tiling = ar.Tiling(n, k[axis], s[axis], 2 * p[axis], d[axis])
        if tiling.exact:
            continue
        if ceil and out > tiling.numerator // s[axis] + 1:
            notes.append(Note("engine.ceil_partial", {"axis": Note(AXES[axis] + "_prefix"), "out": out}))
        else:
            note = tiling.note(Note(AXES[axis] + "_prefix"))
            if note is not None:
                notes.append(note)
    return LayerResult((c, ho, wo), 0, 0, 0, window2d(rf, k, s, d, p), notes)


def max_pool2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """MaxPool2d: output as a convolution (stride defaults to the window); ``ceil_mode``
    rounds up but the last window must start inside the input or its left padding;
    padding at most half the window."""
    if args["return_indices"]:
        raise SpecError.of("engine.return_indices")
    return _pool("MaxPool2d", args, shape, rf)


def avg_pool2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """AvgPool2d: shapes as MaxPool2d without dilation. ``count_include_pad`` and
    ``divisor_override`` only change the divisor, not the shape; the divisor cannot be 0."""
    if args["divisor_override"] == 0:
        raise SpecError.of("engine.divisor_zero")
    return _pool("AvgPool2d", args, shape, rf)


def _adaptive(kind: str, args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    c, h, w = need_chw(kind, shape)
    oh, ow = args["output_size"]
    out = (h if oh is None else oh, w if ow is None else ow)
    return LayerResult((c, *out), field=adaptive2d(rf, (h, w), out))


def adaptive_avg_pool2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """AdaptiveAvgPool2d: output size as given (None keeps that side); bin ``i`` averages
    input cells ``floor(i*n/out) .. ceil((i+1)*n/out) - 1``."""
    return _adaptive("AdaptiveAvgPool2d", args, shape, rf)


def adaptive_max_pool2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """AdaptiveMaxPool2d: as AdaptiveAvgPool2d with the maximum of each bin."""
    return _adaptive("AdaptiveMaxPool2d", args, shape, rf)


# ---------------------------------------------------------------- normalisation, activations


def batch_norm2d(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """BatchNorm2d: shape unchanged; params ``2*C`` (weight, bias) when affine; buffers
    ``2*C + 1`` (running mean, running variance, num_batches_tracked) when tracking."""
    c, _, _ = need_chw("BatchNorm2d", shape)
    inferred: dict[str, Any] = {}
    check_given(args, "num_features", c, inferred)
    params = 2 * c if args["affine"] else 0
    buffers = 2 * c + 1 if args["track_running_stats"] else 0
    return LayerResult(shape, params, buffers, 0, rf, [], inferred)


def elementwise(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """Activations, dropout, identity: shape, field unchanged; no parameters."""
    return LayerResult(shape, field=rf)


def _dropout(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    p = args["p"]
    if not 0 <= p <= 1:
        raise SpecError.of("engine.bad_probability", p=p)
    return LayerResult(shape, field=rf)


def _dim(dim: int, ndim: int) -> int:
    """A PyTorch dim (batch axis included) made non-negative; SpecError when out of range."""
    if not -ndim <= dim < ndim:
        raise SpecError.of("engine.bad_dim", dim=dim, ndim=ndim, low=-ndim, high=ndim - 1)
    return dim % ndim


def softmax(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """Softmax: shape unchanged. Over the channels the field is unchanged; over a spatial
    axis every unit depends on the whole axis (field unknown). dim=None picks PyTorch's
    legacy choice (1 for a batch of images)."""
    ndim = len(shape) + 1
    dim = args["dim"]
    dim = (0 if ndim in (0, 1, 3) else 1) if dim is None else _dim(dim, ndim)
    spatial = ndim == 4 and dim >= 2
    return LayerResult(shape, field=None if spatial else rf)


def flatten(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """Flatten: axes ``start_dim .. end_dim`` (batch axis = 0) become one of their product."""
    full = (1, *shape)
    start, end = _dim(args["start_dim"], len(full)), _dim(args["end_dim"], len(full))
    if start == 0:
        raise SpecError.of("engine.flatten_batch")
    if start > end:
        raise SpecError.of("engine.flatten_order", start=args["start_dim"], end=args["end_dim"])
    out = full[:start] + (prod(full[start : end + 1]),) + full[end + 1 :]
    out = out[1:]
    return LayerResult(out, field=rf if out == shape else None)


def linear(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    """Linear on the last axis: params ``in*out (+ out)``; MACs ``in*out`` per row."""
    inferred: dict[str, Any] = {}
    check_given(args, "in_features", shape[-1], inferred)
    fin, fout = shape[-1], args["out_features"]
    rows = prod(shape[:-1])
    params = fin * fout + (fout if args["bias"] else 0)
    return LayerResult((*shape[:-1], fout), params, 0, rows * fin * fout, None, [], inferred)


# ---------------------------------------------------------------- the table

_CONV_ARGS = (
    Arg("in_channels", "count", None),
    Arg("out_channels", "count"),
    Arg("kernel_size", "pair"),
    Arg("stride", "pair", (1, 1)),
)

LAYER_TYPES: dict[str, LayerType] = {
    t.name: t
    for t in (
        LayerType("Conv2d", _CONV_ARGS + (
            Arg("padding", "conv_padding", (0, 0)),
            Arg("dilation", "pair", (1, 1)),
            Arg("groups", "count", 1),
            Arg("bias", "bool", True),
            Arg("padding_mode", "padding_mode", "zeros"),
        ), conv2d),
        LayerType("ConvTranspose2d", _CONV_ARGS + (
            Arg("padding", "pair0", (0, 0)),
            Arg("output_padding", "pair0", (0, 0)),
            Arg("groups", "count", 1),
            Arg("bias", "bool", True),
            Arg("dilation", "pair", (1, 1)),
            Arg("padding_mode", "padding_mode", "zeros"),
        ), conv_transpose2d),
        LayerType("MaxPool2d", (
            Arg("kernel_size", "pair"),
            Arg("stride", "pair_or_none", None),
            Arg("padding", "pair0", (0, 0)),
            Arg("dilation", "pair", (1, 1)),
            Arg("return_indices", "bool", False),
            Arg("ceil_mode", "bool", False),
        ), max_pool2d),
        LayerType("AvgPool2d", (
            Arg("kernel_size", "pair"),
            Arg("stride", "pair_or_none", None),
            Arg("padding", "pair0", (0, 0)),
            Arg("ceil_mode", "bool", False),
            Arg("count_include_pad", "bool", True),
            Arg("divisor_override", "int_or_none", None),
        ), avg_pool2d),
        LayerType("AdaptiveAvgPool2d", (Arg("output_size", "output_size"),), adaptive_avg_pool2d),
        LayerType("AdaptiveMaxPool2d", (
            Arg("output_size", "output_size"),
            Arg("return_indices", "bool", False),
        ), adaptive_max_pool2d),
        LayerType("BatchNorm2d", (
            Arg("num_features", "count", None),
            Arg("eps", "float", 1e-5),
            Arg("momentum", "float_or_none", 0.1),
            Arg("affine", "bool", True),
            Arg("track_running_stats", "bool", True),
        ), batch_norm2d),
        LayerType("ReLU", (Arg("inplace", "bool", False),), elementwise),
        LayerType("LeakyReLU", (
            Arg("negative_slope", "float", 0.01),
            Arg("inplace", "bool", False),
        ), elementwise),
        LayerType("Sigmoid", (), elementwise),
        LayerType("Tanh", (), elementwise),
        LayerType("Softmax", (Arg("dim", "int_or_none", None),), softmax),
        LayerType("Dropout", (Arg("p", "float", 0.5), Arg("inplace", "bool", False)), _dropout),
        LayerType("Dropout2d", (Arg("p", "float", 0.5), Arg("inplace", "bool", False)), _dropout),
        LayerType("Flatten", (Arg("start_dim", "int", 1), Arg("end_dim", "int", -1)), flatten),
        LayerType("Linear", (
            Arg("in_features", "count", None),
            Arg("out_features", "count"),
            Arg("bias", "bool", True),
        ), linear),
        LayerType("Identity", (), elementwise),
    )
}
"""Layer types by PyTorch name (blocks ``Residual``, ``Concat``, ``Scale`` and ``Side`` live in
:mod:`convviz.arithmetic.spec`)."""

BLOCK_TYPES = ("Residual", "Concat", "Scale", "Side")


def _adaptive_max_check(args: dict[str, Any], shape: Shape, rf: ReceptiveField | None) -> LayerResult:
    if args["return_indices"]:
        raise SpecError.of("engine.return_indices")
    return adaptive_max_pool2d(args, shape, rf)


LAYER_TYPES["AdaptiveMaxPool2d"] = LayerType(
    "AdaptiveMaxPool2d", LAYER_TYPES["AdaptiveMaxPool2d"].args, _adaptive_max_check
)

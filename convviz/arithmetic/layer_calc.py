"""One layer worked out for the "Layer arithmetic" page and the CLI calculators
(``convviz conv|convt|pool``): shape, formulas, costs, field.

The settings of one convolution, transposed convolution or pooling layer become a one-layer
network spec; :func:`convviz.summarize` gives the output shape, parameters, multiplications,
receptive field and warnings (so the page and the Architecture planner agree by
construction), and :mod:`convviz.arithmetic` gives each axis's formula with the numbers
filled in.

Parameters: conv ``Cout*(Cin/groups)*kh*kw (+ Cout)``; transposed conv
``Cin*(Cout/groups)*kh*kw (+ Cout)``; pooling none.
Multiplications: conv ``Cout*Hout*Wout*(Cin/groups)*kh*kw``; transposed conv
``Cin*Hin*Win*(Cout/groups)*kh*kw``; pooling none.
"""

from __future__ import annotations

from dataclasses import dataclass

from convviz.arithmetic import sizes as ar
from convviz.arithmetic.layers import conv_paddings
from convviz.errors import Note, SpecError

OP_TYPES = {"conv": "Conv2d", "convt": "ConvTranspose2d", "maxpool": "MaxPool2d", "avgpool": "AvgPool2d"}


@dataclass(frozen=True)
class LayerSettings:
    """What the page's widgets say; ``padding`` is a (h, w) pair or "same" / "valid"."""

    op: str
    h: int
    w: int
    in_channels: int = 1
    out_channels: int = 1
    kernel: tuple[int, int] = (3, 3)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    output_padding: tuple[int, int] = (0, 0)
    groups: int = 1
    bias: bool = True
    ceil_mode: bool = False
    count_include_pad: bool = True

    def layer_spec(self) -> dict[str, object]:
        """The layer in ConvViz's JSON spec format (PyTorch's names and arguments)."""
        if self.op not in OP_TYPES:
            raise SpecError(f"unknown operation {self.op!r}; choose one of {sorted(OP_TYPES)}")
        spec: dict[str, object] = {
            "type": OP_TYPES[self.op], "kernel_size": list(self.kernel),
            "stride": list(self.stride),
            "padding": self.padding if isinstance(self.padding, str) else list(self.padding),
        }
        if self.op in ("conv", "convt"):
            spec.update(out_channels=self.out_channels, dilation=list(self.dilation),
                        groups=self.groups, bias=self.bias)
            if self.op == "convt":
                spec["output_padding"] = list(self.output_padding)
        else:
            spec["ceil_mode"] = self.ceil_mode
            if self.op == "maxpool":
                spec["dilation"] = list(self.dilation)
            else:
                spec["count_include_pad"] = self.count_include_pad
        return spec

    def padding_pairs(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Padding (before, after) per axis, with "same" and "valid" resolved (as the engine's
        :func:`convviz.arithmetic.layers.conv_paddings` does)."""
        if isinstance(self.padding, str) and self.padding not in ("same", "valid"):
            raise SpecError(f"padding must be a number, 'same' or 'valid', not {self.padding!r}")
        return conv_paddings({"padding": self.padding, "kernel_size": self.kernel, "dilation": self.dilation})


@dataclass(frozen=True)
class LayerResult:
    """One layer worked out: ``plain`` / ``latex`` are the per-axis (height, width) size
    formulas; ``params_how`` / ``macs_how`` the cost products with the numbers filled in, and
    ``params_formula`` / ``macs_formula`` the same followed by ``= total``."""

    output_shape: tuple[int, int, int]
    plain: tuple[str, str]
    latex: tuple[str, str]
    notes: tuple[Note, ...]
    params: int
    macs: int
    output_elements: int
    params_formula: str
    macs_formula: str
    params_how: str
    macs_how: str
    receptive_field: tuple[tuple[int, int], tuple[int, int], tuple[float, float]] | None
    padding_pairs: tuple[tuple[int, int], tuple[int, int]]


def _formulas(s: LayerSettings, pads: tuple[tuple[int, int], tuple[int, int]]) -> tuple[list[str], list[str]]:
    plain, latex = [], []
    for axis in range(2):
        n = (s.h, s.w)[axis]
        k, st, d = s.kernel[axis], s.stride[axis], s.dilation[axis]
        before, after = pads[axis]
        if s.op == "conv":
            text = ar.conv_formula(n, k, st, before + after, d)
        elif s.op == "convt":
            text = ar.convt_formula(n, k, st, before, s.output_padding[axis], d)
        else:
            text = ar.pool_formula(n, k, st, before, d, s.ceil_mode)
        plain.append(text[0])
        latex.append(text[1])
    return plain, latex


def _cost_formulas(s: LayerSettings, out: tuple[int, int, int]) -> tuple[str, str]:
    kh, kw = s.kernel
    g = s.groups
    if s.op == "conv":
        per = f"{s.in_channels}/{g}*{kh}*{kw}"
        params = f"{s.out_channels}*({per}" + (" + 1)" if s.bias else ")")
        macs = f"{out[0]}*{out[1]}*{out[2]}*{per}"
    elif s.op == "convt":
        per = f"{s.out_channels}/{g}*{kh}*{kw}"
        params = f"{s.in_channels}*{per}" + (f" + {s.out_channels}" if s.bias else "")
        macs = f"{s.in_channels}*{s.h}*{s.w}*{per}"
    else:
        params, macs = "0", "0"
    return params, macs


def calculate(settings: LayerSettings) -> LayerResult:
    """Everything the page shows for one layer; raises SpecError for impossible settings."""
    from convviz.arithmetic.summary import summarize

    spec = {"name": f"one {OP_TYPES.get(settings.op, settings.op)}",
            "input": [settings.in_channels, settings.h, settings.w],
            "layers": [settings.layer_spec()]}
    try:
        summary = summarize(spec)
    except SpecError as exc:  # one layer: its network path ("layers.0") would only be jargon
        raise SpecError(exc.reason, None, key=exc.key, values=exc.values) from None
    row = summary.layers[0]
    pads = settings.padding_pairs()
    plain, latex = _formulas(settings, pads)
    out = tuple(row.output_shape)
    params_formula, macs_formula = _cost_formulas(settings, out)
    rf = row.receptive_field
    field = None if rf is None else (tuple(rf.size), tuple(rf.jump), tuple(rf.start))
    return LayerResult(
        output_shape=out, plain=(plain[0], plain[1]), latex=(latex[0], latex[1]),
        notes=tuple(row.warnings), params=row.params, macs=row.macs,
        output_elements=out[0] * out[1] * out[2],
        params_formula=f"{params_formula} = {row.params:,}",
        macs_formula=f"{macs_formula} = {row.macs:,}",
        params_how=params_formula, macs_how=macs_formula,
        receptive_field=field, padding_pairs=pads,
    )

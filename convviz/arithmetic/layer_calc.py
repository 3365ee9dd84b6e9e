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
from typing import NamedTuple

from convviz.arithmetic import sizes as ar
from convviz.arithmetic.layers import conv_paddings
from convviz.errors import Note, SpecError

OP_TYPES = {"conv": "Conv2d", "convt": "ConvTranspose2d", "maxpool": "MaxPool2d", "avgpool": "AvgPool2d"}
POOLS = ("maxpool", "avgpool")


class Axis(NamedTuple):
    """One axis of a layer in Dumoulin & Visin's notation: input ``n``, kernel ``k``, stride
    ``s``, padding ``before`` / ``after``, dilation ``d`` (1 for average pooling, which has
    none) and output padding ``op`` (0 unless transposed convolution)."""

    n: int
    k: int
    s: int
    before: int
    after: int
    d: int
    op: int


@dataclass(frozen=True)
class LayerSettings:
    """One convolution, transposed convolution or pooling layer: the single form in which
    the Layer-arithmetic page, the CLI (``convviz conv/convt/pool/animate``) and the
    animation gallery hand a layer to the spec, the animation and the GIF.

    Pairs are (height, width); ``padding`` is a pair or "same" / "valid" (convolution).
    """

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

    def network_spec(self) -> dict[str, object]:
        """A network of this one layer on a ``(in_channels, h, w)`` input (ConvViz's spec)."""
        return {"name": f"one {OP_TYPES.get(self.op, self.op)}",
                "input": [self.in_channels, self.h, self.w], "layers": [self.layer_spec()]}

    def padding_pairs(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Padding (before, after) per axis, with "same" and "valid" resolved (as the engine's
        :func:`convviz.arithmetic.layers.conv_paddings` does)."""
        if isinstance(self.padding, str) and self.padding not in ("same", "valid"):
            raise SpecError(f"padding must be a number, 'same' or 'valid', not {self.padding!r}")
        return conv_paddings({"padding": self.padding, "kernel_size": self.kernel, "dilation": self.dilation})

    @property
    def is_pool(self) -> bool:
        return self.op in POOLS

    def axes(self) -> tuple[Axis, Axis]:
        """The (height, width) axes with the padding resolved (see :class:`Axis`)."""
        pads = self.padding_pairs()
        return tuple(  # type: ignore[return-value]
            Axis(n, self.kernel[i], self.stride[i], pads[i][0], pads[i][1],
                 1 if self.op == "avgpool" else self.dilation[i],
                 self.output_padding[i] if self.op == "convt" else 0)
            for i, n in enumerate((self.h, self.w))
        )

    def output_size(self) -> tuple[int, int]:
        """Output (height, width) by the size rules of :mod:`convviz.arithmetic.sizes`;
        SpecError when the settings are impossible (as PyTorch would refuse them)."""
        if self.padding == "same" and tuple(self.stride) != (1, 1):
            raise SpecError.of("engine.same_strided", stride=f"{self.stride[0]}x{self.stride[1]}")
        sizes = []
        for ax in self.axes():
            if self.op == "conv":
                sizes.append(ar.conv_out(ax.n, ax.k, ax.s, (ax.before, ax.after), ax.d))
            elif self.op == "convt":
                sizes.append(ar.convt_out(ax.n, ax.k, ax.s, ax.before, ax.op, ax.d))
            else:
                sizes.append(ar.pool_out(ax.n, ax.k, ax.s, ax.before, ax.d, self.ceil_mode))
        return sizes[0], sizes[1]


@dataclass(frozen=True)
class LayerResult:
    """One layer worked out: ``plain`` / ``latex`` are the per-axis (height, width) size
    formulas; ``params_how`` / ``macs_how`` the cost products with the numbers filled in."""

    output_shape: tuple[int, int, int]
    plain: tuple[str, str]
    latex: tuple[str, str]
    notes: tuple[Note, ...]
    params: int
    macs: int
    output_elements: int
    params_how: str
    macs_how: str
    receptive_field: tuple[tuple[int, int], tuple[int, int], tuple[float, float]] | None


def _formulas(s: LayerSettings) -> tuple[list[str], list[str]]:
    plain, latex = [], []
    for ax in s.axes():
        if s.op == "conv":
            text = ar.conv_formula(ax.n, ax.k, ax.s, ax.before + ax.after, ax.d)
        elif s.op == "convt":
            text = ar.convt_formula(ax.n, ax.k, ax.s, ax.before, ax.op, ax.d)
        else:
            text = ar.pool_formula(ax.n, ax.k, ax.s, ax.before, ax.d, s.ceil_mode)
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

    try:
        summary = summarize(settings.network_spec())
    except SpecError as exc:  # one layer: its network path ("layers.0") would only be jargon
        raise SpecError(exc.reason, None, key=exc.key, values=exc.values) from None
    row = summary.layers[0]
    plain, latex = _formulas(settings)
    out = tuple(row.output_shape)
    params_how, macs_how = _cost_formulas(settings, out)
    rf = row.receptive_field
    field = None if rf is None else (tuple(rf.size), tuple(rf.jump), tuple(rf.start))
    return LayerResult(
        output_shape=out, plain=(plain[0], plain[1]), latex=(latex[0], latex[1]),
        notes=tuple(row.warnings), params=row.params, macs=row.macs,
        output_elements=out[0] * out[1] * out[2], params_how=params_how, macs_how=macs_how,
        receptive_field=field,
    )

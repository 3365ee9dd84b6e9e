"""One-layer calculators: `convviz conv`, `convviz convt`, `convviz pool`.

They print the output size, the formula with the numbers filled in (per axis), the
parameters and multiplications for the given channels, the receptive field and any warning
(e.g. the lecture's tiling check: `convviz conv --input 7 --kernel 3 --stride 3`).
Sizes accept one number (square) or two separated by a comma (height,width).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convviz.arithmetic.layer_calc import LayerSettings


def _numbers(text: str, option: str, allow_words: tuple[str, ...] = ()) -> Any:
    """'7' -> [7, 7]; '7,9' -> [7, 9]; a word from ``allow_words`` as is; ValueError otherwise."""
    from convviz.i18n import translate

    if text in allow_words:
        return text
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (1, 2):
        raise ValueError(translate("engine.cli_bad_numbers", "en", option=option, got=text))
    return values * 2 if len(values) == 1 else values


def _common(p: argparse.ArgumentParser, stride_default: str | None) -> None:
    p.add_argument("--input", required=True, metavar="H[,W]", help="input height (and width)")
    p.add_argument("--kernel", required=True, metavar="K[,K]", help="kernel size")
    p.add_argument("--stride", default=stride_default, metavar="S[,S]")
    p.add_argument("--dilation", default="1", metavar="D[,D]")
    p.add_argument("--lang", choices=("en", "es"), default="en")


def register(subparsers: argparse._SubParsersAction) -> None:
    conv = subparsers.add_parser("conv", help="one Conv2d: output size, formula, parameters, warnings")
    _common(conv, "1")
    conv.add_argument("--padding", default="0", metavar="P[,P]|same|valid")
    conv.add_argument("--groups", type=int, default=1)
    conv.add_argument("--channels", default="1", metavar="CIN[,COUT]", help="input (and output) channels")
    conv.add_argument("--no-bias", action="store_true")
    conv.set_defaults(func=run, op="conv")

    convt = subparsers.add_parser("convt", help="one ConvTranspose2d: output size, formula, parameters")
    _common(convt, "1")
    convt.add_argument("--padding", default="0", metavar="P[,P]")
    convt.add_argument("--output-padding", default="0", metavar="OP[,OP]")
    convt.add_argument("--groups", type=int, default=1)
    convt.add_argument("--channels", default="1", metavar="CIN[,COUT]")
    convt.add_argument("--no-bias", action="store_true")
    convt.set_defaults(func=run, op="convt")

    pool = subparsers.add_parser("pool", help="one MaxPool2d / AvgPool2d: output size, formula")
    _common(pool, None)
    pool.add_argument("--kind", choices=("max", "avg"), default="max")
    pool.add_argument("--padding", default="0", metavar="P[,P]")
    pool.add_argument("--ceil-mode", action="store_true")
    pool.add_argument("--channels", default="1", metavar="C")
    pool.set_defaults(func=run, op="pool")


def settings_from(args: argparse.Namespace) -> LayerSettings:
    """The :class:`convviz.arithmetic.layer_calc.LayerSettings` the options describe (a pooling layer's
    stride defaults to its kernel, as in PyTorch)."""
    from convviz.arithmetic.layer_calc import LayerSettings

    h, w = _numbers(args.input, "--input")
    cin, cout = _numbers(args.channels, "--channels")
    kernel = tuple(_numbers(args.kernel, "--kernel"))
    stride = kernel if args.stride is None else tuple(_numbers(args.stride, "--stride"))
    dilation = tuple(_numbers(args.dilation, "--dilation"))
    op = args.op if args.op != "pool" else f"{args.kind}pool"
    if op == "avgpool" and dilation != (1, 1):
        raise ValueError("AvgPool2d has no dilation argument (PyTorch)")
    padding = _numbers(args.padding, "--padding", ("same", "valid") if op == "conv" else ())
    extra: dict[str, Any] = {}
    if op in ("conv", "convt"):
        extra.update(out_channels=cout, groups=args.groups, bias=not args.no_bias)
    if op == "convt":
        extra["output_padding"] = tuple(_numbers(args.output_padding, "--output-padding"))
    if op in ("maxpool", "avgpool"):
        extra.update(out_channels=cin, ceil_mode=args.ceil_mode)
    return LayerSettings(op=op, h=h, w=w, in_channels=cin, kernel=kernel, stride=stride,
                         padding=padding if isinstance(padding, str) else tuple(padding),
                         dilation=dilation, **extra)


def describe(args: argparse.Namespace) -> list[str]:
    """The lines `convviz conv/convt/pool` prints (SpecError for impossible settings); the
    numbers and formulas are :func:`convviz.arithmetic.layer_calc.calculate`'s (as on the page)."""
    from convviz.arithmetic.formatting import shape_text
    from convviz.arithmetic.layer_calc import OP_TYPES, calculate
    from convviz.i18n import translate

    lang = args.lang
    settings = settings_from(args)
    result = calculate(settings)
    shape = (settings.in_channels, settings.h, settings.w)
    lines = [f"{OP_TYPES[settings.op]} {shape_text(shape)} -> {shape_text(result.output_shape)}",
             translate("engine.cli_output", lang, shape=shape_text(result.output_shape))]
    for axis, formula in enumerate(result.plain):
        lines.append(translate("engine.cli_formula", lang,
                               axis=translate(("engine.axis_h", "engine.axis_w")[axis], lang),
                               formula=formula))
    if settings.op in ("conv", "convt"):
        lines.append(translate("engine.cli_params", lang, n=f"{result.params:,}", how=result.params_how))
        lines.append(translate("engine.cli_macs", lang, n=f"{result.macs:,}", how=result.macs_how))
    if result.receptive_field is not None:
        size, jump, start = (shape_text(f"{x:g}" if isinstance(x, float) else x for x in v)
                             for v in result.receptive_field)
        lines.append(translate("engine.cli_rf", lang, size=size, jump=jump, start=start))
    lines += [translate("engine.cli_warning", lang, text=note.text(lang)) for note in result.notes]
    return lines


def run(args: argparse.Namespace) -> int:
    print("\n".join(describe(args)))
    return 0

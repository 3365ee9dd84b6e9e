"""One-layer calculators: `convviz conv`, `convviz convt`, `convviz pool`.

They print the output size, the formula with the numbers filled in (per axis), the
parameters and multiplications for the given channels, the receptive field and any warning
(e.g. the lecture's tiling check: `convviz conv --input 7 --kernel 3 --stride 3`).
Sizes accept one number (square) or two separated by a comma (height,width).
"""

from __future__ import annotations

import argparse
from typing import Any


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


def layer_spec(args: argparse.Namespace) -> tuple[dict[str, Any], list[int]]:
    """The one-layer spec and input shape [C, H, W] the options describe."""
    h, w = _numbers(args.input, "--input")
    channels = _numbers(args.channels, "--channels")
    cin, cout = channels
    layer: dict[str, Any] = {"kernel_size": _numbers(args.kernel, "--kernel"),
                             "dilation": _numbers(args.dilation, "--dilation")}
    if args.stride is not None:
        layer["stride"] = _numbers(args.stride, "--stride")
    if args.op == "conv":
        layer.update(type="Conv2d", out_channels=cout, groups=args.groups, bias=not args.no_bias,
                     padding=_numbers(args.padding, "--padding", ("same", "valid")))
    elif args.op == "convt":
        layer.update(type="ConvTranspose2d", out_channels=cout, groups=args.groups,
                     bias=not args.no_bias, padding=_numbers(args.padding, "--padding"),
                     output_padding=_numbers(args.output_padding, "--output-padding"))
    else:
        layer.update(type="MaxPool2d" if args.kind == "max" else "AvgPool2d",
                     padding=_numbers(args.padding, "--padding"), ceil_mode=args.ceil_mode)
        if args.kind == "avg":
            if layer["dilation"] != [1, 1]:
                raise ValueError("AvgPool2d has no dilation argument (PyTorch)")
            del layer["dilation"]
    return layer, [cin, h, w]


def describe(args: argparse.Namespace) -> list[str]:
    """The lines `convviz conv/convt/pool` prints (SpecError for impossible settings)."""
    from convviz import arithmetic as ar
    from convviz.formatting import shape_text
    from convviz.i18n import translate
    from convviz.layers import conv_paddings
    from convviz.summary import summarize

    lang = args.lang
    layer, shape = layer_spec(args)
    summary = summarize({"name": layer["type"], "input": shape, "layers": [layer]})
    row = summary.layers[0]
    a = row.args
    k, s, d = a["kernel_size"], a.get("stride") or a["kernel_size"], a.get("dilation", (1, 1))
    lines = [f"{row.type} {shape_text(shape)} -> {shape_text(row.output_shape)}",
             translate("engine.cli_output", lang, shape=shape_text(row.output_shape))]
    for axis in range(2):
        n = shape[1 + axis]
        if args.op == "conv":
            before, after = conv_paddings(a)[axis]
            formula = ar.conv_formula(n, k[axis], s[axis], before + after, d[axis])[0]
        elif args.op == "convt":
            formula = ar.convt_formula(n, k[axis], s[axis], a["padding"][axis],
                                       a["output_padding"][axis], d[axis])[0]
        else:
            formula = ar.pool_formula(n, k[axis], s[axis], a["padding"][axis], d[axis],
                                      a["ceil_mode"])[0]
        lines.append(translate("engine.cli_formula", lang,
                               axis=translate(("engine.axis_h", "engine.axis_w")[axis], lang),
                               formula=formula))
    if args.op in ("conv", "convt"):
        cin, cout, g = shape[0], row.output_shape[0], a["groups"]
        bias = f" + {cout}" if a["bias"] else ""
        if args.op == "conv":
            how_p = f"{cout}*({cin}/{g})*{k[0]}*{k[1]}{bias}"
            how_m = f"{cout}*{row.output_shape[1]}*{row.output_shape[2]}*({cin}/{g})*{k[0]}*{k[1]}"
        else:
            how_p = f"{cin}*({cout}/{g})*{k[0]}*{k[1]}{bias}"
            how_m = f"{cin}*{shape[1]}*{shape[2]}*({cout}/{g})*{k[0]}*{k[1]}"
        lines.append(translate("engine.cli_params", lang, n=f"{row.params:,}", how=how_p))
        lines.append(translate("engine.cli_macs", lang, n=f"{row.macs:,}", how=how_m))
    rf = row.receptive_field
    if rf is not None:
        def xy(v: tuple[Any, Any]) -> str:
            return "x".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)

        lines.append(translate("engine.cli_rf", lang, size=xy(rf.size), jump=xy(rf.jump), start=xy(rf.start)))
    lines += [translate("engine.cli_warning", lang, text=note.text(lang)) for note in row.warnings]
    return lines


def run(args: argparse.Namespace) -> int:
    print("\n".join(describe(args)))
    return 0

"""`convviz summary NAME_OR_FILE [--input C,H,W] [--format table|json|csv|markdown]` and
`convviz presets`."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("table", "json", "csv", "markdown")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summary",
        help="layer-by-layer summary of a preset or a JSON spec file",
        description="Output shapes, parameters, multiplications (MACs), memory and receptive "
        "fields of every layer of a network (a preset name or a JSON spec file).",
    )
    p.add_argument("spec", metavar="NAME_OR_FILE", help="preset name (see `convviz presets`) or spec file")
    p.add_argument("--input", metavar="C,H,W", help="input shape, overriding the spec's")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--lang", choices=("en", "es"), default="en")
    p.set_defaults(func=run_summary)

    q = subparsers.add_parser("presets", help="list the preset networks")
    q.add_argument("--lang", choices=("en", "es"), default="en")
    q.set_defaults(func=run_presets)


def run_summary(args: argparse.Namespace) -> int:
    from convviz.arithmetic.formatting import render
    from convviz.arithmetic.summary import summarize

    summary = summarize(args.spec, args.input)
    sys.stdout.write(render(summary, args.format, args.lang))
    return 0


def run_presets(args: argparse.Namespace) -> int:
    from convviz.arithmetic.formatting import giga, human
    from convviz.arithmetic.presets import describe, list_presets
    from convviz.arithmetic.summary import summarize
    from convviz.i18n import translate

    print(translate("engine.cli_presets_head", args.lang))
    names = list_presets()
    width = max(map(len, names))
    for name in names:
        try:
            s = summarize(name)
            macs = giga(s.total_macs) if s.total_macs >= 1e7 else human(s.total_macs)  # as torchvision prints
            numbers = f"{human(s.total_params):>8} params  {macs:>8} MACs"
        except ValueError as exc:  # e.g. a broken digit_cnn spec file
            numbers = f"({exc})"
        print(f"  {name:<{width}}  {numbers}  {describe(name, args.lang)}")
    return 0

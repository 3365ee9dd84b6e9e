"""`convviz animate`: write the step-by-step animation of one layer as a looping GIF.

    convviz animate conv --input 5 --kernel 3 --stride 2 --padding 1 --out conv.gif
    convviz animate convt --input 3 --kernel 3 --stride 2 --padding 1 --output-padding 1
    convviz animate pool --kind max --input 6 --kernel 2 --ceil-mode
    convviz animate conv --values lecture          # the lecture's 5x5 image, 3x3 kernel
    convviz animate conv --values numbers.json     # {"input": [[...]], "kernel": [[...]]}

Sizes are ``N`` or ``HxW``. With ``--values FILE`` the sizes come from the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from convviz.arithmetic.layer_calc import LayerSettings

OPS = {"conv": "conv", "convt": "convt", "pool": None}


def _pair(text: str) -> tuple[int, int]:
    """``5`` -> (5, 5); ``5x7`` -> (5, 7)."""
    parts = text.lower().replace("*", "x").replace(",", "x").split("x")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected N or HxW, got {text!r}") from exc
    if len(values) == 1:
        return values[0], values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise argparse.ArgumentTypeError(f"expected N or HxW, got {text!r}")


def _padding(text: str) -> tuple[int, int] | str:
    if text.lower() in ("same", "valid"):
        return text.lower()
    return _pair(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "animate",
        help="write a step-by-step animation (GIF) of a convolution, transposed convolution or pooling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("op", choices=sorted(OPS), help="conv, convt (transposed) or pool")
    p.add_argument("--input", type=_pair, default=None, metavar="N|HxW",
                   help="input size (default 5, or the file's size)")
    p.add_argument("--kernel", type=_pair, default=None, metavar="N|HxW",
                   help="kernel / window size (default 3; 2 for pool)")
    p.add_argument("--stride", type=_pair, default=None, metavar="N|HxW",
                   help="stride (default 1; the window size for pool)")
    p.add_argument("--padding", type=_padding, default=(0, 0), metavar="N|HxW|same|valid",
                   help="padding on each side (conv also accepts same / valid)")
    p.add_argument("--dilation", type=_pair, default=(1, 1), metavar="N|HxW")
    p.add_argument("--output-padding", type=_pair, default=(0, 0), metavar="N|HxW",
                   help="transposed convolution only")
    p.add_argument("--kind", choices=["max", "avg"], default="max", help="pool only")
    p.add_argument("--ceil-mode", action="store_true", help="pool only")
    p.add_argument("--no-count-include-pad", dest="count_include_pad", action="store_false",
                   help="average pooling: divide by the real cells only")
    p.add_argument("--values", default="lecture", metavar="lecture|random|FILE",
                   help="numbers: the lecture's example (repeated to fit), seeded random, "
                        "or a text/CSV/JSON file with the input and the kernel")
    p.add_argument("--seed", type=int, default=0, help="seed for --values random")
    p.add_argument("--true-convolution", action="store_true",
                   help="rotate the kernel 180 degrees (conv; default: correlation, as PyTorch)")
    p.add_argument("--transposed-view", choices=["scatter", "direct"], default="scatter",
                   help="convt: each input stamps the kernel (scatter), or the equivalent "
                        "direct convolution over the stretched input")
    p.add_argument("--width", type=int, default=960, help="GIF width in pixels (default 960)")
    p.add_argument("--frame-ms", type=int, default=700, help="milliseconds per step")
    p.add_argument("--lang", choices=["en", "es"], default="en")
    p.add_argument("--out", default=None, help="output GIF (default <op>.gif)")
    p.set_defaults(func=handle)


def _file_values(args: argparse.Namespace, pool: bool):  # noqa: ANN202 - (x, k) arrays or (None, None)
    """Input and kernel from ``--values FILE`` (None, None for lecture / random)."""
    import numpy as np

    from convviz.animation.values import parse_values_file
    from convviz.errors import SpecError

    if args.values in ("lecture", "random"):
        return None, None
    path = Path(args.values)
    if not path.is_file():
        raise ValueError(f"--values: no such file {args.values!r} (or use lecture / random)")
    x, k = parse_values_file(path.read_text(encoding="utf-8"))
    if k is None and not pool:
        raise SpecError.of("anim.no_kernel")
    return x, np.ones(args.kernel or (2, 2)) if k is None else k


def layer_from(args: argparse.Namespace, size: tuple[int, int] | None, kernel: tuple[int, int] | None
               ) -> LayerSettings:
    """The :class:`~convviz.arithmetic.layer_calc.LayerSettings` the options describe; the
    sizes of a ``--values`` file win over ``--input`` / ``--kernel``. A pooling layer's
    stride defaults to its window, as in PyTorch."""
    from convviz.arithmetic.layer_calc import LayerSettings

    pool = args.op == "pool"
    if isinstance(args.padding, str) and args.op != "conv":
        raise ValueError("--padding same/valid is for conv only")
    h, w = size or args.input or (5, 5)
    kernel = kernel or args.kernel or ((2, 2) if pool else (3, 3))
    return LayerSettings(
        op=f"{args.kind}pool" if pool else args.op, h=h, w=w, kernel=kernel,
        stride=args.stride or (kernel if pool else (1, 1)), padding=args.padding,
        dilation=args.dilation, output_padding=args.output_padding, ceil_mode=args.ceil_mode,
        count_include_pad=args.count_include_pad,
    )


def handle(args: argparse.Namespace) -> int:
    from convviz.animation.frames import build_animation
    from convviz.animation.gif import write_gif
    from convviz.animation.values import lecture_values, random_values

    if not 200 <= args.width <= 4000:
        raise ValueError(f"--width must be between 200 and 4000, got {args.width}")
    if not 20 <= args.frame_ms <= 10_000:
        raise ValueError(f"--frame-ms must be between 20 and 10000, got {args.frame_ms}")
    x, k = _file_values(args, args.op == "pool")
    layer = layer_from(args, None if x is None else x.shape, None if k is None else k.shape)
    (h, w), (kh, kw) = (layer.h, layer.w), layer.kernel
    if x is None and args.values == "lecture":
        x, k = lecture_values(h, w, kh, kw)
    elif x is None:
        x, k = random_values(h, w, kh, kw, args.seed, layer.op)
    anim = build_animation(layer, x, k, flip=args.true_convolution, view=args.transposed_view)
    data = write_gif(anim, args.lang, width=args.width, frame_ms=args.frame_ms)
    out = Path(args.out or f"{args.op}.gif")
    out.write_bytes(data)
    oh, ow = anim.output.shape
    print(f"wrote {out}: {anim.n_steps} frames, input {h}x{w}, kernel {kh}x{kw}, "
          f"output {oh}x{ow}, {len(data) / 1024:.0f} KB")
    return 0

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


def handle(args: argparse.Namespace) -> int:
    import numpy as np

    from convviz.animation.frames import (
        build_animation,
        config_from_settings,
        lecture_values,
        parse_values_file,
        random_values,
    )
    from convviz.animation.gif import write_gif
    from convviz.arithmetic import same_padding
    from convviz.errors import SpecError

    if not 200 <= args.width <= 4000:
        raise ValueError(f"--width must be between 200 and 4000, got {args.width}")
    if not 20 <= args.frame_ms <= 10_000:
        raise ValueError(f"--frame-ms must be between 20 and 10000, got {args.frame_ms}")
    op = "conv" if args.op == "conv" else "convt" if args.op == "convt" else f"{args.kind}pool"
    pool = args.op == "pool"

    x = k = None
    source = args.values
    if source not in ("lecture", "random"):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"--values: no such file {source!r} (or use lecture / random)")
        x, k = parse_values_file(path.read_text(encoding="utf-8"))
        if k is None and not pool:
            raise SpecError.of("anim.no_kernel")
        if k is None:
            k = np.ones(args.kernel or (2, 2))
    h, w = x.shape if x is not None else (args.input or (5, 5))
    kh, kw = k.shape if k is not None else (args.kernel or ((2, 2) if pool else (3, 3)))
    sh, sw = args.stride or ((kh, kw) if pool else (1, 1))
    dh, dw = args.dilation
    if isinstance(args.padding, str):
        if args.op != "conv":
            raise ValueError("--padding same/valid is for conv only")
        if args.padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError("padding='same' needs stride 1 (as in PyTorch)")
            (pt, pb), (pl, pr) = same_padding(kh, dh), same_padding(kw, dw)
        else:
            pt = pb = pl = pr = 0
    else:
        pt = pb = args.padding[0]
        pl = pr = args.padding[1]
    settings = {
        "h": h, "w": w, "kh": kh, "kw": kw, "sh": sh, "sw": sw, "ph": pt, "pw": pl,
        "pad_top": pt, "pad_bottom": pb, "pad_left": pl, "pad_right": pr, "dh": dh, "dw": dw,
        "oph": args.output_padding[0], "opw": args.output_padding[1],
        "ceil_mode": args.ceil_mode, "count_include_pad": args.count_include_pad,
    }
    cfg = config_from_settings(op, settings, flip=args.true_convolution,
                               view=args.transposed_view)
    if x is None:
        maker = lecture_values if source == "lecture" else None
        if maker:
            x, k = lecture_values(h, w, kh, kw)
        else:
            x, k = random_values(h, w, kh, kw, args.seed, op)
    anim = build_animation(cfg, x, k)
    data = write_gif(anim, args.lang, width=args.width, frame_ms=args.frame_ms)
    out = Path(args.out or f"{args.op}.gif")
    out.write_bytes(data)
    oh, ow = anim.output.shape
    print(f"wrote {out}: {anim.n_steps} frames, input {h}x{w}, kernel {kh}x{kw}, "
          f"output {oh}x{ow}, {len(data) / 1024:.0f} KB")
    return 0

"""The `convviz` command: `convviz --help` lists the sub-commands.

Each sub-command lives in a module of ``convviz.commands`` with a ``register(subparsers)``
function that adds its parser and sets ``func``. Heavy imports happen inside the handlers,
so `convviz conv ...` starts in well under a second. Every error the user can cause exits
with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from convviz.commands import MODULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convviz",
        description="Convolution arithmetic, network summaries, animations and the digit CNN.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `convviz presets | head`: the reader left, nothing to report
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from failing at exit
        return 0
    except (ValueError, OSError) as exc:  # SpecError, ImageError, bad files: all ValueError/OSError
        print(f"convviz {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ArithmeticError, RecursionError, MemoryError) as exc:  # a value too big for Python
        print(f"convviz {args.command}: error: {type(exc).__name__}: the values are too large", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

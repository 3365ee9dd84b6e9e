"""Before/after in one run: the load client against two checkouts, back to back.

For each scenario (sessions, think time) it starts a fresh server of each checkout in turn
(``bench/load.py --spawn --root``), measures, stops it, and prints one table row per
checkout, so both see the same machine at nearly the same time. The "before" checkout is
any older tree, e.g. ``git archive 56f46c6 | tar -x -C /tmp/convviz-before``.

    python bench/load_compare.py --before /tmp/convviz-before --duration 15
    python bench/load_compare.py --before /tmp/convviz-before --scenarios 40:0 --train 5
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the older checkout")
    parser.add_argument("--after", type=Path, default=load.ROOT)
    parser.add_argument("--scenarios", default="1:0,10:0,20:0,40:0,40:2", help="sessions:think,...")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--train", type=int, default=0, help="training sessions alongside")
    parser.add_argument("--extra", default="", help="more load.py options, space-separated")
    args = parser.parse_args()
    print(f"machine load average at start: {os.getloadavg()}")
    print("| version | sessions | think | reruns/s | p50 | p95 | max | KB/rerun | errors | server MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in args.scenarios.split(","):
        sessions, think = scenario.split(":")
        for name, root in (("before", args.before), ("after", args.after)):
            argv = ["--spawn", "--root", str(root), "--sessions", sessions, "--think", think,
                    "--duration", str(args.duration), "--train", str(args.train), *args.extra.split()]
            with contextlib.redirect_stdout(io.StringIO()):
                r = load.main(argv)
            print(f"| {name} | {r['sessions']} | {r['think_s']} s | {r['reruns_per_s']} | {r['p50_s']} s | "
                  f"{r['p95_s']} s | {r['max_s']} s | {r['kb_per_rerun']} | {r['errors']} | "
                  f"{r['server_peak_mb']} |", flush=True)
            if "training" in r:
                print(f"|   training ({name}) | {r['training']} |", flush=True)
    print(f"machine load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()

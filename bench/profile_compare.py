"""Server CPU per rerun of every page, two checkouts alternated in one run.

Starts a server of each checkout (``--before`` and ``--after``), then, for ``--rounds``
rounds, reruns every page ``--n`` times on one and then the other, reading each server's
CPU time from /proc (``profile_rerun.per_page``: server CPU, whatever the machine's load).
Prints the median per page and the ratio after / before.

    git archive <rev> | tar -x -C /tmp/before
    python bench/profile_compare.py --before /tmp/before --rounds 3 --n 12

The "before" tree runs with whatever this environment has installed. To measure it as it
was before a dependency was added (uvloop, say), put a ``sitecustomize.py`` in its root that
hides the module (``import sys; sys.modules["uvloop"] = None``): the server runs with
PYTHONPATH set to that root, so Python imports that file first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
import profile_rerun  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=load.ROOT)
    parser.add_argument("--pages", default=",".join(profile_rerun.PAGES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=12, help="reruns per page per round")
    args = parser.parse_args()
    pages = args.pages.split(",")
    servers = {}
    for name, root in (("before", args.before), ("after", args.after)):
        port = load.free_port()
        servers[name] = (load.spawn_server(port, root.resolve()), port)
    cpu: dict[str, dict[str, list[float]]] = {name: {p: [] for p in pages} for name in servers}
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    try:
        for _ in range(args.rounds):
            for name, (proc, port) in servers.items():
                for row, page in zip(asyncio.run(profile_rerun.per_page(port, proc.pid, pages, args.n)), pages,
                                     strict=True):
                    cpu[name][page].append(row["cpu_ms"])
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=20)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("| page | before, ms CPU / rerun | after | after / before |\n|---|---:|---:|---:|")
    totals = {"before": 0.0, "after": 0.0}
    for page in pages:
        med = {name: statistics.median(cpu[name][page]) for name in servers}
        for name in servers:
            totals[name] += med[name]
        print(f"| {page or 'home'} | {med['before']:.1f} | {med['after']:.1f} | {med['after'] / med['before']:.2f} |")
    print(f"| all pages | {totals['before']:.0f} | {totals['after']:.0f} | {totals['after'] / totals['before']:.2f} |")


if __name__ == "__main__":
    main()

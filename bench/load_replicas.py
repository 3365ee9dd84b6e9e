"""1 replica vs 2 replicas behind nginx, same run: the deployment recipe's throughput.

Starts deploy/local.py's cluster (replicas of this checkout behind Debian's nginx with
deploy/nginx.conf) for each replica count in turn, warms every replica, runs the load
client through nginx, and prints one row per (replicas, scenario).

    python bench/load_replicas.py --scenarios 40:0,40:2 --duration 20
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
import local  # noqa: E402

load = local.load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--scenarios", default="40:0,40:2", help="sessions:think,...")
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    print(f"machine load average at start: {os.getloadavg()}")
    print("| replicas | sessions | think | reruns/s | p50 | p95 | max | errors | checks | server MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for replicas in (int(r) for r in args.replicas.split(",")):
        with local.cluster(replicas) as c:
            for _ in range(4 * replicas):  # new cookies land on every replica: warm them all
                load.run_async(load.warm_up(c["url"], load.DEFAULT_PAGES, 120))
            for scenario in args.scenarios.split(","):
                sessions, think = scenario.split(":")
                argv = ["--url", c["url"], "--sessions", sessions, "--think", think, "--isolation",
                        "--duration", str(args.duration), "--server-pids", ",".join(map(str, c["pids"]))]
                with contextlib.redirect_stdout(io.StringIO()):
                    r = load.main(argv)
                print(f"| {replicas} | {r['sessions']} | {r['think_s']} s | {r['reruns_per_s']} | {r['p50_s']} s | "
                      f"{r['p95_s']} s | {r['max_s']} s | {r['errors']} | {r['isolation_checks']} | "
                      f"{r['server_peak_mb']} |", flush=True)
    print(f"machine load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""Where a rerun's server time goes: CPU per rerun of each page, and py-spy's hottest frames.

Starts a server of this checkout (``bench/load.py --spawn`` style), opens one session over
the websocket protocol, and for each page reruns it ``--n`` times, reading the server
process's CPU time from /proc before and after (so the figure is server CPU, whatever
the machine's load). With ``--py-spy`` it also samples the server while one page reruns
and prints the functions that hold most samples (own time and inclusive time). py-spy is
a development-only tool (``pip install py-spy``), not a dependency of the app.

    python bench/profile_rerun.py                                   # this checkout's config
    python bench/profile_rerun.py --server-arg=--runner.postScriptGC=true   # as before
    python bench/profile_rerun.py --py-spy home --seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402

PAGES = ["", "layer_arithmetic", "concepts", "architecture", "receptive_field", "filter_lab",
         "draw_digit", "training_lab"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def per_page(port: int, pid: int, pages: list[str], n: int) -> list[dict]:
    session = load.Session(f"ws://127.0.0.1:{port}/_stcore/stream", load.SessionStats())
    await session.connect()
    await session.rerun("", 60)
    rows = []
    for page in pages:
        for _ in range(2):  # warm caches: the steady state is what a class sees
            await session.rerun(page, 60)
        cpu0, bytes0, t0 = cpu_seconds(pid), session.stats.bytes_received, time.perf_counter()
        for _ in range(n):
            await session.rerun(page, 60)
        rows.append({
            "page": page or "home", "cpu_ms": 1000 * (cpu_seconds(pid) - cpu0) / n,
            "wall_ms": 1000 * (time.perf_counter() - t0) / n,
            "kb": (session.stats.bytes_received - bytes0) / n / 1024,
        })
    await session.close()
    return rows


async def rerun_for(port: int, page: str, seconds: float) -> None:
    session = load.Session(f"ws://127.0.0.1:{port}/_stcore/stream", load.SessionStats())
    await session.connect()
    await session.rerun("", 60)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await session.rerun(page, 60)
    await session.close()


def hottest(port: int, pid: int, page: str, seconds: float, top: int) -> None:
    """Sample the server with py-spy while ``page`` reruns; print the hottest frames."""
    pyspy = shutil.which("py-spy")
    if pyspy is None:
        sys.exit("py-spy is not installed (pip install py-spy)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "raw.txt"
        spy = subprocess.Popen([pyspy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                                "--duration", str(int(seconds)), "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        asyncio.run(rerun_for(port, "" if page == "home" else page, seconds))
        spy.wait(timeout=seconds + 30)
        own, inclusive, total = collections.Counter(), collections.Counter(), 0
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                      for f in stack.split(";") if f]
            if not frames or not any("script_runner" in f or "ScriptRunner" in f for f in frames):
                continue  # only the script threads
            total += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                inclusive[frame] += int(count)
    print(f"\npy-spy, page {page}: {total} samples of script threads")
    print("own time:")
    for frame, count in own.most_common(top):
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")
    print("inclusive:")
    for frame, count in inclusive.most_common(top + 10)[:top + 10]:
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=load.ROOT, help="checkout to serve")
    parser.add_argument("--server-arg", action="append", default=[])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--n", type=int, default=10, help="reruns measured per page")
    parser.add_argument("--py-spy", default=None, metavar="PAGE", help="also sample this page")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    port = load.free_port()
    proc = load.spawn_server(port, args.root.resolve(), args.server_arg)
    try:
        rows = asyncio.run(per_page(port, proc.pid, args.pages.split(","), args.n))
        print(f"options: {' '.join(args.server_arg) or '(config.toml)'}  load: {os.getloadavg()[0]:.1f}")
        print("| page | server CPU / rerun | wall / rerun | KB / rerun |\n|---|---:|---:|---:|")
        for r in rows:
            print(f"| {r['page']} | {r['cpu_ms']:.0f} ms | {r['wall_ms']:.0f} ms | {r['kb']:.0f} |")
        if args.py_spy:
            hottest(port, proc.pid, args.py_spy, args.seconds, args.top)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()

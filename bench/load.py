"""Load client: many Streamlit sessions over the real websocket protocol, as browsers do.

Each session opens ``ws://HOST/_stcore/stream`` (subprotocol "streamlit"), sends a
``BackMsg.rerun_script`` for a page and waits for ``ForwardMsg.script_finished``; the time
between the two is one rerun. Sessions walk the chosen pages round robin (each from its own
offset), wait ``think`` seconds (uniform 0.5x-1.5x) between reruns, and stop after
``duration`` seconds. An ``exception`` element, a failed script, a lost connection or a
missing reply counts as an error.

Reports reruns per second, latency p50 / p95 / max, bytes received per rerun, errors and
the server's peak memory (resident set of every process whose command line holds
``streamlit run``, sampled every 0.5 s; or of ``--server-pids``).

    python bench/load.py --url http://127.0.0.1:8501 --sessions 20 --think 0 --duration 30
    python bench/load.py --spawn --sessions 4 --duration 5      # starts its own server

Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = ("127.", "localhost", "[::1]", "::1")


@dataclass
class SessionStats:
    """What one session saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_received: int = 0


@dataclass
class PageRun:
    """The outcome of one rerun: whether it finished, and the exceptions it showed."""

    finished: bool = False
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One Streamlit session on one websocket."""

    def __init__(self, ws_url: str, stats: SessionStats) -> None:
        self.ws_url = ws_url
        self.stats = stats
        self.pages: dict[str, str] = {}  # url path name -> page script hash
        self.ws = None

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
        )

    async def rerun(self, page: str, timeout: float) -> PageRun:
        """Send a rerun of ``page`` ("" = the default page) and read replies to the end."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_until_finished(), timeout)

    async def _read_until_finished(self) -> PageRun:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = PageRun()
        while True:
            data = await self.ws.recv()
            self.stats.bytes_received += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                for page in fwd.new_session.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "navigation":
                for page in fwd.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "exception":
                    run.exceptions.append(element.exception.message[:200])
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                run.finished = status in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                )
                return run

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def run_session(
    index: int, ws_url: str, pages: list[str], think: float, deadline: float,
    timeout: float, stats: SessionStats,
) -> None:
    """Open a session, load the default page, then rerun ``pages`` round robin until deadline."""
    rng = random.Random(index)
    session = Session(ws_url, stats)
    try:
        await session.connect()
        first = await session.rerun("", timeout)  # a first visit: the default page
        if not first.finished or first.exceptions:
            stats.errors.append(f"first visit: {first.exceptions or 'not finished'}")
        step = index
        while time.monotonic() < deadline:
            page = pages[step % len(pages)]
            step += 1
            start = time.perf_counter()
            run = await session.rerun(page, timeout)
            stats.latencies.append(time.perf_counter() - start)
            if not run.finished or run.exceptions:
                stats.errors.append(f"{page}: {run.exceptions or 'script failed'}")
            if think > 0:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except TimeoutError:
        stats.errors.append("no reply within timeout")
    except Exception as exc:  # a lost connection is a measured error, not a crash
        stats.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        try:
            await session.close()
        except Exception:  # noqa: BLE001 - closing a broken socket
            pass


def server_rss_mb(pids: list[int] | None) -> float:
    """Resident memory in MB of the server processes (given, or every `streamlit run`)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if pids is not None:
                if int(entry.name) not in pids:
                    continue
            elif b"streamlit\x00run" not in (entry / "cmdline").read_bytes():
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


async def sample_memory(pids: list[int] | None, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server_rss_mb(pids))
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


async def run_load(args: argparse.Namespace) -> dict:
    """Run every session at once and summarise."""
    parsed = urlparse(args.url)
    ws_url = f"ws://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream"
    deadline = time.monotonic() + args.duration
    stats = [SessionStats() for _ in range(args.sessions)]
    stop, peak = asyncio.Event(), [0.0]
    sampler = asyncio.create_task(sample_memory(args.server_pids, stop, peak))
    started = time.perf_counter()
    await asyncio.gather(*(
        run_session(i, ws_url, args.pages, args.think, deadline, args.timeout, s)
        for i, s in enumerate(stats)
    ))
    elapsed = time.perf_counter() - started
    stop.set()
    await sampler
    return summarise(stats, elapsed, peak[0], args)


def summarise(stats: list[SessionStats], elapsed: float, peak_mb: float, args) -> dict:
    latencies = sorted(x for s in stats for x in s.latencies)
    reruns = len(latencies)

    def pct(q: float) -> float:
        return latencies[min(reruns - 1, int(q * reruns))] if reruns else float("nan")

    return {
        "sessions": args.sessions, "think_s": args.think, "duration_s": round(elapsed, 1),
        "reruns": reruns, "reruns_per_s": round(reruns / elapsed, 2),
        "p50_s": round(pct(0.5), 3), "p95_s": round(pct(0.95), 3),
        "max_s": round(latencies[-1], 3) if reruns else float("nan"),
        "mean_s": round(statistics.fmean(latencies), 3) if reruns else float("nan"),
        "kb_per_rerun": round(sum(s.bytes_received for s in stats) / max(reruns, 1) / 1024, 1),
        "errors": sum(len(s.errors) for s in stats),
        "error_samples": [e for s in stats for e in s.errors][:5],
        "server_peak_mb": round(peak_mb),
    }


def spawn_server(port: int) -> subprocess.Popen:
    """Start the app on ``port`` and wait until /_stcore/health answers."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start within 60 s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DEFAULT_PAGES = [
    "", "layer_arithmetic", "concepts", "architecture", "receptive_field",
    "filter_lab", "draw_digit", "training_lab",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--spawn", action="store_true", help="start a server of this checkout")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between reruns")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="per rerun, seconds")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES),
                        help="comma-separated url path names ('' = home)")
    parser.add_argument("--server-pids", default=None, help="comma-separated server PIDs")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table row")
    args = parser.parse_args(argv)
    if not any(urlparse(args.url).hostname.startswith(p.strip("[]")) for p in LOOPBACK):
        parser.error("only loopback targets are allowed")
    if not 1 <= args.sessions <= 1000 or not 0 < args.duration <= 3600 or args.think < 0:
        parser.error("sessions 1-1000, duration 0-3600 s, think >= 0")
    args.pages = [p.strip() for p in args.pages.split(",")]
    args.server_pids = [int(p) for p in args.server_pids.split(",")] if args.server_pids else None
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    proc = None
    if args.spawn:
        port = free_port()
        proc = spawn_server(port)
        args.url, args.server_pids = f"http://127.0.0.1:{port}", [proc.pid]
    try:
        result = asyncio.run(run_load(args))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("| sessions | think | reruns/s | p50 | p95 | max | KB/rerun | errors | server MB |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {result['sessions']} | {result['think_s']} s | {result['reruns_per_s']} | "
              f"{result['p50_s']} s | {result['p95_s']} s | {result['max_s']} s | "
              f"{result['kb_per_rerun']} | {result['errors']} | {result['server_peak_mb']} |")
        for sample in result["error_samples"]:
            print("error:", sample)
    return result


if __name__ == "__main__":
    main()

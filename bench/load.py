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
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = ("127.", "localhost", "[::1]", "::1")


@dataclass
class SessionStats:
    """What one session saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_received: int = 0
    trainings_started: int = 0
    largest_update: int = 0  # bytes of the largest message of a live-curve update
    isolation_checks: int = 0


@dataclass
class PageRun:
    """The outcome of one rerun: whether it finished, and the exceptions it showed."""

    finished: bool = False
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # headings and markdown shown
    media: list[str] = field(default_factory=list)  # URLs of images served by this replica
    largest_message: int = 0  # bytes of the largest ForwardMsg of this run


class Session:
    """One Streamlit session on one websocket."""

    def __init__(self, ws_url: str, stats: SessionStats) -> None:
        self.ws_url = ws_url
        self.stats = stats
        self.pages: dict[str, str] = {}  # url path name -> page script hash
        self.widgets: dict[str, str] = {}  # user key -> widget id (ids end with the key)
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval (st.fragment(run_every))
        self.cached: set[str] = set()  # hashes of cacheable messages received, as a browser keeps
        self.cookie = ""
        self.ws = None

    @property
    def http_url(self) -> str:
        return self.ws_url.replace("ws://", "http://", 1).removesuffix("/_stcore/stream")

    def http_get(self, path: str) -> tuple[int, dict[str, str]]:
        """GET ``path`` with this session's cookie (as the browser does); (status, headers)."""
        request = urllib.request.Request(self.http_url + path, headers={"Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers)

    async def connect(self) -> None:
        """Load the page (keeping any cookie a proxy sets, e.g. nginx's sticky-session
        cookie), then open the websocket with that cookie, as a browser does."""
        import websockets

        status, headers = await asyncio.to_thread(self.http_get, "/")
        if status != 200:
            raise ConnectionError(f"GET / answered {status}")
        cookies = [v.split(";")[0] for k, v in headers.items() if k.lower() == "set-cookie"]
        self.cookie = "; ".join(cookies)
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
        )

    async def rerun(
        self, page: str, timeout: float, widgets: dict[str, object] | None = None,
        fragment_id: str = "",
    ) -> PageRun:
        """Send a rerun of ``page`` ("" = the default page) and read replies to the end.

        ``widgets`` maps widget keys to values: True = a button click (trigger), an int or
        float = a number input, a list = a slider; ``fragment_id`` reruns only that fragment
        (as the browser does for ``st.fragment(run_every=...)``)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        msg.rerun_script.cached_message_hashes.extend(self.cached)  # the server sends references
        if fragment_id:
            msg.rerun_script.fragment_id = fragment_id
            msg.rerun_script.is_auto_rerun = True
        else:
            self.auto_reruns.clear()  # a full run registers its fragments again
        for key, value in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.widgets.get(key, key)
            if value is True:
                state.trigger_value = True
            elif isinstance(value, int):
                state.int_value = value
            elif isinstance(value, float):
                state.double_value = value
            elif isinstance(value, list):
                state.double_array_value.data.extend(float(v) for v in value)
            else:
                state.string_value = str(value)
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_until_finished(), timeout)

    async def _read_until_finished(self) -> PageRun:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = PageRun()
        while True:
            data = await self.ws.recv()
            self.stats.bytes_received += len(data)
            run.largest_message = max(run.largest_message, len(data))
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "new_session":
                for page in fwd.new_session.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "navigation":
                for page in fwd.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, run)
            elif kind == "auto_rerun":
                self.auto_reruns[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment in fwd.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fragment, None)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.auto_reruns.clear()  # st.rerun(): a full run follows
                    continue
                run.finished = status in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                )
                return run

    def _element(self, element, run: PageRun) -> None:
        """Note exceptions, shown text and widget ids of one new element."""
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.exceptions.append(element.exception.message[:200])
        elif kind in ("markdown", "heading"):
            run.texts.append(getattr(element, kind).body)
        elif kind == "imgs":
            run.media.extend(img.url for img in element.imgs.imgs if img.url.startswith("/media/"))
        sub = getattr(element, kind, None) if kind else None
        widget_id = getattr(sub, "id", "") if sub is not None else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
            self.widgets[widget_id.split("-", 2)[2]] = widget_id

    async def close_quietly(self) -> None:
        """Close, ignoring a socket that is already broken (the error was counted before)."""
        try:
            await self.close()
        except Exception:  # noqa: BLE001 - closing a broken socket
            pass

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


ISOLATION_PAGE = "layer_arithmetic"
ISOLATION_KEY = "arith_h"  # the input height: the output heading shows H_out = H - 2 (3x3, no padding)


def isolation_value(index: int) -> int:
    """The distinct input height session ``index`` sets."""
    return 40 + index


async def check_isolation(session: Session, index: int, timeout: float, stats: SessionStats) -> None:
    """Set this session's own input height and check that its reply shows its own output
    height (another session's value would show another number)."""
    if ISOLATION_KEY not in session.widgets:
        await session.rerun(ISOLATION_PAGE, timeout)
    value = isolation_value(index)
    run = await session.rerun(ISOLATION_PAGE, timeout, {ISOLATION_KEY: value})
    own = f"{value - 2}"
    headings = [t for t in run.texts if "×" in t or "x" in t]
    stats.isolation_checks += 1
    if not any(own in t.replace("\u2009", "") for t in headings):
        stats.errors.append(f"isolation: session {index} set H={value} but saw {headings[:2]}")


async def run_session(
    index: int, ws_url: str, pages: list[str], think: float, deadline: float,
    timeout: float, stats: SessionStats, isolation: bool = False, deep_link: bool = False,
) -> None:
    """Open a session, load the default page, then rerun ``pages`` round robin until deadline
    (with ``isolation``, every rerun of the arithmetic page sets and checks this session's value;
    with ``deep_link``, the first visit opens a page's URL instead of "/"). Every session
    reruns at least one page, however short the duration."""
    rng = random.Random(index)
    session = Session(ws_url, stats)
    try:
        await session.connect()
        first_page = pages[index % len(pages)] if deep_link else ""
        first = await session.rerun(first_page, timeout)  # a first visit: a page's URL or "/"
        if not first.finished or first.exceptions:
            stats.errors.append(f"first visit: {first.exceptions or 'not finished'}")
        if isolation:
            await check_isolation(session, index, timeout, stats)
        step = index + (1 if deep_link else 0)
        while step == index + (1 if deep_link else 0) or time.monotonic() < deadline:
            page = pages[step % len(pages)]
            step += 1
            start = time.perf_counter()
            run = await session.rerun(page, timeout)
            stats.latencies.append(time.perf_counter() - start)
            if not run.finished or run.exceptions:
                stats.errors.append(f"{page}: {run.exceptions or 'script failed'}")
            if isolation and page == ISOLATION_PAGE:
                await check_isolation(session, index, timeout, stats)
            for url in run.media[:4] if isolation else []:  # media live in one replica only
                status, _ = await asyncio.to_thread(session.http_get, url)
                stats.isolation_checks += 1
                if status != 200:
                    stats.errors.append(f"media {url} answered {status} (not sticky?)")
            if think > 0:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except TimeoutError:
        stats.errors.append("no reply within timeout")
    except Exception as exc:  # a lost connection is a measured error, not a crash
        stats.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await session.close_quietly()


async def run_trainer(
    ws_url: str, deadline: float, timeout: float, stats: SessionStats, widgets: dict[str, object],
) -> None:
    """A student who starts a training run and watches it: clicks Start on the Training lab
    (with ``widgets`` set, e.g. ``{"train_epochs": [10]}``), then reruns the live fragment
    whenever the server asks (``auto_rerun``), as the browser does; starts again when a run ends."""
    session = Session(ws_url, stats)
    try:
        await session.connect()
        await session.rerun("", timeout)
        await session.rerun("training_lab", timeout)  # learn the widget ids
        await session.rerun("training_lab", timeout, {k: v for k, v in widgets.items() if k in session.widgets})
        while time.monotonic() < deadline:
            run = await session.rerun("training_lab", timeout, {"train_start": True})
            stats.trainings_started += 1
            if run.exceptions:
                stats.errors.append(f"training start: {run.exceptions}")
            while session.auto_reruns and time.monotonic() < deadline:
                fragment, interval = next(iter(session.auto_reruns.items()))
                await asyncio.sleep(interval)
                run = await session.rerun("training_lab", timeout, fragment_id=fragment)
                stats.largest_update = max(stats.largest_update, run.largest_message)
                if run.exceptions:
                    stats.errors.append(f"training: {run.exceptions}")
            await asyncio.sleep(0.5)
    except TimeoutError:
        stats.errors.append("training: no reply within timeout")
    except Exception as exc:  # noqa: BLE001 - measured, not a crash
        stats.errors.append(f"training: {type(exc).__name__}: {exc}")
    finally:
        await session.close_quietly()


def run_async(coro: Any) -> Any:
    """``asyncio.run(coro)``, in a thread of its own when this thread already runs an event
    loop (e.g. inside a test session that also drives Playwright's synchronous API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


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
    trainers = [SessionStats() for _ in range(args.train)]
    widgets = {"train_epochs": [args.train_epochs], "train_size": args.train_size}
    stop, peak = asyncio.Event(), [0.0]
    sampler = asyncio.create_task(sample_memory(args.server_pids, stop, peak))
    started = time.perf_counter()
    await asyncio.gather(
        *(run_trainer(ws_url, deadline, args.timeout, t, widgets) for t in trainers),
        *(run_session(i, ws_url, args.pages, args.think, deadline, args.timeout, s, args.isolation,
                      args.deep_link) for i, s in enumerate(stats)),
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await sampler
    result = summarise(stats, elapsed, peak[0], args)
    if trainers:
        result["training"] = {
            "sessions": len(trainers), "runs_started": sum(t.trainings_started for t in trainers),
            "largest_update_kb": round(max(t.largest_update for t in trainers) / 1024, 1),
            "kb_received": round(sum(t.bytes_received for t in trainers) / 1024),
            "errors": sum(len(t.errors) for t in trainers),
            "error_samples": [e for t in trainers for e in t.errors][:3],
        }
    return result


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
        "sessions_with_replies": sum(1 for s in stats if s.latencies),
        "isolation_checks": sum(s.isolation_checks for s in stats),
        "error_samples": [e for s in stats for e in s.errors][:5],
        "server_peak_mb": round(peak_mb),
    }


def spawn_server(
    port: int, root: Path = ROOT, extra: list[str] | None = None, env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start the app of checkout ``root`` on ``port`` (with extra ``streamlit run`` options)
    and wait until /_stcore/health answers."""
    env = dict(os.environ, PYTHONPATH=str(root), **(env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", *(extra or [])],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="with --spawn: the checkout to serve (e.g. an older version to compare)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="with --spawn: an extra `streamlit run` option, e.g. --server-arg=--runner.postScriptGC=true")
    parser.add_argument("--isolation", action="store_true",
                        help="each session sets its own input height and checks its replies show it")
    parser.add_argument("--cold", action="store_true",
                        help="with --spawn: no warm-up visit (measure a fresh server's first visits)")
    parser.add_argument("--deep-link", action="store_true",
                        help="each session's first visit opens a page's URL (as a class following a link)")
    parser.add_argument("--train", type=int, default=0,
                        help="extra sessions that each start a training run and watch its live curves")
    parser.add_argument("--train-epochs", type=int, default=10)
    parser.add_argument("--train-size", default="medium", choices=["small", "medium", "large"])
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
    if not 0 <= args.train <= 50 or not 1 <= args.train_epochs <= 50:
        parser.error("train 0-50 sessions, train-epochs 1-50")
    args.pages = [p.strip() for p in args.pages.split(",")]
    args.server_pids = [int(p) for p in args.server_pids.split(",")] if args.server_pids else None
    return args


async def warm_up(url: str, pages: list[str], timeout: float) -> None:
    """One session visits every page once: a server in the middle of a lesson, not a fresh one."""
    parsed = urlparse(url)
    session = Session(f"ws://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream", SessionStats())
    await session.connect()
    for page in ["", *pages]:
        await session.rerun(page, timeout)
    await session.close()


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    proc = None
    if args.spawn:
        port = free_port()
        proc = spawn_server(port, args.root.resolve(), args.server_arg)
        args.url, args.server_pids = f"http://127.0.0.1:{port}", [proc.pid]
    try:
        if args.spawn and not args.cold:
            run_async(warm_up(args.url, args.pages, args.timeout))
        result = run_async(run_load(args))
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
        if "training" in result:
            print("training:", json.dumps(result["training"]))
    return result


if __name__ == "__main__":
    main()

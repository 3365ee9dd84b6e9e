"""The load client (bench/load.py) against a real server of this checkout, over the same
websocket protocol a browser uses.

1. A class opening the app together: 20 sessions hit a FRESH server at once, each with a
   page's URL as first visit; no page run may fail (pandas' partial-import race).
2. A smoke run: a few sessions for a few seconds, every rerun answered, no errors, and
   each session sees its own input value (no answers mixed between sessions).
3. A training run whose tab is closed stops within seconds: the server goes idle.
Timings are not asserted here; they are measured in bench/ (bench/RESULTS-load.md).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402

SERVER: dict[str, int] = {}


@pytest.fixture(scope="module")
def fresh_server() -> Iterator[str]:
    port = load.free_port()
    proc = load.spawn_server(port)
    SERVER["pid"] = proc.pid
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_twenty_first_visits_at_once_to_a_fresh_server(fresh_server: str) -> None:
    result = load.main(["--url", fresh_server, "--sessions", "20", "--duration", "0.1",
                        "--deep-link", "--timeout", "240", "--json"])
    assert result["errors"] == 0, result["error_samples"]
    assert result["sessions_with_replies"] == 20
    assert result["reruns"] >= 20  # each session: its first page, then one more


def test_smoke_sessions_get_all_their_own_replies(fresh_server: str) -> None:
    result = load.main(["--url", fresh_server, "--sessions", "4", "--duration", "4",
                        "--isolation", "--timeout", "120", "--json"])
    assert result["errors"] == 0, result["error_samples"]
    assert result["sessions_with_replies"] == 4
    assert result["isolation_checks"] >= 4  # every session checked its own value at least once


def _cpu_rate(pid: int, seconds: float) -> float:
    """Cores used by process ``pid`` over the next ``seconds`` (from /proc)."""
    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    c0, t0 = cpu(), time.monotonic()
    time.sleep(seconds)
    return (cpu() - c0) / (time.monotonic() - t0)


def test_a_training_run_stops_when_its_tab_is_closed(fresh_server: str) -> None:
    ws = fresh_server.replace("http://", "ws://") + "/_stcore/stream"

    async def start_then_close() -> load.PageRun:
        session = load.Session(ws, load.SessionStats())
        await session.connect()
        await session.rerun("", 120)
        await session.rerun("training_lab", 120)
        await session.rerun("training_lab", 120, {"train_epochs": [50], "train_size": "medium"})
        started = await session.rerun("training_lab", 120, {"train_start": True})
        await asyncio.sleep(4)  # training (the live fragment would rerun; the tab is "away")
        await session.close()  # the tab is closed
        return started

    started = load.run_async(start_then_close())
    assert not started.exceptions
    busy = _cpu_rate(SERVER["pid"], 1.5)  # still training: the session's grace period
    time.sleep(8)  # 5 s grace + 1 s reaper + the current iteration
    idle = _cpu_rate(SERVER["pid"], 2.0)
    # thresholds allow for a machine shared with other jobs (the run may get a fraction of a core)
    assert busy > 0.08, busy  # it was training
    assert idle < min(0.05, busy / 3), (busy, idle)  # and stopped

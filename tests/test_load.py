"""The load client (bench/load.py) against a real server of this checkout, over the same
websocket protocol a browser uses.

1. A class opening the app together: 20 sessions hit a FRESH server at once, each with a
   page's URL as first visit; no page run may fail (pandas' partial-import race).
2. A smoke run: a few sessions for a few seconds, every rerun answered, no errors, and
   each session sees its own input value (no answers mixed between sessions).
Timings are not asserted here; they are measured in bench/ (bench/RESULTS-load.md).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402


@pytest.fixture(scope="module")
def fresh_server() -> Iterator[str]:
    port = load.free_port()
    proc = load.spawn_server(port)
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

"""Real-browser fixtures: one Streamlit server for the session and headless Chromium.

Browser tests are skipped, with the reason, when Chromium or Playwright is missing:
install them with `apt-get install -y chromium` and `pip install playwright`
(never `playwright install`: it downloads a browser build). `.ci/run` installs both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CONVVIZ_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_tools() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not found: run `apt-get install -y chromium` to run browser tests")
    pytest.importorskip("playwright", reason="pip install playwright to run browser tests")


@contextlib.contextmanager
def serve_app() -> Iterator[str]:
    """A fresh `streamlit run app.py` on a free loopback port (its URL); stopped at the end."""
    port = _free_port()
    log = open(ROOT / ".pytest_cache" / f"streamlit-{port}.log", "w") if (ROOT / ".pytest_cache").exists() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Streamlit server did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """One server for the session's browser tests."""
    _check_tools()
    with serve_app() as url:
        yield url


@pytest.fixture()
def fresh_app_url() -> Iterator[str]:
    """A server of its own that no browser has visited yet."""
    _check_tools()
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser(app_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    """A fresh browser page (1280x900) that accepts downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_for_app(page: object) -> None:
    """Wait until Streamlit has finished running the script of the current page."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=30_000,
    )


FINITE_ANIMATIONS_DONE = ("() => document.getAnimations().every(a => a.playState !== 'running'"
                          " || a.effect.getComputedTiming().endTime === Infinity)")


def wait_for_animations(page: object) -> None:
    """Wait until no finite animation runs, e.g. an expander opening. A click on a pill inside
    an expander that was still opening was lost in 8 of 22 tries under load (no message reached
    the server); after this wait none of 16 was."""
    page.wait_for_function(FINITE_ANIMATIONS_DONE, timeout=10_000)

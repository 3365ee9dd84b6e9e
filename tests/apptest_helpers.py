"""Opening one page of the app in AppTest (shared by the page tests): the app is run through
app.py's navigation, as a browser would, then switched to the page."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_page(page: str, lang: str | None = None) -> AppTest:
    """An AppTest of app.py switched to ``page`` (e.g. ``"pages/architecture.py"``), in
    ``lang`` when given; fails when the page raises."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang is not None:
        app.session_state["lang"] = lang
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def finish_training(app: AppTest, timeout: float = 90) -> object:
    """Wait until the Training lab's run (``session_state["train_run"]``) is over, then rerun
    the page; fails when it does not finish in ``timeout`` s or the page raises."""
    run = app.session_state["train_run"]
    deadline = time.monotonic() + timeout
    while run.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not run.running, "training did not finish"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return run

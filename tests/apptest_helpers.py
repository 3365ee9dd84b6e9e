"""Opening one page of the app in AppTest (shared by the page tests): the app is run through
app.py's navigation, as a browser would, then switched to the page. Also the page's plotly
charts as JSON, and their arrays."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
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


def figures(at: AppTest) -> list[dict]:
    """Every plotly chart of an AppTest run, as its JSON spec (dict), in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def plotly_array(value: object) -> np.ndarray:
    """An array of a figure's JSON: a plain list, or plotly's base64 typed array
    ``{"dtype", "bdata"[, "shape"]}`` (reshaped when it gives a shape such as "28, 28")."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(v) for v in str(shape).split(",")]) if shape else flat
    return np.asarray(value)

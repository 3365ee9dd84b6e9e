"""Issue 12, the fuzz that found the bugs, kept: seeded random widget values (edges of every
range, random options, hostile texts) on every page; no run may end in an exception.

Each page gets ``STEPS`` random changes from a fixed seed, so a failure is reproducible: the
assertion message lists the changes that led to it. A few hundred AppTest runs in all."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pages.ui.registry import PAGES  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402

STEPS = int(os.environ.get("CONVVIZ_FUZZ_STEPS", "24"))  # per page: 9 pages x 24 = 216 runs
HOSTILE_TEXTS = [
    "", " ", ";", ";;;", ",,,", "1/0", "nan", "-inf", "1e999", "9" * 5_000, "[" * 3_000, "{" * 3_000,
    '{"a": ' * 500, "x" * 30_000, "1 " * 20_000, "\x00", "../../etc/passwd", "/proc/self", "~",
    '{"out_channels": 1000000000000000000, "kernel_size": 5}', '{"output_size": 10000000}',
    '{"stride": 10000000}', "1, 2, 4", "0.5 0.5\n0.5 0.5", "[[1, 2], [3, 4]]",
]
KINDS = ("number_input", "slider", "select_slider", "selectbox", "radio", "checkbox", "toggle",
         "text_input", "text_area", "button", "segmented_control", "pills", "multiselect")


def _raw_options(at: AppTest, widget: Any) -> list[Any]:
    """The values behind a choice widget's labels (its deserializer maps label -> value)."""
    state = at.session_state._state._state
    meta = state._new_widget_state.widget_metadata.get(widget.id)
    values = []
    for label in widget.options:
        try:
            values.append(meta.deserializer(label) if meta else label)
        except Exception:  # noqa: BLE001 - a widget whose serde takes indices
            values.append(label)
    return values


def _number(rng: random.Random, low: Any, high: Any, current: Any) -> Any:
    low = current if low is None else low
    high = current if high is None else high
    options = [low, high, current]
    if isinstance(low, int) and isinstance(high, int):
        options.append(rng.randint(low, high))
    elif low is not None and high is not None:
        options.append(rng.uniform(float(low), float(high)))
    return rng.choice(options)


def _change(at: AppTest, rng: random.Random) -> str | None:
    """Apply one random change; its description, or None when there was nothing to change."""
    widgets = [(kind, w) for kind in KINDS for w in getattr(at, kind, [])
               if not getattr(w, "disabled", False) and w.key != "lang"]  # the language stays (see below)
    if not widgets:
        return None
    kind, w = rng.choice(widgets)
    name = w.key or w.label
    if kind in ("number_input",):
        value = _number(rng, w.min, w.max, w.value)
        w.set_value(value)
    elif kind == "slider":
        lo, hi = w.min, w.max
        value = w.value
        if isinstance(value, tuple):
            a, b = sorted((_number(rng, lo, hi, value[0]), _number(rng, lo, hi, value[1])))
            value = (a, b)
        else:
            value = _number(rng, lo, hi, value)
        w.set_value(value)
    elif kind in ("text_input", "text_area"):
        value = rng.choice(HOSTILE_TEXTS)
        w.set_value(value)  # set_value, not input: longer than max_chars, as a hostile client can send
    elif kind in ("checkbox", "toggle"):
        value = not w.value
        w.set_value(value)
    elif kind == "button":
        value = "click"
        w.click()
    elif kind == "multiselect":
        options = _raw_options(at, w)
        value = rng.sample(options, rng.randint(0, len(options)))
        w.set_value(value)
    else:  # selectbox, radio, select_slider, segmented_control, pills
        options = _raw_options(at, w)
        if not options:
            return None
        value = rng.choice(options)
        w.set_value(value)
    return f"{kind} {name!r} = {str(value)[:40]!r}"


@pytest.mark.parametrize("page", [file for file, *_ in PAGES])
def test_random_widget_values_never_raise(page: str) -> None:
    rng = random.Random(f"issue-12:{page}")
    # English: AppTest re-labels a choice by calling its format_func outside the run, where a
    # lambda that translates lazily falls back to English (only AppTest does that: a browser
    # sends the index); Spanish messages are checked by the pages' own tests
    at = open_page(page, "en")
    history: list[str] = []
    for _ in range(STEPS):
        try:
            change = _change(at, rng)
        except Exception as exc:  # noqa: BLE001 - AppTest itself refused the value (not the page)
            history.append(f"(AppTest refused: {type(exc).__name__})")
            continue
        if change is None:
            break
        history.append(change)
        at.run()
        assert not at.exception, (page, history, [e.value[:300] for e in at.exception])

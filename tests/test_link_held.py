"""A link's values hold until a run of its page completes.

Streamlit sends a value put into ``st.session_state`` to its widget only in the messages of
the run that put it there; a run cut short (a rerun the browser asks for while it runs, a page
switch) loses its unsent messages. The browser then still shows, and on its next rerun sends
back, the value it had before: without pages.ui.url_state's hold, the link's stride 2 became
the default 1 again. Here the cut run is a page script that stops before app.py's ``finish``,
and the browser's report is the widget value AppTest sends.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LINK = {"lang": "en", "h": "7", "w": "7", "sh": "2", "sw": "2", "cout": "10"}


def _page() -> None:
    """The Layer-arithmetic page's link machinery around one of its boxes."""
    import streamlit as st

    from pages.ui import url_state

    page = "pages/layer_arithmetic.py"
    url_state.begin(page)
    st.session_state.setdefault("arith_sh", 1)
    st.number_input("stride", 1, 64, step=1, key="arith_sh")
    if st.session_state.pop("_cut", False):
        st.stop()  # the run ends before it completes (as when a rerun interrupts it)
    url_state.finish(page)


def _stride(at: AppTest) -> int:
    return at.number_input(key="arith_sh").value


def test_a_link_survives_a_cut_first_run() -> None:
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert _stride(at) == 1  # the page at its defaults, shown in the browser
    at.query_params.update(LINK)
    at.session_state["_cut"] = True
    at.run()  # the link is applied, but this run's messages never reach the browser
    assert at.session_state["arith_sh"] == 2
    at.number_input(key="arith_sh").set_value(1).run()  # the browser reports what it still shows
    assert not at.exception
    assert _stride(at) == 2
    assert at.number_input(key="arith_sh").proto.set_value  # the box is told to show it
    assert at.query_params["sh"] == "2"


def test_after_a_complete_run_the_user_decides() -> None:
    at = AppTest.from_function(_page, default_timeout=30).run()
    at.query_params.update(LINK)
    at.run()
    assert _stride(at) == 2
    at.number_input(key="arith_sh").set_value(5).run()  # the user's own change is kept
    assert _stride(at) == 5
    at.number_input(key="arith_sh").set_value(3).run()
    assert _stride(at) == 3


def test_a_page_that_stops_does_not_hold_the_link_forever() -> None:
    at = AppTest.from_function(_page, default_timeout=30).run()
    at.query_params.update(LINK)
    at.session_state["_cut"] = True
    at.run()
    for value in (4, 5, 6):  # every run stops early, yet the user's change wins soon
        at.session_state["_cut"] = True
        at.number_input(key="arith_sh").set_value(value).run()
    assert _stride(at) == 6

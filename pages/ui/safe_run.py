"""The app's last line of defence: a page that fails in a way nobody foresaw shows a short
message in the user's language and a button to start the page again, never a traceback or a
server path (``client.showErrorDetails = "none"`` in .streamlit/config.toml hides them too,
for errors outside the pages). The error itself goes to the server's log.

Set ``CONVVIZ_RAISE_ERRORS=1`` (the tests do) to let errors through to Streamlit instead.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st

from pages.ui import LANG_KEY, run_by_app, tr

RAISE_ENV = "CONVVIZ_RAISE_ERRORS"
RESET_KEY = "_convviz_reset_page"
LOG = logging.getLogger("convviz.pages")


def _reset() -> None:
    """Forget every setting except the language, so the page starts from its defaults."""
    for key in list(st.session_state.keys()):
        if key != LANG_KEY:
            del st.session_state[key]


class PageEnd(Exception):  # noqa: N818 - not an error: the page chose to end
    """Raised by :func:`end_page`; :func:`run_page` takes it as the page's normal end."""


def end_page() -> None:
    """End the page script here (where a page would call ``st.stop()``).

    After ``st.stop()`` Streamlit stays stopped: every later call that sends something raises
    its StopException again, so app.py's ``url_state.finish`` could not write the URL or the
    Copy-link button. This ends the page with an exception of its own, which
    :func:`run_page` catches, and app.py goes on to ``finish``. A page script run alone
    (AppTest) has no app.py after it and stops with ``st.stop()``.
    """
    if run_by_app():
        raise PageEnd
    st.stop()


def run_page(page: Any) -> None:
    """``page.run()`` inside the error boundary. ``st.stop``, ``st.rerun`` and page switches
    are not errors (Streamlit raises them as BaseException) and pass through."""
    try:
        page.run()
    except PageEnd:
        return
    except Exception:  # noqa: BLE001 - the boundary: anything a page did not foresee
        if os.environ.get(RAISE_ENV):
            raise
        LOG.exception("page %s failed", getattr(page, "url_path", "?"))
        st.error(tr("common.crash"))
        st.button(tr("common.crash_reset"), key=RESET_KEY, on_click=_reset, type="primary")

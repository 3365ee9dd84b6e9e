"""app.py's menu and favicon, built once instead of on every rerun.

``st.Page`` resolves its script's path on disk when it is made, and ``st.set_page_config``
given a file path opens, hashes and registers the image: together about a tenth of a Home
rerun's server time (py-spy, bench/profile_rerun.py). The favicon is read once per process;
the pages are made once per session and language and kept in the session, because
``st.navigation`` marks the page it returns as callable (a flag ``Page.run`` clears), so a
Page object must not be shared by two sessions running at once.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from pages.ui import lang, tr
from pages.ui.registry import HOME_ALIAS, HOME_FILE, HOME_INTERNAL_PATH, HOME_SECTION, PAGES

ROOT = Path(__file__).resolve().parents[2]
_SESSION_KEY = "_convviz_menu"


@cache
def favicon_url() -> str:
    """assets/favicon.png as a ``data:`` URL, which set_page_config passes on untouched (and a
    local file: an external icon font made the browser fetch it from the internet)."""
    return "data:image/png;base64," + base64.b64encode((ROOT / "assets" / "favicon.png").read_bytes()).decode()


def _home_alias() -> None:
    """/home (a natural URL to type or bookmark) opens the home page at "/"."""
    st.switch_page(menu()[1][HOME_FILE])


def _build(language: str) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    sections: dict[str, list[Any]] = {}
    by_file: dict[str, Any] = {}
    for file, title_key, icon, section_key in PAGES:  # tests/test_pages_registry.py: every file exists
        home = file == HOME_FILE
        by_file[file] = st.Page(
            str(ROOT / file), title=tr(title_key), icon=icon, default=home,
            # the default page is served at "/"; its own path name must differ from the
            # hidden "/home" alias (Streamlit needs unique path names)
            url_path=HOME_INTERNAL_PATH if home else None,
        )
        sections.setdefault(tr(section_key), []).append(by_file[file])
    sections.setdefault(tr(HOME_SECTION), []).append(
        st.Page(_home_alias, title=tr("common.home"), url_path=HOME_ALIAS, visibility="hidden")
    )
    return sections, by_file


def menu() -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """(sections for ``st.navigation``, page file -> its ``st.Page``) in this run's language,
    made on the session's first run in that language and kept in its session state."""
    language = lang()
    kept = st.session_state.setdefault(_SESSION_KEY, {})
    if language not in kept:
        kept[language] = _build(language)
    return kept[language]

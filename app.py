"""ConvViz: the Streamlit entry point (`streamlit run app.py`).

Lists every page explicitly with st.navigation and puts the language switch in the
sidebar. Each page is a thin script in pages/ that reads widgets, calls the engine in
convviz/ and renders the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # so `import convviz` and `import pages.ui` work from any cwd
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from pages.ui import (  # noqa: E402
    language_switch,
    mark_navigation,
    remember_pages,
    settle_language,
    tr,
    url_state,
)
from pages.ui.projector import compact_page  # noqa: E402
from pages.ui.registry import HOME_ALIAS, HOME_FILE, HOME_INTERNAL_PATH, HOME_SECTION, PAGES  # noqa: E402
from pages.ui.safe_run import run_page  # noqa: E402

# a local icon: ":material/...:" made the browser fetch it from an external font service
st.set_page_config(page_title="ConvViz", page_icon=str(ROOT / "assets" / "favicon.png"), layout="wide")
compact_page()  # less padding: a projector's 720 rows hold the Layer-arithmetic animation

goto = mark_navigation()
url_state.start_language()  # ?lang=es|en, else the browser's language (first visit)
language_switch()
settle_language()  # from here on, lang() needs no session-state look-up
sections: dict[str, list] = {}
by_file = {}
for file, title_key, icon, section_key in PAGES:  # tests/test_pages_registry.py: every file exists
    home = file == HOME_FILE
    by_file[file] = st.Page(
        str(ROOT / file), title=tr(title_key), icon=icon, default=home,
        # the default page is served at "/"; its own path name must differ from the
        # hidden "/home" alias below (Streamlit needs unique path names)
        url_path=HOME_INTERNAL_PATH if home else None,
    )
    sections.setdefault(tr(section_key), []).append(by_file[file])


def _home_alias() -> None:
    """/home (a natural URL to type or bookmark) opens the home page at "/"."""
    st.switch_page(by_file[HOME_FILE])


sections.setdefault(tr(HOME_SECTION), []).append(
    st.Page(_home_alias, title=tr("common.home"), url_path=HOME_ALIAS, visibility="hidden")
)
current = st.navigation(sections)
remember_pages(by_file)
if goto in by_file:  # a deep link Streamlit first ran outside the navigation (pages.ui.start_page)
    st.switch_page(by_file[goto], query_params=st.query_params.to_dict() or None)  # the link's settings too
page_file = next((f for f, p in by_file.items() if p.url_path == current.url_path), None)
run_page(current)  # an unforeseen error: a translated message and a reset button, no traceback
url_state.finish(page_file)  # the URL and the Copy-link button, with what the page ended with

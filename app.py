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
    url_state,
)
from pages.ui.navigation import favicon_url, menu  # noqa: E402
from pages.ui.projector import compact_page  # noqa: E402
from pages.ui.safe_run import run_page  # noqa: E402

st.set_page_config(page_title="ConvViz", page_icon=favicon_url(), layout="wide")
compact_page()  # less padding: a projector's 720 rows hold the Layer-arithmetic animation

goto = mark_navigation()
url_state.start_language()  # ?lang=es|en, else the browser's language (first visit)
language_switch()
settle_language()  # from here on, lang() needs no session-state look-up
sections, by_file = menu()  # made once per session and language (pages/ui/navigation.py)
current = st.navigation(sections)
remember_pages(by_file)
if goto in by_file:  # a deep link Streamlit first ran outside the navigation (pages.ui.start_page)
    st.switch_page(by_file[goto], query_params=st.query_params.to_dict() or None)  # the link's settings too
page_file = next((f for f, p in by_file.items() if p.url_path == current.url_path), None)
run_page(current)  # an unforeseen error: a translated message and a reset button, no traceback
url_state.finish(page_file)  # the URL and the Copy-link button, with what the page ended with

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

from pages.registry import PAGES  # noqa: E402
from pages.ui import language_switch, mark_navigation, tr  # noqa: E402

st.set_page_config(page_title="ConvViz", page_icon=":material/grid_on:", layout="wide")

goto = mark_navigation()
language_switch()
sections: dict[str, list] = {}
by_file = {}
for file, title_key, icon, section_key in PAGES:
    if (ROOT / file).exists():
        by_file[file] = st.Page(
            str(ROOT / file), title=tr(title_key), icon=icon, default=file.endswith("home.py")
        )
        sections.setdefault(tr(section_key), []).append(by_file[file])
current = st.navigation(sections)
if goto in by_file:  # a deep link that Streamlit first ran outside the navigation
    st.switch_page(by_file[goto])
current.run()

"""Home: the lecture's table of contents. Each entry opens the page that shows it, already set
to the lecture's example (pages/ui/lecture.py), so a class can follow the lecture by clicking."""

from __future__ import annotations

import streamlit as st

from pages.ui import lang, page_link, start_page, tr, url_state
from pages.ui.lecture import toc_links
from pages.ui.registry import PAGES

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

st.title(tr("home.title"))
st.write(tr("home.intro"))
st.info(tr("home.toc_help"), icon=":material/school:")

LANG = lang()
SERVED = {file for file, *_ in PAGES}
PAGE_TITLES = {file: title_key for file, title_key, *_ in PAGES}
sections = toc_links(LANG)
half = (len(sections) + 1) // 2  # the first half of the lecture on the left, the rest on the right
columns = st.columns(2)
for n, (section, entries) in enumerate(sections):
    with columns[0 if n < half else 1].container(border=True):
        st.markdown(f"**{n + 1}. {tr('home.sec_' + section)}**")
        for key, page, query in entries:
            if page in SERVED:
                page_link(page, tr("home.toc_" + key), query_params=dict(query), help=tr(PAGE_TITLES[page]))

with st.expander(tr("home.pages")):
    st.markdown("\n\n".join(f"**{tr(key + '.page_title')}**: {tr('home.about_' + key)}"
                             for key in ("arith", "concepts", "arch", "rf", "filters", "digit", "train")))
st.caption(tr("home.footer"))

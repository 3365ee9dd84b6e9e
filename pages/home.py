"""Home: what ConvViz is and what each page teaches."""

from __future__ import annotations

import streamlit as st

from pages.ui import start_page, tr

start_page(__file__)

st.title(tr("home.title"))
st.write(tr("home.intro"))
for key in ("arith", "concepts", "arch", "rf", "filters", "digit", "train"):
    st.markdown(f"**{tr(key + '.page_title')}**: {tr('home.about_' + key)}")
st.caption(tr("home.footer"))

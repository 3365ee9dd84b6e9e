"""Home: what ConvViz is and what each page teaches."""

from __future__ import annotations

import streamlit as st

from pages.ui import tr, url_state

url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

st.title(tr("home.title"))
st.write(tr("home.intro"))
for key in ("arith", "concepts", "arch", "rf", "filters", "digit", "train"):
    st.markdown(f"**{tr(key + '.page_title')}**: {tr('home.about_' + key)}")
st.caption(tr("home.footer"))

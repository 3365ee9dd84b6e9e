"""Page-side helpers of the Concepts page: cached figures, number boxes, and numbers written
for st.latex and for vectors in the user's language."""

from __future__ import annotations

import numpy as np
import streamlit as st

from convviz import concepts as C
from convviz.figures import concepts as FC
from pages.ui import lang, tr
from pages.ui.charts import frozen


@st.cache_resource(show_spinner=False, max_entries=64)
def figure(name: str, *args: object, **kwargs: object):  # noqa: ANN201 - a plotly figure
    """The figure builder ``FC.<name>`` with ``args``, cached as the object itself (plotly builders
    take ~50-150 ms, and unpickling a figure re-validates it, which is as slow)."""
    return getattr(FC, name)(*args, **kwargs)


def chart(fig, key: str) -> None:  # noqa: ANN001 - a plotly figure
    st.plotly_chart(frozen(fig), width="stretch", key=key, config={"displayModeBar": False})


TEXT_CHARS = 300
"""Longest list of numbers typed (16 numbers of up to 17 characters fit)."""


def parse_numbers(text: str, minimum: int = 1, maximum: int = 12) -> np.ndarray | None:
    """Comma/space separated numbers; a clear message (and None) when they are not. With ";"
    between the numbers, as the Spanish page writes vectors ([0,5; 1,2]), a comma inside a
    number is its decimal mark (0,5 = 0.5), so copying a vector back reads the same values."""
    if len(text) > TEXT_CHARS:  # checked before splitting (the box itself stops at it too)
        st.error(tr("concepts.bad_count", low=minimum, high=maximum))
        return None
    if ";" in text:
        parts = [p.replace(",", ".") for p in text.replace(";", " ").split() if p]
    else:
        parts = [p for p in text.replace(",", " ").split() if p]
    parts = [p.replace("−", "-") for p in parts]  # the page writes a true minus sign
    try:
        values = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        st.error(tr("concepts.bad_numbers", text=text[:60]))
        return None
    if not minimum <= values.size <= maximum or not np.isfinite(values).all():
        st.error(tr("concepts.bad_count", low=minimum, high=maximum))
        return None
    return values


def vec(values: np.ndarray, spec: str = ".4g") -> str:
    """A vector as the lecture writes it: [0.5, 1.2, −3], in Spanish [0,5; 1,2; −3]."""
    return C.format_vector(values, lang(), spec)


def tex(v: float) -> str:
    """A number for st.latex: 1e-05 becomes 1\\times10^{-5} (KaTeX would read 1e − 05). A Spanish
    decimal comma is written {,} so KaTeX does not space it as punctuation (0{,}5)."""
    text = f"{v:.4g}"
    mantissa, _, exponent = text.partition("e")
    if lang() == "es":
        mantissa = mantissa.replace(".", "{,}")
    if exponent:
        power = rf"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa}\times{power}"
    return mantissa


def plus(v: float) -> str:
    """`+ v` or `- |v|` for a term after another one in st.latex (never `+ -0.5`)."""
    return f"- {tex(-v)}" if v < 0 else f"+ {tex(v)}"

"""Where the animation's numbers come from: the lecture's example, seeded random values,
typed text or a small grid editor (the Layer-arithmetic page's animation panel)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from convviz.animation.values import (
    LECTURE_INPUT,
    lecture_values,
    matrix_text,
    parse_matrix,
    random_values,
)
from convviz.arithmetic.layer_calc import LayerSettings
from convviz.errors import SpecError
from pages.ui import labels, tr

SOURCES = ("lecture", "random", "text", "grid")
Matrix = tuple[tuple[float, ...], ...]


def as_matrix(m: np.ndarray) -> Matrix:
    """A matrix as nested tuples (hashable: a cache key)."""
    return tuple(tuple(float(v) for v in row) for row in np.asarray(m, dtype=float))


def _editor_matrix(label: str, default: np.ndarray, key: str, what: str) -> np.ndarray:
    """A small grid editor (st.data_editor) seeded with ``default``; NaN -> SpecError."""
    import pandas as pd

    frame = pd.DataFrame(default, columns=[str(j) for j in range(default.shape[1])])
    st.caption(label)
    edited = st.data_editor(frame, key=key, hide_index=True, num_rows="fixed", width="content")
    values = np.asarray(edited, dtype=float)
    if values.shape != default.shape or not np.isfinite(values).all():
        raise SpecError.of("anim.grid_incomplete", what=what)
    return values


def _typed(layer: LayerSettings, lx: np.ndarray, lk: np.ndarray, grid: bool) -> tuple[np.ndarray, np.ndarray]:
    """Input and kernel typed as text or in the grid editor (pooling has no kernel to type)."""
    (h, w), (kh, kw) = (layer.h, layer.w), layer.kernel
    in_label, k_label = tr("anim.input_text", h=h, w=w), tr("anim.kernel_text", h=kh, w=kw)
    if grid:
        x = _editor_matrix(in_label, lx, f"anim_grid_in_{h}x{w}", "input")
        k = lk if layer.is_pool else _editor_matrix(k_label, lk, f"anim_grid_k_{kh}x{kw}", "kernel")
        return x, k
    x = parse_matrix(st.text_area(in_label, matrix_text(lx), key=f"anim_text_in_{h}x{w}", height=140), "input")
    k = lk if layer.is_pool else parse_matrix(
        st.text_area(k_label, matrix_text(lk), key=f"anim_text_k_{kh}x{kw}", height=100), "kernel")
    return x, k


def values_widgets(layer: LayerSettings) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of the animation from the chosen source (may raise SpecError)."""
    source = st.segmented_control(tr("anim.values"), SOURCES, key="anim_values",
                                  format_func=labels("anim.values_"), required=True)
    (h, w), (kh, kw) = (layer.h, layer.w), layer.kernel
    lx, lk = lecture_values(h, w, kh, kw)
    if source == "random":
        st.number_input(tr("anim.seed"), min_value=0, max_value=1_000_000, step=1, key="anim_seed")
        return random_values(h, w, kh, kw, int(st.session_state["anim_seed"]), layer.op)
    if source in ("text", "grid"):
        return _typed(layer, lx, lk, source == "grid")
    if (h, w) != (len(LECTURE_INPUT), len(LECTURE_INPUT[0])) or (not layer.is_pool and (kh, kw) != (3, 3)):
        st.caption(tr("anim.lecture_repeated"))
    return lx, lk

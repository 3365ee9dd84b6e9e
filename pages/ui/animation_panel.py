"""The step-by-step animation panel of the Layer-arithmetic page.

``render_animation(layer)`` is called at the bottom of pages/layer_arithmetic.py with the
page's layer (:class:`convviz.arithmetic.layer_calc.LayerSettings`). It reads its own widgets
(numbers, kernel, correlation vs convolution, transposed view, speed, cell picks), asks the
engine (convviz.animation) for the frames, and renders the figure (convviz.figures.animation)
and the GIF (convviz.animation.gif). A gallery button writes its layer into the page's widgets
(pages.ui.layer_widgets.widget_values).
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any

import numpy as np
import streamlit as st

from convviz.animation.frames import Animation, build_animation, check_layer
from convviz.animation.gallery import GALLERY
from convviz.arithmetic.layer_calc import LayerSettings
from convviz.errors import SpecError
from pages.ui import labels, lang, tr
from pages.ui.animation_values import Matrix, as_matrix, values_widgets
from pages.ui.charts import frozen
from pages.ui.layer_widgets import widget_values
from pages.ui.projector import is_phone

SPEEDS = {"slow": 1400, "normal": 700, "fast": 250}
PICKS = ("none", "output", "input")
DEFAULTS = (("anim_values", "lecture"), ("anim_seed", 0), ("anim_flip", False), ("anim_view", "scatter"),
            ("anim_speed", "normal"), ("anim_pick", "none"), ("anim_chart_n", 0))
What = tuple[LayerSettings, bool, str, Matrix, Matrix]
"""One animation: the layer, true convolution or not, the transposed view, input, kernel."""


# The frames and figures are kept per layer in lru_caches shared by every session: ``What`` is a
# tuple, which Python hashes in C, while st.cache_resource's hasher walks every number of the
# input and kernel in Python on each rerun (~9 % of the page's rerun, bench/RESULTS-load.md).
# Two sessions asking for the same new layer at the same instant may both build it.
@lru_cache(maxsize=64)
def _animation(what: What) -> Animation:
    layer, flip, view, x, k = what
    return build_animation(layer, np.array(x), np.array(k), flip=flip, view=view)


@lru_cache(maxsize=64)
def _figure(what: What, language: str, frame_ms: int, start: int, pick_output: tuple[int, int] | None,
            pick_input: tuple[int, int] | None, compact: bool):  # noqa: ANN202 - plotly figure
    from convviz.figures.animation import COMPACT_PX, WIDE_PX, build_animation_figure

    return build_animation_figure(
        _animation(what), language, frame_ms=frame_ms, start=start,
        pick_output=pick_output, pick_input=pick_input,
        width_px=COMPACT_PX if compact else WIDE_PX, stacked=True if compact else None)


@st.cache_data(max_entries=16, show_spinner=False)
def _gif(what: What, language: str, frame_ms: int) -> bytes:
    from convviz.animation.gif import write_gif

    return write_gif(_animation(what), language, frame_ms=frame_ms)




def _on_click(chart_key: str, crop: tuple[int, int], out_shape: tuple[int, int]) -> None:
    """A click on a cell of the figure (plotly point selection): pick that cell.

    The hit markers carry ``customdata = [side, row, col]`` (0 = input side, 1 = out side).
    The chart gets a new key afterwards, so the next click starts a fresh selection.
    """
    state = st.session_state.get(chart_key) or {}
    points = (state.get("selection") or {}).get("points") or []
    data = [p.get("customdata") for p in points if isinstance(p.get("customdata"), list)]
    if not data or len(data[0]) != 3:
        return
    side, r, c = (int(v) for v in data[0])
    if side == 0:
        st.session_state.update(anim_pick="input", anim_pick_ir=r, anim_pick_ic=c)
    else:
        a, b = r - crop[0], c - crop[1]
        if not (0 <= a < out_shape[0] and 0 <= b < out_shape[1]):
            return  # a cropped canvas cell: not part of the output
        st.session_state.update(anim_pick="output", anim_pick_or=a, anim_pick_oc=b)
    st.session_state["anim_chart_n"] = st.session_state.get("anim_chart_n", 0) + 1


def _apply_case() -> None:
    """Gallery pick (a callback, so it runs before the page's widgets are drawn): write the
    case's layer into the page's widgets, then clear the pick, so the pills act as buttons."""
    key = st.session_state.get("anim_gallery")
    if key in GALLERY:
        st.session_state.update(widget_values(GALLERY[key]))
        st.session_state["anim_pick"] = "none"
    st.session_state["anim_gallery"] = None


def _gallery() -> None:
    """conv_arithmetic's cases as one row of pills: one element, not a button per case."""
    with st.expander(tr("anim.gallery"), expanded=False):
        st.pills(tr("anim.gallery_help"), list(GALLERY), key="anim_gallery", on_change=_apply_case,
                 format_func=lambda key: tr(f"anim.case_{key}"))


def _clamp(key: str, top: int) -> None:
    value = st.session_state.get(key, 0)
    if not isinstance(value, int) or value < 0 or value > top:
        st.session_state[key] = max(0, min(int(value) if isinstance(value, int) else 0, top))


def _cell_inputs(keys: tuple[str, str], shape: tuple[int, int]) -> tuple[int, int]:
    """Row and column number inputs for a cell of a grid of ``shape`` (stale picks clamped)."""
    for key, size in zip(keys, shape, strict=True):
        _clamp(key, size - 1)
    c1, c2 = st.columns(2)
    r = c1.number_input(tr("anim.row"), 0, shape[0] - 1, step=1, key=keys[0])
    c = c2.number_input(tr("anim.col"), 0, shape[1] - 1, step=1, key=keys[1])
    return int(r), int(c)


def _picks(anim: Animation) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    mode = st.segmented_control(tr("anim.pick"), PICKS, key="anim_pick", required=True,
                                format_func=labels("anim.pick_"), help=tr("anim.pick_help"))
    if mode == "none":
        return None, None
    if mode == "output":
        a, b = _cell_inputs(("anim_pick_or", "anim_pick_oc"), anim.output.shape)
        return (a + anim.crop[0], b + anim.crop[1]), None
    st.caption(tr("anim.pick_input_help_scatter" if anim.scatter else "anim.pick_input_help"))
    return None, _cell_inputs(("anim_pick_ir", "anim_pick_ic"), anim.kinds.shape)


def _mode(op: str) -> tuple[bool, str]:
    """Correlation or true convolution (conv), scatter or direct view (convt)."""
    if op == "conv":
        st.toggle(tr("anim.flip"), key="anim_flip", help=tr("anim.flip_help"))
        st.caption(tr("anim.flip_on" if st.session_state["anim_flip"] else "anim.flip_off"))
    if op == "convt":
        st.radio(tr("anim.view"), ("scatter", "direct"), key="anim_view", horizontal=True,
                 format_func=labels("anim.view_"))
    return (bool(st.session_state["anim_flip"]) and op == "conv",
            st.session_state["anim_view"] if op == "convt" else "direct")


def _compare_views(what: What, anim: Animation) -> None:
    """Transposed convolution: both views give the same output; the direct view's recipe."""
    layer, flip, view, x, k = what
    try:  # the other view may draw more cells than the cap allows
        other = _animation((layer, flip, "direct" if view == "scatter" else "scatter", x, k))
    except SpecError:
        other = None
    if other is not None:
        same = bool(np.allclose(other.output, anim.output))
        st.info(tr("anim.views_same" if same else "anim.views_differ",
                   h=anim.output.shape[0], w=anim.output.shape[1]))
    if view == "direct":
        st.caption(tr("anim.direct_recipe", zh=layer.stride[0] - 1, zw=layer.stride[1] - 1,
                      ph=anim.rows.pad_shown, pw=anim.cols.pad_shown,
                      oph=layer.output_padding[0], opw=layer.output_padding[1]))


def _show(what: What, anim: Animation, language: str, controls: Any, figure: Any) -> None:
    """Speed, picks, layout (in ``controls``); the figure, every step in words and the GIF
    download (in ``figure``)."""
    with controls:
        st.select_slider(tr("anim.speed"), options=list(SPEEDS), key="anim_speed",
                         format_func=labels("anim.speed_"))
        frame_ms = SPEEDS.get(st.session_state["anim_speed"], 700)
        pick_output, pick_input = _picks(anim)
        start = 0
        if pick_output is not None and not anim.scatter:
            start = anim.step_of_output(*pick_output) or 0
        st.toggle(tr("anim.compact"), key="anim_compact", help=tr("anim.compact_help"))
    fig = _figure(what, language, frame_ms, start, pick_output, pick_input,
                  bool(st.session_state["anim_compact"]))
    chart_key = f"anim_chart_{st.session_state['anim_chart_n']}"
    with figure:
        st.plotly_chart(frozen(fig), theme=None, key=chart_key, config={"displayModeBar": False},
                        on_select=partial(_on_click, chart_key, anim.crop, anim.output.shape),
                        selection_mode="points")
        st.caption(tr("anim.steps_caption", n=anim.n_steps))
        with st.expander(tr("anim.all_steps"), expanded=False):
            st.markdown("\n".join(f"{t + 1}. {anim.step_text(t, language)}" for t in range(anim.n_steps)))
        st.download_button(
            tr("anim.download"), data=lambda: _gif(what, language, frame_ms),
            file_name=f"convviz-{what[0].op}.gif", mime="image/gif", key="anim_download",
            on_click="ignore", icon=":material/download:",
        )


def render_animation(layer: LayerSettings, controls: Any = None, figure: Any = None) -> None:
    """The animation section for one conv, convt, maxpool or avgpool layer: its controls in
    ``controls`` and its figure in ``figure`` (two containers, e.g. the projector layout's
    columns; by default one after the other where the page is)."""
    for key, value in DEFAULTS:
        st.session_state.setdefault(key, value)
    if "anim_compact" not in st.session_state:
        st.session_state["anim_compact"] = is_phone()
    controls = st.container() if controls is None else controls
    figure = st.container() if figure is None else figure
    language = lang()
    with controls:
        st.subheader(tr("anim.page_title"))
        st.caption(tr("anim.intro"))
        _gallery()
    try:
        check_layer(layer)
    except SpecError as exc:
        figure.warning(exc.localized(language))
        return
    try:
        with controls:
            x, k = values_widgets(layer)
    except SpecError as exc:
        figure.error(exc.localized(language))
        return
    with controls:
        flip, view = _mode(layer.op)
    what = (layer, flip, view, as_matrix(x), as_matrix(k))
    try:
        anim = _animation(what)
    except SpecError as exc:
        figure.warning(exc.localized(language))
        return
    if layer.op == "convt":
        with controls:
            _compare_views(what, anim)
    _show(what, anim, language, controls, figure)

"""The step-by-step animation panel of the Layer-arithmetic page.

``render_animation(op, settings)`` is called at the bottom of pages/layer_arithmetic.py with
the page's (validated) settings. It reads its own widgets (numbers, kernel, correlation vs
convolution, transposed view, speed, cell picks), asks the engine (convviz.animation.frames) for the
frames, and renders the figure (convviz.figures.animation) and the GIF (convviz.animation.gif).
The gallery buttons write the page's own widget keys (convviz.animation.frames.apply_gallery_case).
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import streamlit as st

from convviz.animation.frames import (
    GALLERY,
    LECTURE_INPUT,
    Animation,
    AnimConfig,
    apply_gallery_case,
    build_animation,
    check_cap,
    config_from_settings,
    lecture_values,
    matrix_text,
    parse_matrix,
    random_values,
)
from convviz.errors import SpecError
from pages.ui import lang, tr

SOURCES = ("lecture", "random", "text", "grid")
SPEEDS = {"slow": 1400, "normal": 700, "fast": 250}
PICKS = ("none", "output", "input")
Matrix = tuple[tuple[float, ...], ...]


def _as_tuple(m: np.ndarray) -> Matrix:
    return tuple(tuple(float(v) for v in row) for row in np.asarray(m, dtype=float))


@st.cache_resource(max_entries=64, show_spinner=False)
def _animation(cfg: AnimConfig, x: Matrix, k: Matrix) -> Animation:
    return build_animation(cfg, np.array(x), np.array(k))


@st.cache_resource(max_entries=64, show_spinner=False)
def _figure(cfg: AnimConfig, x: Matrix, k: Matrix, language: str, frame_ms: int,
            start: int, pick_output: tuple[int, int] | None,
            pick_input: tuple[int, int] | None, compact: bool):  # noqa: ANN202 - plotly figure
    from convviz.figures.animation import COMPACT_PX, WIDE_PX, build_animation_figure

    return build_animation_figure(
        _animation(cfg, x, k), language, frame_ms=frame_ms, start=start,
        pick_output=pick_output, pick_input=pick_input,
        width_px=COMPACT_PX if compact else WIDE_PX, stacked=True if compact else None)


_MOBILE = re.compile(r"Mobi|Android|iPhone|iPod|Windows Phone", re.IGNORECASE)


def _is_phone() -> bool:
    """A phone's browser, from the User-Agent header (Streamlit does not expose the
    viewport width); the "compact layout" toggle overrides it."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # noqa: BLE001 - no request context (AppTest): assume a desktop
        return False
    return bool(_MOBILE.search(agent))


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


@st.cache_data(max_entries=16, show_spinner=False)
def _gif(cfg: AnimConfig, x: Matrix, k: Matrix, language: str, frame_ms: int) -> bytes:
    from convviz.animation.gif import write_gif

    return write_gif(_animation(cfg, x, k), language, frame_ms=frame_ms)


APP_RERUN_KEY = "_anim_app_rerun"


def _apply_case(key: str) -> None:
    """Gallery click (a callback, so it runs before the page's widgets are drawn)."""
    for name, value in apply_gallery_case(key).items():
        st.session_state[name] = value
    st.session_state["anim_pick"] = "none"
    st.session_state[APP_RERUN_KEY] = True  # the page's settings changed: rerun all of it


def _gallery() -> None:
    with st.expander(tr("anim.gallery"), expanded=False):
        st.caption(tr("anim.gallery_help"))
        row = st.container(horizontal=True)
        for case in GALLERY:
            row.button(tr(f"anim.case_{case.key}"), key=f"anim_case_{case.key}",
                       on_click=_apply_case, args=(case.key,))


def _editor_matrix(label: str, default: np.ndarray, key: str, what: str) -> np.ndarray:
    """A small grid editor (st.data_editor) seeded with ``default``; NaN -> SpecError."""
    import pandas as pd

    frame = pd.DataFrame(default, columns=[str(j) for j in range(default.shape[1])])
    st.caption(label)
    edited = st.data_editor(frame, key=key, hide_index=True, num_rows="fixed",
                            width="content")
    values = np.asarray(edited, dtype=float)
    if values.shape != default.shape or not np.isfinite(values).all():
        raise SpecError.of("anim.grid_incomplete", what=what)
    return values


def _values(op: str, h: int, w: int, kh: int, kw: int) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of the animation from the chosen source (may raise SpecError)."""
    source = st.segmented_control(tr("anim.values"), SOURCES, key="anim_values",
                                  format_func=lambda s: tr(f"anim.values_{s}"), required=True)
    pool = op in ("maxpool", "avgpool")
    lx, lk = lecture_values(h, w, kh, kw)
    if source == "random":
        st.number_input(tr("anim.seed"), min_value=0, max_value=1_000_000, step=1,
                        key="anim_seed")
        return random_values(h, w, kh, kw, int(st.session_state["anim_seed"]), op)
    if source == "text":
        x = parse_matrix(st.text_area(tr("anim.input_text", h=h, w=w), matrix_text(lx),
                                      key=f"anim_text_in_{h}x{w}", height=140), "input")
        k = lk if pool else parse_matrix(
            st.text_area(tr("anim.kernel_text", h=kh, w=kw), matrix_text(lk),
                         key=f"anim_text_k_{kh}x{kw}", height=100), "kernel")
        return x, k
    if source == "grid":
        x = _editor_matrix(tr("anim.input_text", h=h, w=w), lx, f"anim_grid_in_{h}x{w}", "input")
        k = lk if pool else _editor_matrix(tr("anim.kernel_text", h=kh, w=kw), lk,
                                           f"anim_grid_k_{kh}x{kw}", "kernel")
        return x, k
    if (h, w) != (len(LECTURE_INPUT), len(LECTURE_INPUT[0])) or (not pool and (kh, kw) != (3, 3)):
        st.caption(tr("anim.lecture_repeated"))
    return lx, lk


def _clamp(key: str, top: int) -> None:
    value = st.session_state.get(key, 0)
    if not isinstance(value, int) or value < 0 or value > top:
        st.session_state[key] = max(0, min(int(value) if isinstance(value, int) else 0, top))


def _picks(anim: Animation) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    mode = st.segmented_control(tr("anim.pick"), PICKS, key="anim_pick", required=True,
                                format_func=lambda p: tr(f"anim.pick_{p}"),
                                help=tr("anim.pick_help"))
    if mode == "none":
        return None, None
    scatter = anim.canvas is not None
    if mode == "output":
        oh, ow = anim.output.shape
        top, left = anim.crop
        _clamp("anim_pick_or", oh - 1)
        _clamp("anim_pick_oc", ow - 1)
        c1, c2 = st.columns(2)
        a = c1.number_input(tr("anim.row"), 0, oh - 1, step=1, key="anim_pick_or")
        b = c2.number_input(tr("anim.col"), 0, ow - 1, step=1, key="anim_pick_oc")
        return (int(a) + top, int(b) + left), None
    gh, gw = anim.kinds.shape
    _clamp("anim_pick_ir", gh - 1)
    _clamp("anim_pick_ic", gw - 1)
    st.caption(tr("anim.pick_input_help_scatter" if scatter else "anim.pick_input_help"))
    c1, c2 = st.columns(2)
    r = c1.number_input(tr("anim.row"), 0, gh - 1, step=1, key="anim_pick_ir")
    c = c2.number_input(tr("anim.col"), 0, gw - 1, step=1, key="anim_pick_ic")
    return None, (int(r), int(c))


def render_animation(op: str, settings: dict) -> None:
    """The animation section for ``op`` in {conv, convt, maxpool, avgpool}.

    The page calls it as an ``st.fragment``: a widget of the panel reruns only the panel;
    a gallery case, which changes the page's own settings, reruns the whole page."""
    if st.session_state.pop(APP_RERUN_KEY, False) and st.runtime.exists():
        st.rerun()
    for key, value in (("anim_values", "lecture"), ("anim_seed", 0), ("anim_flip", False),
                       ("anim_view", "scatter"), ("anim_speed", "normal"), ("anim_pick", "none"),
                       ("anim_chart_n", 0)):
        st.session_state.setdefault(key, value)
    if "anim_compact" not in st.session_state:
        st.session_state["anim_compact"] = _is_phone()
    st.subheader(tr("anim.page_title"))
    st.caption(tr("anim.intro"))
    language = lang()
    _gallery()
    try:
        view = st.session_state["anim_view"] if op == "convt" else "direct"
        cfg = config_from_settings(op, settings, flip=bool(st.session_state["anim_flip"]),
                                   view=view)
        cfg.out_shape()
        check_cap(cfg)
    except SpecError as exc:
        st.warning(exc.localized(language))
        return

    try:
        x, k = _values(op, cfg.h, cfg.w, cfg.kh, cfg.kw)
    except SpecError as exc:
        st.error(exc.localized(language))
        return
    if op == "conv":
        st.toggle(tr("anim.flip"), key="anim_flip", help=tr("anim.flip_help"))
        st.caption(tr("anim.flip_on" if st.session_state["anim_flip"] else "anim.flip_off"))
        cfg = config_from_settings(op, settings, flip=bool(st.session_state["anim_flip"]))
    if op == "convt":
        st.radio(tr("anim.view"), ("scatter", "direct"), key="anim_view", horizontal=True,
                 format_func=lambda v: tr(f"anim.view_{v}"))
        cfg = config_from_settings(op, settings, view=st.session_state["anim_view"])
    xt, kt = _as_tuple(x), _as_tuple(k)
    try:
        anim = _animation(cfg, xt, kt)
    except SpecError as exc:
        st.warning(exc.localized(language))
        return
    if op == "convt":
        other_view = "direct" if cfg.view == "scatter" else "scatter"
        try:  # the other view may draw more cells than the cap allows
            other = _animation(config_from_settings(op, settings, view=other_view), xt, kt)
        except SpecError:
            other = None
        if other is not None:
            same = bool(np.allclose(other.output, anim.output))
            st.info(tr("anim.views_same" if same else "anim.views_differ",
                       h=anim.output.shape[0], w=anim.output.shape[1]))
        if cfg.view == "direct":
            st.caption(tr("anim.direct_recipe", zh=cfg.sh - 1, zw=cfg.sw - 1,
                          ph=anim.rows.pad_shown, pw=anim.cols.pad_shown,
                          oph=cfg.oph, opw=cfg.opw))
    st.select_slider(tr("anim.speed"), options=list(SPEEDS), key="anim_speed",
                     format_func=lambda s: tr(f"anim.speed_{s}"))
    frame_ms = SPEEDS.get(st.session_state["anim_speed"], 700)
    pick_output, pick_input = _picks(anim)
    start = 0
    if pick_output is not None and anim.canvas is None:
        start = anim.step_of_output(*pick_output) or 0
    st.toggle(tr("anim.compact"), key="anim_compact", help=tr("anim.compact_help"))
    compact = bool(st.session_state["anim_compact"])
    fig = _figure(cfg, xt, kt, language, frame_ms, start, pick_output, pick_input, compact)
    chart_key = f"anim_chart_{st.session_state['anim_chart_n']}"
    st.plotly_chart(fig, theme=None, key=chart_key, config={"displayModeBar": False},
                    on_select=partial(_on_click, chart_key, anim.crop, anim.output.shape),
                    selection_mode="points")
    st.caption(tr("anim.steps_caption", n=anim.n_steps))
    with st.expander(tr("anim.all_steps"), expanded=False):
        st.markdown("\n".join(f"{t + 1}. {anim.step_text(t, language)}"
                               for t in range(anim.n_steps)))
    st.download_button(
        tr("anim.download"), data=lambda: _gif(cfg, xt, kt, language, frame_ms),
        file_name=f"convviz-{op}.gif", mime="image/gif", key="anim_download",
        on_click="ignore", icon=":material/download:",
    )

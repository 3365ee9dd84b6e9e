"""Layer arithmetic: one convolution, transposed convolution or pooling layer, worked out.

Reads the settings, asks the engine for the output shape, parameters, multiplications,
receptive field and warnings, and shows the formula with the user's numbers (the lecture's
form beside PyTorch's) and the animation of the same settings. On a laptop or projector
(pages/ui/projector.py) the title, output shape, key numbers and settings sit in a compact
left column, the formula and the animation at the top of the right one: at 1280x720 all are
seen without scrolling. A phone keeps one stacked column.
"""

from __future__ import annotations

import streamlit as st

from convviz.arithmetic.layer_calc import OP_TYPES, calculate
from convviz.errors import SpecError
from pages.ui import labels, lang, num, start_page, tr, url_state
from pages.ui.animation_panel import render_animation
from pages.ui.layer_widgets import DEFAULTS, layer_from_state
from pages.ui.projector import formulas, is_phone, params_formula, projector_boxes
from pages.ui.safe_run import end_page
from pages.ui.volume_panel import render_volumes

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out
KEEP = "session"  # widget values survive page switches and hidden widgets
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)

PHONE = is_phone()
boxes = projector_boxes(PHONE)
boxes.head.title(tr("arith.page_title"))
with boxes.settings:
    st.caption(tr("arith.intro"))
    op = st.segmented_control(
        tr("arith.operation"), list(OP_TYPES), format_func=labels("arith.op_"), key="arith_op",
        required=True, persist_state=KEEP,
    )


def pair_inputs(label: str, key_h: str, key_w: str, min_value: int, max_value: int) -> None:
    """Two number inputs side by side (height, width); columns stack on a phone."""
    col_h, col_w = st.columns(2)
    col_h.number_input(f"{label} · {tr('arith.height')}", min_value=min_value,
                       max_value=max_value, step=1, key=key_h, persist_state=KEEP)
    col_w.number_input(f"{label} · {tr('arith.width')}", min_value=min_value,
                       max_value=max_value, step=1, key=key_w, persist_state=KEEP)


with boxes.settings.expander(tr("arith.settings"), expanded=True):
    pair_inputs(tr("arith.input_size"), "arith_h", "arith_w", 1, 4096)
    pair_inputs(tr("arith.kernel"), "arith_kh", "arith_kw", 1, 64)
    pair_inputs(tr("arith.stride"), "arith_sh", "arith_sw", 1, 64)
    if op == "conv":
        st.radio(tr("arith.padding_mode"), ["number", "same", "valid"], horizontal=True,
                 format_func=labels("arith.pad_"), key="arith_pad_mode", persist_state=KEEP)
    if op != "conv" or st.session_state["arith_pad_mode"] == "number":
        pair_inputs(tr("arith.padding"), "arith_ph", "arith_pw", 0, 64)
    if op != "avgpool":
        pair_inputs(tr("arith.dilation"), "arith_dh", "arith_dw", 1, 16)
    if op == "convt":
        pair_inputs(tr("arith.output_padding"), "arith_oph", "arith_opw", 0, 64)
    if op in ("conv", "convt"):
        col_in, col_out, col_g = st.columns(3)
        col_in.number_input(tr("arith.in_channels"), 1, 4096, step=1, key="arith_cin", persist_state=KEEP)
        col_out.number_input(tr("arith.out_channels"), 1, 4096, step=1, key="arith_cout", persist_state=KEEP)
        col_g.number_input(tr("arith.groups"), 1, 4096, step=1, key="arith_groups", persist_state=KEEP)
        st.checkbox(tr("arith.bias"), key="arith_bias", persist_state=KEEP)
    else:
        st.number_input(tr("arith.channels"), 1, 4096, step=1, key="arith_cin", persist_state=KEEP)
        st.checkbox(tr("arith.ceil_mode"), key="arith_ceil", help=tr("arith.ceil_help"),
                    persist_state=KEEP)
        if op == "avgpool":
            st.checkbox(tr("arith.count_include_pad"), key="arith_cip", persist_state=KEEP)

settings = layer_from_state(op, st.session_state)


try:
    result = calculate(settings)  # closed forms, ~0.2 ms: less than a cache's hashing of the key
except SpecError as exc:
    boxes.summary.error(f"{tr('common.error_prefix')}: {exc.localized(lang())}")
    boxes.summary.info(tr("arith.keep_settings"))
    end_page()

c_out, h_out, w_out = result.output_shape
with boxes.summary:
    st.subheader(tr("arith.output_title", c=c_out, h=h_out, w=w_out))
    st.metric(tr("arith.params"), num(result.params))
    st.metric(tr("arith.macs"), num(result.macs))
    st.metric(tr("arith.memory"), num(result.output_elements))
with boxes.formulas:
    formulas(settings, result, lang(), PHONE)
with boxes.details:
    for note in result.notes:
        st.warning(note.text(lang()))
    st.caption(tr("arith.params_how", how=f"{result.params_how} = {num(result.params)}"))
    params_formula(settings, lang())  # below the animation: the projector's first screen stays as it was
    st.caption(tr("arith.macs_how", how=f"{result.macs_how} = {num(result.macs)}"))
    if result.receptive_field is not None:
        size, jump, start = result.receptive_field
        n = {name: num(value) for name, value in zip(
            ("sh", "sw", "jh", "jw", "s0", "s1"), (*size, *jump, *start), strict=True)}
        st.markdown(tr("arith.rf", **n))
render_animation(settings, boxes.controls, boxes.figure)
if op == "conv":  # multi-channel convolution as volumes, and its step-by-step animation
    render_volumes(settings, result)

"""Layer arithmetic: one convolution, transposed convolution or pooling layer, worked out.

Reads the settings, builds a one-layer spec, asks the engine for the output shape,
parameters, multiplications, receptive field and warnings, and shows the formula with
the user's numbers. The animation of the same settings follows below.
"""

from __future__ import annotations

import streamlit as st

from convviz.arithmetic.layer_calc import LayerSettings, calculate
from convviz.errors import SpecError
from convviz.i18n import fmt_number, translate
from pages.ui import lang, tr, url_state

url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

KEEP = "session"  # widget values survive page switches and hidden widgets
OPS = ["conv", "convt", "maxpool", "avgpool"]
DEFAULTS: dict[str, object] = {
    "arith_op": "conv", "arith_h": 5, "arith_w": 5, "arith_cin": 1, "arith_cout": 1,  # the lecture example: 5x5, 3x3
    "arith_kh": 3, "arith_kw": 3, "arith_sh": 1, "arith_sw": 1, "arith_pad_mode": "number",
    "arith_ph": 0, "arith_pw": 0, "arith_dh": 1, "arith_dw": 1, "arith_oph": 0, "arith_opw": 0,
    "arith_groups": 1, "arith_bias": True, "arith_ceil": False, "arith_cip": True,
}
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)

LANG = lang()  # bound once per run: format_func may be called outside the run
st.title(tr("arith.page_title"))
st.caption(tr("arith.intro"))

op = st.segmented_control(
    tr("arith.operation"), OPS, format_func=lambda o: translate(f"arith.op_{o}", LANG), key="arith_op",
    required=True, persist_state=KEEP,
)


def pair_inputs(label: str, key_h: str, key_w: str, min_value: int, max_value: int) -> None:
    """Two number inputs side by side (height, width); columns stack on a phone."""
    col_h, col_w = st.columns(2)
    col_h.number_input(f"{label} · {tr('arith.height')}", min_value=min_value,
                       max_value=max_value, step=1, key=key_h, persist_state=KEEP)
    col_w.number_input(f"{label} · {tr('arith.width')}", min_value=min_value,
                       max_value=max_value, step=1, key=key_w, persist_state=KEEP)


with st.expander(tr("arith.settings"), expanded=True):
    pair_inputs(tr("arith.input_size"), "arith_h", "arith_w", 1, 4096)
    pair_inputs(tr("arith.kernel"), "arith_kh", "arith_kw", 1, 64)
    pair_inputs(tr("arith.stride"), "arith_sh", "arith_sw", 1, 64)
    if op == "conv":
        st.radio(tr("arith.padding_mode"), ["number", "same", "valid"], horizontal=True,
                 format_func=lambda m: translate(f"arith.pad_{m}", LANG), key="arith_pad_mode", persist_state=KEEP)
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

state = st.session_state
settings = LayerSettings(
    op=op, h=state.arith_h, w=state.arith_w, in_channels=state.arith_cin,
    out_channels=state.arith_cout if op in ("conv", "convt") else state.arith_cin,
    kernel=(state.arith_kh, state.arith_kw), stride=(state.arith_sh, state.arith_sw),
    padding=(state.arith_ph, state.arith_pw) if op != "conv" or state.arith_pad_mode == "number"
    else state.arith_pad_mode,
    dilation=(state.arith_dh, state.arith_dw) if op != "avgpool" else (1, 1),
    output_padding=(state.arith_oph, state.arith_opw), groups=state.arith_groups,
    bias=state.arith_bias, ceil_mode=state.arith_ceil, count_include_pad=state.arith_cip,
)


def stacked(latex: str) -> str:
    """``a = b = c`` as two left-aligned lines ``a`` and ``= b = c``: on one line the formula
    was cut off on a phone."""
    first, sep, rest = latex.partition(" = ")
    if " = " not in rest:  # a single "=" fits on one line
        return latex
    return rf"\begin{{aligned}} & {first} \\ & = {rest} \end{{aligned}}"


@st.cache_data(max_entries=256, show_spinner=False)
def cached_calculation(settings: LayerSettings):  # noqa: ANN201 - engine result
    return calculate(settings)


try:
    result = cached_calculation(settings)
except SpecError as exc:
    st.error(f"{tr('common.error_prefix')}: {exc.localized(lang())}")
    st.info(tr("arith.keep_settings"))
    st.stop()

c_out, h_out, w_out = result.output_shape
st.subheader(tr("arith.output_title", c=c_out, h=h_out, w=w_out))
for axis, latex in zip((tr("arith.height"), tr("arith.width")), result.latex, strict=True):
    st.markdown(f"**{axis}**")
    st.latex(stacked(latex))
for note in result.notes:
    st.warning(note.text(lang()))

col1, col2, col3 = st.columns(3)
col1.metric(tr("arith.params"), fmt_number(result.params, LANG))
col2.metric(tr("arith.macs"), fmt_number(result.macs, LANG))
col3.metric(tr("arith.memory"), fmt_number(result.output_elements, LANG))
st.caption(tr("arith.params_how", how=f"{result.params_how} = {fmt_number(result.params, LANG)}"))
st.caption(tr("arith.macs_how", how=f"{result.macs_how} = {fmt_number(result.macs, LANG)}"))
if result.receptive_field is not None:
    size, jump, start = result.receptive_field
    n = {name: fmt_number(value, LANG) for name, value in zip(
        ("sh", "sw", "jh", "jw", "s0", "s1"), (*size, *jump, *start), strict=True)}
    st.markdown(tr("arith.rf", **n))

st.divider()
try:
    from pages.ui.animation_panel import render_animation
except ImportError:  # the animation panel ships with its own module
    render_animation = None
if render_animation is not None:
    (pt, pb), (pl, pr) = result.padding_pairs
    render_animation(op, {
        "h": settings.h, "w": settings.w, "kh": settings.kernel[0], "kw": settings.kernel[1],
        "sh": settings.stride[0], "sw": settings.stride[1], "ph": pt, "pw": pl,
        "pad_top": pt, "pad_bottom": pb, "pad_left": pl, "pad_right": pr,
        "dh": settings.dilation[0], "dw": settings.dilation[1],
        "oph": settings.output_padding[0], "opw": settings.output_padding[1],
        "ceil_mode": settings.ceil_mode, "count_include_pad": settings.count_include_pad,
    })

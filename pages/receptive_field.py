"""Receptive-field explorer: which input pixels a unit sees, how the field grows layer by
layer, dilation versus stacking, and the effective receptive field of small networks."""

from __future__ import annotations

import streamlit as st

from convviz.arithmetic import rf_draw
from convviz.arithmetic.effective_rf import ERFError
from convviz.arithmetic.formatting import shape_text
from convviz.arithmetic.presets import describe, get_preset, list_presets
from convviz.images import ImageError
from convviz.images.samples import SAMPLES
from pages.ui import image_uploader, labels, lang, num, start_page, tr, url_state
from pages.ui.arch_widgets import SPEC_KEY, cached_summary, error_text, spec_json
from pages.ui.charts import frozen
from pages.ui.rf_widgets import erf_map, figure, sample_image, stack_info, uploaded_image
from pages.ui.safe_run import end_page
from pages.ui.tables import arrow

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

st.title(tr("rf.page_title"))
st.caption(tr("rf.intro"))
LANG = lang()
CURRENT = "__current__"


GRID_LIMIT = 64 * 64


# ------------------------------------------------------------------ dilation vs stacking
def _dilation() -> None:
    """Three 3x3 layers stacked, with or without dilation: parameters, cost, field and holes."""
    st.subheader(tr("rf.dilation"))
    st.markdown(tr("rf.dilation_intro"))
    d = st.columns(2)
    text_a = d[0].text_input(tr("rf.dilations_a"), value="1, 1, 1", key="rf_dil_a", max_chars=100)
    text_b = d[1].text_input(tr("rf.dilations_b"), value="1, 2, 4", key="rf_dil_b", help=tr("rf.dilations_help"),
                            max_chars=100)
    stacks = []
    for text in (text_a, text_b):
        try:
            stacks.append(stack_info(rf_draw.parse_dilations(text)))
        except ValueError:
            st.error(tr("rf.bad_dilations", text=text[:40]))
    if len(stacks) == 2:
        (sa, pa, ma), (sb, pb, mb) = stacks
        st.dataframe(arrow([
            {tr("rf.col_stack"): f"d = {', '.join(map(str, s.dilations))}", tr("rf.col_params"): num(p),
             tr("rf.col_macs"): num(mc), tr("rf.col_field"): f"{s.size} × {s.size}", tr("rf.col_holes"): s.holes}
            for s, p, mc in stacks
        ]), hide_index=True, width="stretch")
        st.plotly_chart(frozen(figure("dilation", LANG, sa.dilations, sb.dilations)), width="stretch", key="rf_dil_fig")
        st.caption(tr("rf.dilation_note"))


# a link with ?at=dilation (the home page's) shows dilation versus stacking first
FIRST = st.session_state.get("rf_at") == "dilation"
if FIRST:
    _dilation()

# ------------------------------------------------------------------ network, layer, unit
options = [CURRENT, *list_presets()] if SPEC_KEY in st.session_state else list_presets()
st.session_state.setdefault("rf_net", "lenet5")
if st.session_state["rf_net"] not in options:
    st.session_state["rf_net"] = "lenet5"
net = st.selectbox(tr("rf.network"), options, key="rf_net", on_change=lambda: st.session_state.pop("rf_layer", None),
                   format_func=lambda n: tr("rf.current_network") if n == CURRENT else f"{n} · {describe(n, LANG)}")
spec = st.session_state[SPEC_KEY] if net == CURRENT else get_preset(net)
KEY = spec_json(spec)
summary, info = cached_summary(KEY)
if info is not None:
    st.error(error_text(info, LANG))
    end_page()

rows = [r for r in summary.layers if r.receptive_field is not None and len(r.output_shape) == 3]
if not rows or len(summary.input_shape) != 3:
    st.warning(tr("rf.no_fields"))
    end_page()
paths = [r.path for r in rows]
by_path = {r.path: r for r in rows}
if st.session_state.get("rf_layer") not in paths:
    st.session_state["rf_layer"] = paths[-1]
path = st.selectbox(tr("rf.layer"), paths, key="rf_layer",
                    format_func=lambda p: f"{p} · {by_path[p].type} → {shape_text(by_path[p].output_shape, '×')}")
row = by_path[path]
_, out_h, out_w = row.output_shape

# a click on the feature-map grid (processed before the sliders exist in this run)
event = st.session_state.get("rf_grid")
points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else (
    event.selection.points if event is not None and hasattr(event, "selection") else [])
if points:
    pick = (int(points[0]["y"]), int(points[0]["x"]))
    if pick != st.session_state.get("rf_last_pick") and 0 <= pick[0] < out_h and 0 <= pick[1] < out_w:
        st.session_state["rf_i"], st.session_state["rf_j"] = pick
        st.session_state["rf_last_pick"] = pick
for axis, size in (("rf_i", out_h), ("rf_j", out_w)):
    if not 0 <= st.session_state.get(axis, -1) < size:
        st.session_state[axis] = size // 2

c = st.columns(2)
i = c[0].slider(tr("rf.unit_i"), 0, max(out_h - 1, 1), key="rf_i", disabled=out_h == 1)
j = c[1].slider(tr("rf.unit_j"), 0, max(out_w - 1, 1), key="rf_j", disabled=out_w == 1)
i, j = min(i, out_h - 1), min(j, out_w - 1)

rf = row.receptive_field
(top, bottom), (left, right) = rf.bounds(i, j)
rect = rf_draw.Rect(top, left, bottom, right)
center = rf_draw.unit_center(rf.start, rf.jump, i, j)
m = st.columns(3)
m[0].metric(tr("rf.size"), f"{num(rf.size[0])} × {num(rf.size[1])}")
m[1].metric(tr("rf.jump"), f"{num(rf.jump[0])} × {num(rf.jump[1])}")
m[2].metric(tr("rf.start"), tr("rf.pair", a=num(rf.start[0]), b=num(rf.start[1])))  # "1,5; 2,5" in Spanish
st.markdown(tr("rf.unit_sees", path=path, i=i, j=j, top=top, bottom=bottom, left=left, right=right,
               cy=num(center[0]), cx=num(center[1])))

# ------------------------------------------------------------------ the field on an image
cin, in_h, in_w = summary.input_shape
picture = st.container()  # the picture first (on the first screen), its image choice below it
src = st.columns(2)
sample = src[0].selectbox(tr("rf.sample"), SAMPLES, key="rf_sample",
                          format_func=labels("filters.sample_"))
with src[1]:
    upload = image_uploader(tr("rf.upload"), "rf_upload")
image = None
if upload is not None:
    try:
        image = uploaded_image(upload.getvalue(), in_h, in_w, cin == 1, LANG)
    except ImageError as exc:  # the reason wholly in the user's language
        st.error(exc.localized(LANG))
if image is None:
    image = sample_image(sample, in_h, in_w, cin == 1)
picture.plotly_chart(frozen(figure("image", LANG, image, (top, left, bottom, right), center)), width="stretch",
                     key="rf_image")
if out_h * out_w <= GRID_LIMIT:
    st.caption(tr("rf.pick_on_grid"))
    st.plotly_chart(frozen(figure("grid", LANG, out_h, out_w, (i, j))), key="rf_grid", on_select="rerun",
                    selection_mode="points", width="stretch")
else:
    st.caption(tr("rf.grid_too_big", h=out_h, w=out_w))

# ------------------------------------------------------------------ growth
st.subheader(tr("rf.growth"))
st.plotly_chart(frozen(figure("growth", LANG, KEY, path)), width="stretch", key="rf_growth")

if not FIRST:
    _dilation()

# ------------------------------------------------------------------ effective receptive field
st.subheader(tr("rf.erf"))
st.markdown(tr("rf.erf_intro"))
e = st.columns(2)
weights = e[0].radio(tr("rf.erf_weights"), ["random", "uniform"], key="rf_erf_w", horizontal=True,
                     format_func=labels("rf.erf_"))
seed = e[1].number_input(tr("rf.erf_seed"), 0, 10_000, 0, key="rf_erf_seed")
magnitude, problem = erf_map(KEY, path, i, j, weights, int(seed))
if problem is not None:
    st.warning(ERFError(problem["key"], **problem["values"]).localized(LANG))
else:
    shown = rf_draw.clip_rect(rect, in_h, in_w)
    box = (top, left, bottom, right) if shown else None
    st.plotly_chart(frozen(figure("erf", LANG, magnitude, box)), width="stretch", key="rf_erf_fig")

"""Draw a digit: a small CNN trained by ConvViz reads it, and you look inside the network.

Thin page: canvas / upload -> convviz.digits (MNIST-style preprocessing) -> the model
(cached) -> figures from convviz.figures.digits.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from convviz.digits import preprocess_steps
from convviz.digits.deskew import slant
from convviz.nn import label_smoothing_floor, smoothed_targets
from pages.ui import digit_widgets as W
from pages.ui import (
    image_uploader,
    labels,
    lang,
    num,
    number_format,
    reason,
    start_page,
    tr,
    url_state,
)
from pages.ui.charts import frozen
from pages.ui.network_view import render_network_view
from pages.ui.safe_run import end_page
from pages.ui.tables import arrow

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

st.title(tr("digit.page_title"))
st.write(tr("digit.intro"))

# --- the model ------------------------------------------------------------------------
model = None
model_name = "shipped"
trained = st.session_state.get("trained_model")
if trained is not None and W.is_digit_model(trained):
    choice = st.radio(
        tr("digit.model_label"), ["shipped", "mine"], key="digit_model_choice", horizontal=True,
        format_func=labels("digit.model_"),
    )
    if choice == "mine":
        model, model_name = trained, "mine"
elif trained is not None:
    st.warning(tr("digit.trained_unusable"))
if model is None:
    try:
        model = W.shipped_model()
    except ValueError:
        st.error(tr("digit.no_model"))
        end_page()

# --- the input ------------------------------------------------------------------------
source = st.radio(
    tr("digit.source_label"), ["draw", "upload", "sample"], key="digit_source", horizontal=True,
    format_func=labels("digit.source_"),
)
raw: np.ndarray | None = None
if source == "draw":
    stroke = st.slider(tr("digit.stroke_label"), 5, 40, 20, key="digit_stroke", help=tr("digit.stroke_help"))
    mode = st.selectbox(
        tr("digit.tool_label"), ["freedraw", "line"], key="digit_tool",
        format_func=labels("digit.tool_"),
    )
    st.caption(tr("digit.canvas_help"))
    st.write("")  # room for the canvas toolbar, which floats above the canvas
    try:
        from streamlit_drawable_canvas import st_canvas

        result = st_canvas(
            stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
            height=280, width=280, drawing_mode=mode, return_image_data=True,
            update_streamlit=True, key="digit_canvas",
        )
        raw = result.image_data if result is not None else None
    except Exception as exc:  # noqa: BLE001 - the page must keep working without the canvas
        st.error(tr("digit.canvas_error", msg=type(exc).__name__))  # its text is English
elif source == "sample":
    raw = W.sample_canvas(st.selectbox(tr("explain.sample_label"), range(10), index=7, key="digit_sample",
                                       help=tr("explain.sample_help")))
else:
    upload = image_uploader(tr("digit.upload_label"), "digit_upload")
    if upload is not None:
        try:
            raw = W.photo_to_gray(upload.getvalue(), lang())
        except ValueError as exc:  # the reason wholly in the user's language
            st.error(tr("digit.upload_error", msg=reason(exc)))

steps = None
if raw is not None:
    try:
        steps = preprocess_steps(raw)
    except ValueError as exc:
        st.error(tr("digit.upload_error", msg=reason(exc)))
if steps is None:
    st.info(tr("digit.waiting" if source == "draw" else "digit.waiting_upload"))
    end_page()

# --- preprocessing --------------------------------------------------------------------
st.header(tr("digit.steps_header"))
st.write(tr("digit.steps_intro"))
top, left, bottom, right = steps.box
cols = st.columns(4)
captions = [
    tr("digit.step_gray", w=steps.gray.shape[1], h=steps.gray.shape[0]),
    tr("digit.step_crop", w=right - left, h=bottom - top),
    tr("digit.step_resize", w=steps.resized.shape[1], h=steps.resized.shape[0]),
    tr("digit.step_centre"),
]
images = [steps.adjusted, steps.cropped, steps.resized, steps.image]
if model.deskew:  # the model straightens the digit before its first layer (convviz.digits.deskew)
    captions[-1] = tr("digit.step_centred")
    captions.append(tr("digit.step_deskew"))
    images.append(model.prepare(steps.image))
    cols = st.columns(5)
for col, img, cap in zip(cols, images, captions, strict=True):
    shown = img if max(img.shape) >= 140 else np.kron(img, np.ones((6, 6), np.uint8))
    col.image(shown, caption=cap, clamp=True, width=180)  # fixed size: phones stack them
if steps.stroke_change_px:
    key = "digit.stroke_thickened" if steps.stroke_change_px > 0 else "digit.stroke_thinned"
    st.caption(tr(key, w=num(steps.stroke_width, 1), r=num(abs(steps.stroke_change_px), 1)))
else:
    st.caption(tr("digit.stroke_ok", w=num(steps.stroke_width, 1)))
if model.deskew:
    st.caption(tr("digit.deskew_caption", a=num(slant(steps.image), 2)))

# --- prediction -----------------------------------------------------------------------
key = W.model_key(model) if model_name == "mine" else "shipped"
image_bytes = steps.image.tobytes()
analysis = W.analyse_cached(key, image_bytes, model)
figs = W.figures(key, image_bytes, lang(), model, analysis)
top_class = int(np.argmax(analysis.probs))
st.header(tr("digit.prediction_header"))
st.metric(
    tr("digit.prediction_label"), str(top_class), tr("digit.confidence", p=num(analysis.probs[top_class], spec=".1%")),
    delta_color="off", delta_arrow="off", border=True, width="content",
)
st.markdown(tr("digit.prediction_text", d=top_class, p=num(analysis.probs[top_class], spec=".1%")))
st.plotly_chart(frozen(figs["probs"]), width="stretch", key="digit_probs", config={"displayModeBar": False})
render_network_view(model, key, steps)  # every layer at once and the unit inspector

# --- inside the network -----------------------------------------------------------------
st.header(tr("digit.inside_header"))
st.write(tr("digit.inside_intro"))
tabs = st.tabs([f"{i}. {name.split(' ', 1)[1]}" for i, (name, _) in enumerate(analysis.activations)])
for i, (tab, (name, act)) in enumerate(zip(tabs, analysis.activations, strict=True)):
    layer_type = name.split(" ", 1)[1]
    with tab:
        shape = "×".join(str(v) for v in act.shape)
        st.caption(tr(f"digit.explain_{layer_type}") + " " + tr("digit.shape", shape=shape))
        st.plotly_chart(frozen(figs[f"maps_{i}"]), width="stretch", key=f"digit_maps_{i}", config={"displayModeBar": False})

if "filters" in figs:
    st.subheader(tr("digit.filters_header"))
    st.write(tr("digit.filters_intro"))
    st.plotly_chart(frozen(figs["filters"]), width="stretch", key="digit_filters", config={"displayModeBar": False})

st.subheader(tr("digit.saliency_header"))
st.write(tr("digit.saliency_intro", d=analysis.target))
st.plotly_chart(frozen(figs["saliency"]), width="stretch", key="digit_saliency", config={"displayModeBar": False})

# --- architecture and training ------------------------------------------------------------
st.header(tr("digit.arch_header"))
st.write(tr("digit.arch_intro", n=num(model.n_params())))
try:
    rows, totals = W.architecture_rows(json.dumps(model.to_spec()))
    st.dataframe(
        arrow([
            {
                tr("digit.col_layer"): r["layer"], tr("digit.col_type"): r["type"],
                tr("digit.col_output"): r["output"], tr("digit.col_params"): r["params"],
                tr("digit.col_macs"): r["macs"], tr("digit.col_rf"): r["rf"],
            }
            for r in rows
        ]),
        width="stretch", hide_index=True, height=38 + 35 * (len(rows) + 1),
        column_config={tr(f"digit.col_{c}"): st.column_config.NumberColumn(format=number_format(lang()))
                       for c in ("params", "macs")},
    )
    st.caption(tr("digit.arch_totals", params=num(totals["params"]), macs=num(totals["macs"])))
except Exception:  # noqa: BLE001 - the engine's summary may not be available yet
    st.info(tr("digit.arch_unavailable"))
    st.code(repr(model), language="text")

def _training_data(meta: dict, epochs: int, best: object) -> None:
    """What the shipped model was trained on, from its training log's ``meta``: MNIST digits,
    then the synthetic ones (font digits, crossed sevens, pen digits) in captions."""
    n_gen, n_pen = int(meta.get("n_generated") or 0), int(meta.get("n_pen") or 0)
    n_train = meta.get("n_train")
    n_mnist = num(int(n_train) - n_gen - n_pen) if isinstance(n_train, int) else "?"
    if meta.get("n_val"):
        st.write(tr("digit.curves_intro", n_train=n_mnist, n_val=num(int(meta["n_val"])), best=best or "?",
                    epochs=epochs, acc=num(meta.get("final_val_acc", float("nan")), spec=".2%")))
    elif n_gen:  # every MNIST digit plus generated font digits
        st.write(tr("digit.curves_intro_all_fonts", n_mnist=n_mnist, n_generated=num(n_gen), epochs=epochs))
    else:  # trained on every digit: no validation curve, the epoch count was chosen beforehand
        st.write(tr("digit.curves_intro_all", n_train=n_mnist, epochs=epochs))
    if n_pen > 0:  # synthetic handwriting (convviz.digits.pen)
        st.caption(tr("digit.curves_pen", n_pen=num(n_pen)))
    crossed = float(meta.get("crossed_sevens") or 0.0)
    if n_gen and crossed > 0:  # the font 7s drawn with a bar across, as the lecture's readers write them
        st.caption(tr("digit.curves_crossed_sevens", share=num(crossed, spec=".0%")))


st.header(tr("digit.curves_header"))
if model_name == "mine":
    st.info(tr("digit.curves_mine"))
else:
    log = W.training_log()
    if log is None:
        st.info(tr("digit.no_log"))
    else:
        meta = log.get("meta", {})
        _training_data(meta, len(log.get("train_loss", [])), log.get("best_epoch"))
        labels = {k: tr(f"digit.curve_{k}") for k in ("title", "loss", "accuracy", "epoch", "train", "val", "best")}
        st.plotly_chart(frozen(W.curves_figure(lang(), labels_key=json.dumps(labels))), width="stretch",
                        key="digit_curves", config={"displayModeBar": False})
        st.caption(tr("digit.curves_note" if meta.get("n_val") else "digit.curves_note_all"))
        smoothing = float((meta.get("config") or {}).get("label_smoothing") or 0.0)
        if 0 < smoothing < 1:
            right, other = smoothed_targets(smoothing)
            st.caption(tr("digit.curves_note_smoothing", s=num(smoothing), right=num(right), other=num(other),
                          floor=num(label_smoothing_floor(smoothing), 2)))

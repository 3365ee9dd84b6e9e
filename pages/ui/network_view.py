"""The live network on "Draw a digit": the overview of every layer and the unit inspector.

``render_network_view(model, model_key, steps)`` is called by pages/draw_digit.py once the
digit is preprocessed. The engine (convviz.explain) opens the chosen unit; the figures come
from convviz.figures.network and convviz.figures.inspector. A click on a map of the overview
(or the layer / map widgets) reruns the page; everything about one map (click a unit, the
row / column boxes) reruns only the inspector fragment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from convviz.digits.deskew import unskew_box
from convviz.explain import drawing_box, explain_unit, feeding_channels, forward_trace
from convviz.i18n import fmt_number, translate
from pages.ui import lang, tr
from pages.ui import num as ui_num
from pages.ui.charts import frozen

NOBAR = {"displayModeBar": False}
OVERVIEW_BOX = "xp_overview_box"
OVERVIEW_MIN_PX = 860  # below this the deep net's columns and labels run into each other
OVERVIEW_CSS = f"""<style>
.st-key-{OVERVIEW_BOX} {{ overflow-x: auto; }}
.st-key-{OVERVIEW_BOX} [data-testid="stFullScreenFrame"] {{ min-width: {OVERVIEW_MIN_PX}px; }}
</style>"""


def _labels(language: str, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: translate(f"explain.{k}", language) for k in keys}


def num(value: float, spec: str = ".4f") -> str:
    """:func:`pages.ui.num` with the inspector's default of 4 decimals."""
    return ui_num(float(value), spec=spec)


@st.cache_data(show_spinner=False, max_entries=32)
def _trace(model_key: str, image_bytes: bytes, _model: Any) -> list[np.ndarray]:
    return forward_trace(_model, np.frombuffer(image_bytes, np.uint8).reshape(28, 28))


def _names(model: Any) -> list[str]:
    return [f"{i} {layer.type_name}" for i, layer in enumerate(model.layers)]


@st.cache_resource(show_spinner=False, max_entries=32)
def _overview(model_key: str, image_bytes: bytes, language: str, layer: int, index: int, _model: Any):  # noqa: ANN202
    from convviz.figures.network import network_overview_figure

    trace = _trace(model_key, image_bytes, _model)
    spatial = len(trace[layer + 1].shape) == 3
    feeding = feeding_channels(_model, layer, index) if spatial else None
    labels = {
        "title": translate("explain.overview_title", language),
        "input": translate("explain.col_input_deskewed" if _model.deskew else "explain.col_input", language),
        **_labels(language, ("colorbar", "map_hover", "unit_hover", "prob", "max")),
    }
    return network_overview_figure(trace, _names(_model), language, labels, (layer, index), feeding)


def _default_layer(model: Any) -> int:
    """The first convolution that reads more than one channel (else layer 0)."""
    for i, layer in enumerate(model.layers):
        if layer.type_name == "Conv2d" and getattr(layer, "in_channels", 1) > 1:
            return i
    return 0


def _clamp(shapes: list[tuple[int, ...]]) -> None:
    """Keep the picked layer / map / unit inside the model's shapes."""
    s = st.session_state
    layer = s.get("xp_layer")
    if not isinstance(layer, int) or not 0 <= layer < len(shapes):
        s["xp_layer"] = layer = 0
    shape = shapes[layer]
    for key, top in zip(("xp_channel", "xp_row", "xp_col"), (*shape, 1, 1), strict=False):
        v = s.get(key)
        if not isinstance(v, int) or not 0 <= v < top:
            s[key] = min(max(int(v) if isinstance(v, int) else top // 2, 0), top - 1)


def _on_overview(chart_key: str) -> None:
    """A click on the overview: a map (layer, channel) or a vector unit (layer, i)."""
    points = ((st.session_state.get(chart_key) or {}).get("selection") or {}).get("points") or []
    data = [p.get("customdata") for p in points if isinstance(p.get("customdata"), list)]
    if not data or len(data[0]) < 2 or int(data[0][0]) < 0:
        return
    st.session_state["xp_layer"], st.session_state["xp_channel"] = int(data[0][0]), int(data[0][1])
    st.session_state["xp_n"] = st.session_state.get("xp_n", 0) + 1


def _on_map(chart_key: str) -> None:
    points = ((st.session_state.get(chart_key) or {}).get("selection") or {}).get("points") or []
    data = [p.get("customdata") for p in points if isinstance(p.get("customdata"), list)]
    if data and len(data[0]) == 3:
        st.session_state["xp_row"], st.session_state["xp_col"] = int(data[0][0]), int(data[0][1])
        st.session_state["xp_m"] = st.session_state.get("xp_m", 0) + 1


def render_network_view(model: Any, model_key: str, steps: Any) -> None:
    """The overview and the inspector for the preprocessed digit ``steps.image``."""
    language = lang()
    shapes = [tuple(s) for s in model.output_shapes()]
    st.session_state.setdefault("xp_layer", _default_layer(model))
    _clamp(shapes)
    image_bytes = steps.image.tobytes()
    st.header(tr("explain.header"))
    st.write(tr("explain.intro"))
    layer, index = st.session_state["xp_layer"], st.session_state["xp_channel"]
    fig = _overview(model_key, image_bytes, language, layer, index, model)
    chart_key = f"xp_overview_{st.session_state.get('xp_n', 0)}"
    st.html(OVERVIEW_CSS)
    with st.container(key=OVERVIEW_BOX):  # at least OVERVIEW_MIN_PX wide: a phone scrolls it sideways
        st.plotly_chart(frozen(fig), width="stretch", key=chart_key, config=NOBAR, theme=None,
                        selection_mode="points", on_select=lambda: _on_overview(chart_key))
    st.subheader(tr("explain.pick_header"))
    c1, c2 = st.columns(2)
    c1.selectbox(tr("explain.layer_label"), list(range(len(shapes))), key="xp_layer",
                 format_func=lambda i: translate("explain.layer_option", language, i=i, type=model.layers[i].type_name,
                                                 shape="×".join(map(str, shapes[i]))))
    _clamp(shapes)
    shape = shapes[st.session_state["xp_layer"]]
    label = "explain.channel_label" if len(shape) == 3 else "explain.unit_label"
    c2.number_input(tr(label), 0, shape[0] - 1, step=1, key="xp_channel")
    _inspector(model, model_key, image_bytes, steps)


@st.fragment
def _inspector(model: Any, model_key: str, image_bytes: bytes, steps: Any) -> None:
    """Everything about one map / unit: reruns on its own when a unit is picked."""
    s = st.session_state
    shapes = [tuple(v) for v in model.output_shapes()]
    _clamp(shapes)
    layer, channel = s["xp_layer"], s["xp_channel"]
    trace = _trace(model_key, image_bytes, model)
    out = trace[layer + 1]
    kind = model.layers[layer].type_name
    if out.ndim == 3:
        _, h, w = out.shape
        from convviz.figures.inspector import map_figure

        c1, c2 = st.columns(2)
        c1.number_input(tr("explain.row_label"), 0, h - 1, step=1, key="xp_row")
        c2.number_input(tr("explain.col_label"), 0, w - 1, step=1, key="xp_col")
        unit: tuple[int, ...] = (channel, s["xp_row"], s["xp_col"])
        fig = map_figure(out[channel], tr("explain.map_title", i=layer, type=kind, c=channel, h=h, w=w),
                         (unit[1], unit[2]), lang(), {"unit_hover": tr("explain.map_hover_unit", r="%{customdata[0]}", c="%{customdata[1]}",
                                            v="%{customdata[2]:.4f}")})
        key = f"xp_map_{s.get('xp_m', 0)}"
        st.plotly_chart(frozen(fig), width="stretch", key=key, config=NOBAR, theme=None, selection_mode="points",
                        on_select=lambda: _on_map(key))
    else:
        unit = (channel,)
    image = np.frombuffer(image_bytes, np.uint8).reshape(28, 28)
    try:
        ex = explain_unit(model, image, layer, unit, trace=trace)
    except ValueError as exc:  # e.g. a Training-lab model with a layer the engine cannot explain
        st.error(tr("explain.error", msg=exc.localized(lang()) if hasattr(exc, "localized") else str(exc)))
        return
    st.markdown(tr("explain.unit_heading", i=layer, type=kind, unit=str(unit if len(unit) > 1 else unit[0]),
                   value=num(ex.value)))
    _panel(ex, trace, model)
    _field_panel(ex, model.prepare(image), steps, model.deskew)
    _arith_panel(ex)


def _panel(ex: Any, trace: list[np.ndarray], model: Any) -> None:
    from convviz.figures import inspector as FI

    language = lang()
    labels = _labels(language, ("patch", "kernel", "channel_sum", "window", "others", "bias", "contribution",
                                "logits", "softmax"))
    kind = ex.layer_type
    if kind == "Conv2d":
        cin, kh, kw = ex.patch.shape
        st.write(tr("explain.conv_intro", cin=cin, k=f"{kh}×{kw}"))
        st.plotly_chart(frozen(FI.conv_unit_figure(ex, tr("explain.conv_title"), language, labels)), width="stretch",
                        key="xp_conv", config=NOBAR, theme=None)
        total = float(ex.channel_sums.sum())
        st.markdown(tr("explain.conv_sum", n=cin, terms=FI.sum_text(ex.channel_sums, language)))
        st.markdown(tr("explain.conv_bias", total=num(total), bias=num(ex.bias), pre=num(ex.pre_activation)))
        nxt = ex.layer + 1
        if nxt < len(model.layers) and model.layers[nxt].type_name == "ReLU":
            st.markdown(tr("explain.conv_relu", pre=num(ex.value), out=num(float(trace[nxt + 1][ex.unit]))))
        if st.toggle(tr("explain.volume_toggle"), key="xp_volume_on"):
            from pages.ui.volume_panel import inspector_volume

            inspector_volume(model.layers[ex.layer], ex.input_shape, tuple(trace[ex.layer + 1].shape), ex.unit)
    elif kind in ("MaxPool2d", "AvgPool2d"):
        k = "×".join(map(str, ex.window.shape))
        title = tr("explain.pool_max_title" if ex.pool == "max" else "explain.pool_avg_title", k=k, c=ex.unit[0])
        st.plotly_chart(frozen(FI.pool_unit_figure(ex, title, language, labels)), width="stretch", key="xp_pool",
                        config=NOBAR, theme=None)
        if ex.pool == "max":
            st.markdown(tr("explain.pool_max_text", value=num(ex.value), r=ex.argmax[0], q=ex.argmax[1]))
        else:
            st.markdown(tr("explain.pool_avg_text", n=ex.window.size, value=num(ex.value)))
    elif kind == "Linear":
        st.plotly_chart(frozen(FI.linear_unit_figure(ex, tr("explain.linear_title"), language, labels)), width="stretch",
                        key="xp_linear", config=NOBAR, theme=None)
        st.markdown(tr("explain.linear_text", n=len(ex.contributions), sum=num(ex.contributions.sum()),
                       bias=num(ex.bias), value=num(ex.pre_activation)))
    else:
        _simple_text(ex)
    if ex.probabilities is not None:
        d = ex.unit[0]
        st.plotly_chart(frozen(FI.output_figure(ex.logits, ex.probabilities, tr("explain.output_title"), language, labels, d)),
                        width="stretch", key="xp_output", config=NOBAR, theme=None)
        st.markdown(tr("explain.output_text", d=d, z=num(ex.logits[d]), p=num(ex.probabilities[d], ".2%")))


def _simple_text(ex: Any) -> None:
    kind, v = ex.layer_type, num(ex.value)
    if kind == "ReLU":
        st.markdown(tr("explain.relu_text", x=num(ex.input_value), value=v))
    elif kind == "Dropout":
        st.markdown(tr("explain.dropout_text", value=v))
    elif kind == "Flatten":
        c, r, q = ex.source
        shape = "×".join(map(str, ex.input_shape))
        st.markdown(tr("explain.flatten_text", shape=shape, i=ex.unit[0], c=c, r=r, q=q, value=v))
    elif kind == "BatchNorm2d" and ex.scale is not None:
        mean, var, eps, gamma = ex.scale
        st.markdown(tr("explain.bn_text", gamma=num(gamma), x=num(ex.input_value), mean=num(mean), var=num(var),
                       eps=num(eps, ".0e"), beta=num(ex.bias), value=v))
    elif kind == "Softmax":
        st.markdown(tr("explain.softmax_text", x=num(ex.input_value), value=v))
    else:
        st.markdown(tr("explain.other_text", value=v))


def _field_panel(ex: Any, image: np.ndarray, steps: Any, deskews: bool) -> None:
    """The unit's receptive field on ``image`` (the network's input) and on the drawing."""
    from convviz.figures.inspector import field_figure

    st.subheader(tr("explain.field_title"))
    r0, c0, r1, c1 = ex.input_box
    size = ex.arithmetic.field_size
    if size is None:
        st.write(tr("explain.field_whole"))
    else:
        st.write(tr("explain.field_text", r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1, h=r1 - r0, w=c1 - c0,
                    fh=size[0], fw=size[1]))
    gray = getattr(steps, "gray", None)
    box = unskew_box(steps.image, ex.input_box) if deskews else ex.input_box  # the drawing is not deskewed
    dbox = drawing_box(steps, box) if gray is not None else None
    labels = {"input28": tr("explain.input28_deskewed" if deskews else "explain.input28"), "drawing": tr("explain.drawing")}
    st.plotly_chart(frozen(field_figure(image, ex.input_box, "", gray, dbox, lang(), labels)), width="stretch",
                    key="xp_field", config=NOBAR, theme=None)


def _arith_panel(ex: Any) -> None:
    ar = ex.arithmetic
    st.subheader(tr("explain.arith_header", i=ar.index, type=ar.type))
    if ar.latex is not None:
        for key, latex in zip(("explain.arith_height", "explain.arith_width"), ar.latex, strict=True):
            st.markdown(f"**{tr(key)}**")
            st.latex(latex)
    else:
        st.write(tr("explain.arith_no_window", shape="×".join(map(str, ar.output_shape))))
    st.markdown(tr("explain.arith_params", how=ar.params_how, n=fmt_number(ar.params, lang())))
    st.markdown(tr("explain.arith_macs", how=ar.macs_how, n=fmt_number(ar.macs, lang())))
    if ar.field_size is not None:
        jh, jw = (fmt_number(v, lang()) for v in ar.field_jump)
        st.markdown(tr("explain.arith_field", h=ar.field_size[0], w=ar.field_size[1], jh=jh, jw=jw))
    st.caption(tr("explain.arith_same"))

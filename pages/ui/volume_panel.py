"""Multi-channel convolution as volumes, on "Layer arithmetic" and in the unit inspector.

``render_volumes(settings, result)``: the 3D view (convviz.figures.volume) of the page's conv
layer when it has more than one input or output channel, a button for the lecture's example
(32x32x3, six 5x5 filters -> 28x28x6), and the multi-channel step-by-step animation
(convviz.animation.multichannel) with its GIF. ``volume_figure(...)`` is shared with the
inspector (pages/ui/network_view.py).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from convviz.errors import SpecError
from convviz.explain import layer_geometry
from pages.ui import lang, tr
from pages.ui.charts import frozen

LECTURE = {"arith_h": 32, "arith_w": 32, "arith_cin": 3, "arith_cout": 6, "arith_kh": 5, "arith_kw": 5,
           "arith_sh": 1, "arith_sw": 1, "arith_ph": 0, "arith_pw": 0, "arith_dh": 1, "arith_dw": 1,
           "arith_groups": 1, "arith_pad_mode": "number"}
NOBAR = {"displayModeBar": False}


@st.cache_resource(show_spinner=False, max_entries=32)
def volume_figure(cin: int, h: int, w: int, cout: int, k: int, ho: int, wo: int, position: tuple[int, int],
                  filter_index: int, stride: int, padding: int, language: str):  # noqa: ANN201 - plotly figure
    from convviz.figures.volume import conv_volume_figure
    from convviz.i18n import translate

    labels = {key: translate(f"explain.volume_{key}", language)
              for key in ("title", "input", "filter", "output", "map", "unit")}
    return conv_volume_figure(cin, h, w, cout, k, ho, wo, position, filter_index, stride, padding, labels)


def _lecture() -> None:
    st.session_state.update(LECTURE)
    st.session_state["arith_op"] = "conv"


@st.cache_resource(show_spinner=False, max_entries=16)
def _animation(cin: int, h: int, w: int, filters: int, k: int, stride: int, padding: int, seed: int):  # noqa: ANN202
    from convviz.animation.multichannel import build_multichannel, example_values

    x, wts, b = example_values(cin, h, w, filters, k, seed)
    return build_multichannel(x, wts, b, stride, padding)


@st.cache_resource(show_spinner=False, max_entries=16)
def _anim_figure(key: tuple, language: str):  # noqa: ANN202 - plotly figure
    from convviz.figures.multichannel import multichannel_figure

    return multichannel_figure(_animation(*key), language)


@st.cache_data(show_spinner=False, max_entries=8)
def _gif(key: tuple, language: str) -> bytes:
    from convviz.animation.multichannel import write_multichannel_gif

    return write_multichannel_gif(_animation(*key), language)


def render_volumes(settings: Any, result: Any) -> None:
    """The volumes section of Layer arithmetic for a convolution ``settings`` (LayerSettings)."""
    language = lang()
    with st.expander(tr("explain.volume_header"), expanded=settings.in_channels > 1 or settings.out_channels > 1):
        st.button(tr("explain.volume_lecture"), key="xp_lecture", on_click=_lecture)
        cin, cout = settings.in_channels, settings.out_channels
        if cin > 1 or cout > 1:
            _, ho, wo = result.output_shape
            st.caption(tr("explain.volume_intro", cin=cin, cout=cout))
            if not 0 <= st.session_state.get("xp_vol_filter", 0) < cout:
                st.session_state["xp_vol_filter"] = 0
            f = st.number_input(tr("explain.volume_filter_pick"), 0, cout - 1, key="xp_vol_filter")
            (ph, _), _ = settings.padding_pairs()
            fig = volume_figure(cin, settings.h, settings.w, cout, settings.kernel[0], ho, wo,
                                (ho // 2, wo // 2), int(f), settings.stride[0], ph, language)
            st.plotly_chart(frozen(fig), width="stretch", key="xp_volume", config=NOBAR, theme=None)
            _multichannel(settings, result, language)
        else:
            st.caption(tr("explain.volume_single"))


def _multichannel(settings: Any, result: Any, language: str) -> None:
    st.subheader(tr("explain.mc_header"))
    cin = min(settings.in_channels, 3)
    filters = min(settings.out_channels, 4)
    h, w = min(settings.h, 7), min(settings.w, 7)
    k = min(settings.kernel[0], 5, h)
    stride = settings.stride[0]
    (ph, _), _ = settings.padding_pairs()
    pad = min(ph, 2)
    if (cin, filters, h, w, k) != (settings.in_channels, settings.out_channels, settings.h, settings.w,
                                   settings.kernel[0]) or pad != ph:
        st.caption(tr("explain.mc_reduced", cin=cin, f=filters, h=h, w=w))
    seed = st.number_input(tr("explain.mc_seed"), 0, 10_000, key="xp_mc_seed")
    key = (cin, h, w, filters, k, stride, pad, int(seed))
    try:
        anim = _animation(*key)
    except SpecError as exc:
        st.warning(exc.localized(language))
        return
    st.caption(tr("explain.mc_intro", cin=cin, h=h, w=w, f=filters, k=k))
    st.plotly_chart(frozen(_anim_figure(key, language)), width="stretch", key="xp_mc_chart", config=NOBAR, theme=None)
    with st.expander(tr("anim.all_steps"), expanded=False):
        st.markdown("\n".join(f"{t + 1}. {anim.step_text(t, language)}" for t in range(len(anim.steps))))
    st.download_button(tr("explain.mc_download"), data=lambda: _gif(key, language), file_name="convviz-multichannel.gif",
                       mime="image/gif", key="xp_mc_download", on_click="ignore")


def inspector_volume(layer: Any, input_shape: tuple[int, ...], output_shape: tuple[int, ...],
                     unit: tuple[int, int, int]) -> None:
    """The 3D view of one Conv2d of the live network at the inspected unit."""
    cin, h, w = input_shape
    cout, ho, wo = output_shape
    (k, _), (s, _), (p, _), _, _ = layer_geometry(layer)
    st.caption(tr("explain.volume_intro", cin=cin, cout=cout))
    fig = volume_figure(cin, h, w, cout, int(k), ho, wo, (unit[1], unit[2]), unit[0], int(s), int(p), lang())
    st.plotly_chart(frozen(fig), width="stretch", key="xp_inspector_volume", config=NOBAR, theme=None)


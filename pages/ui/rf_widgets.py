"""The Receptive-field page's cached work: images, effective fields, the dilation stacks and
figures. They live here, not in the page script, because a page script runs again on every
rerun, and decorating a function with st.cache_* again costs Streamlit a read of its source
(``inspect.getsource``: an eighth of that page's rerun)."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st
from PIL import Image

from convviz.arithmetic import rf_draw
from convviz.arithmetic.effective_rf import ERFError, effective_receptive_field
from convviz.figures import receptive as figs
from pages.ui.arch_widgets import cached_summary, spec_json


@st.cache_data(max_entries=4, show_spinner=False)  # up to 4096 x 4096 x 3 (50 MB) each
def sample_image(name: str, height: int, width: int, grey: bool) -> np.ndarray:
    from convviz.images import samples

    img = Image.fromarray(samples.sample(name, 640, 480)).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(img.convert("L").convert("RGB") if grey else img)


@st.cache_data(max_entries=4, show_spinner=False)
def uploaded_image(data: bytes, height: int, width: int, grey: bool, lang_: str) -> np.ndarray:
    from convviz.images import load_image

    img = Image.fromarray(load_image(data, lang_, max_side=max(height, width))).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(img.convert("L").convert("RGB") if grey else img)


@st.cache_data(max_entries=32, show_spinner=False)
def erf_map(key: str, path: str, i: int, j: int, weights: str, seed: int) -> tuple[np.ndarray | None, dict | None]:
    try:
        result = effective_receptive_field(json.loads(key), path, (i, j), weights=weights, seed=seed)
    except ERFError as exc:
        return None, {"key": exc.key, "values": exc.values}
    return result.magnitude, None


@st.cache_data(max_entries=16, show_spinner=False)
def stack_info(dilations: tuple[int, ...]) -> tuple[rf_draw.StackSampling, int, int]:
    """Sampling map, parameters and multiplications of three (or n) 3x3 convs, 16 -> 16
    channels on a 16x64x64 input, 'same' padding, computed by the engine."""
    spec = {"name": "stack", "input": [16, 64, 64], "layers": [
        {"type": "Conv2d", "out_channels": 16, "kernel_size": 3, "dilation": d, "padding": d} for d in dilations
    ]}
    summary, _ = cached_summary(spec_json(spec))
    return rf_draw.stack_sampling(3, dilations), summary.total_params, summary.total_macs


@st.cache_resource(max_entries=64, show_spinner=False)
def figure(kind: str, lang_: str, *args: object) -> object:
    """Figures built once per arguments and shared (never modified after building)."""
    if kind == "image":
        return image_figure(lang_, *args)
    if kind == "grid":
        return figs.unit_grid(*args, lang_)
    if kind == "growth":
        key, selected = args
        return figs.growth_chart(cached_summary(key)[0].layers, lang_, selected=selected)
    if kind == "dilation":
        a, b = args
        return figs.dilation_figure(stack_info(a)[0], stack_info(b)[0], lang_)
    magnitude, rect = args
    return figs.erf_heatmap(magnitude, None if rect is None else rf_draw.Rect(*rect), lang_)


@st.cache_resource(max_entries=8, show_spinner=False)
def image_figure(lang_: str, image: np.ndarray, rect: tuple, center: tuple) -> object:
    """The field drawn on the image: a figure that holds the whole image as PNG (up to
    4096 x 4096), so fewer of them are kept than of the other figures."""
    return figs.field_on_image(image, rf_draw.Rect(*rect), center, lang_)

"""The Architecture page's "Input size" panel: which layers fix the input size (a Linear after a
Flatten), the network tried at another size (a new network with inferred Linear sizes, or the
trained one with its Linear sizes kept, which a Linear layer then rejects), and one click that
puts global average pooling before the Flatten so the same network takes any size.

Engine: :mod:`convviz.arithmetic.input_size`."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from convviz.arithmetic import limits
from convviz.arithmetic.formatting import shape_text
from convviz.arithmetic.input_size import (
    fixed_note,
    fixed_size_layers,
    size_adapters,
    try_input_size,
    with_global_pool,
)
from convviz.errors import SpecError
from pages.ui import lang, num, tr
from pages.ui.arch_widgets import current_spec, spec_json, try_apply

SIZE_ERROR = "arch_size_error"


@st.cache_data(max_entries=32, show_spinner=False)
def _report(key: str, lang_code: str) -> dict[str, Any]:
    """Sentences about the layers that fix the input size and the adaptive pools (in ``lang_code``)."""
    spec = json.loads(key)
    shape = tuple(spec["input"])
    return {
        "fixed": [fixed_note(f, shape).text(lang_code) for f in fixed_size_layers(spec)],
        "adapters": size_adapters(spec),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def _trial(key: str, shape: tuple[int, ...], keep: bool, lang_code: str) -> dict[str, Any]:
    """The network at ``shape``: its first Linear, parameters and output, or the error text."""
    trial = try_input_size(json.loads(key), shape, keep_weights=keep)
    if trial.summary is None:
        assert trial.error is not None
        return {"error": trial.error.localized(lang_code)}
    return {"error": None, "linear": trial.first_linear, "params": trial.summary.total_params,
            "output": trial.summary.output_shape}


def _apply_gap() -> None:
    """The button: global average pooling before the Flatten (the network changes)."""
    try:
        try_apply(with_global_pool(current_spec()), lang())
        st.session_state.pop(SIZE_ERROR, None)
    except SpecError as exc:
        st.session_state[SIZE_ERROR] = exc.localized(lang())


def _result_text(result: dict[str, Any], shape: tuple[int, ...]) -> str:
    size = shape_text(shape, "×")
    if result["linear"] is None:
        return tr("arch.size_no_linear", size=size, out=shape_text(result["output"], "×"), params=num(result["params"]))
    path, n = result["linear"]
    return tr("arch.size_result", size=size, path=path, n=num(n), params=num(result["params"]))


def input_size_panel(spec: dict[str, Any]) -> None:
    """Render the panel for the current network ``spec`` (valid: the page has summarised it)."""
    code = lang()
    key = spec_json(spec)
    st.subheader(tr("arch.size_title"))
    st.caption(tr("arch.size_intro"))
    report = _report(key, code)
    for sentence in report["fixed"]:
        st.warning(sentence)
    if not report["fixed"]:
        st.success(tr("arch.size_none_fixed"))
    if report["adapters"]:
        st.info(tr("arch.size_adapters", paths=", ".join(report["adapters"])))
    own = tuple(int(v) for v in spec.get("input", ()))
    if len(own) != 3:
        st.info(tr("arch.size_not_image"))
        return
    if st.session_state.get("arch_size_for") != own:  # a new network: start from its own size
        st.session_state.update(arch_size_for=own, arch_size_h=own[1], arch_size_w=own[2])
    cols = st.columns([1, 1, 2])
    h = cols[0].number_input(tr("arch.size_h"), 1, limits.MAX_INPUT_SIDE, step=1, key="arch_size_h")
    w = cols[1].number_input(tr("arch.size_w"), 1, limits.MAX_INPUT_SIDE, step=1, key="arch_size_w")
    keep = cols[2].toggle(tr("arch.size_keep"), key="arch_size_keep", help=tr("arch.size_keep_help"))
    shape = (own[0], int(h), int(w))
    before, after = _trial(key, own, False, code), _trial(key, shape, bool(keep), code)
    if before["error"] is None:
        st.markdown(_result_text(before, own))
    if after["error"] is None:
        st.markdown(_result_text(after, shape))
    else:
        st.error(after["error"])
    if report["fixed"]:
        st.button(tr("arch.size_gap"), key="arch_size_gap", on_click=_apply_gap, help=tr("arch.size_gap_help"))
    if st.session_state.get(SIZE_ERROR):
        st.error(st.session_state[SIZE_ERROR])

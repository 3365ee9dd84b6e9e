"""Page-side helpers shared by the Architecture and Receptive-field pages: cached summaries,
table rows, downloads and the edit-and-validate step (the previous valid network is kept
when an edit is rejected)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import streamlit as st

import convviz
from convviz.arithmetic import limits, spec_edit
from convviz.arithmetic.presets import get_preset, list_presets
from convviz.errors import SpecError
from pages.ui import lang, tr

SPEC_KEY = "arch_spec"
ERROR_KEY = "arch_edit_error"
DEFAULT_PRESET = "lenet5"
SCRATCH = "__scratch__"


def spec_json(spec: dict[str, Any]) -> str:
    """Canonical JSON of a spec: the cache key of its summary."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


@st.cache_data(max_entries=32, show_spinner=False)  # a summary within the limits holds < 25 MB
def cached_summary(key: str) -> tuple[Any, dict[str, Any] | None]:
    """(Summary, None) for a valid spec, (None, error info) for one the engine rejects."""
    try:
        return convviz.summarize(json.loads(key)), None
    except SpecError as exc:
        return None, {"path": exc.path, "key": exc.key, "values": exc.values, "reason": exc.reason}


def error_text(info: dict[str, Any], lang: str) -> str:
    """An engine error (as cached) in ``lang``, starting with the layer's path."""
    return SpecError(info["reason"], info["path"], key=info["key"], values=info["values"]).localized(lang)


def current_spec() -> dict[str, Any]:
    """The network being edited (the default preset until the user picks another)."""
    if SPEC_KEY not in st.session_state:
        st.session_state[SPEC_KEY] = get_preset(DEFAULT_PRESET)
    return st.session_state[SPEC_KEY]


def try_apply(candidate: dict[str, Any], lang: str, selected: str | None = None) -> bool:
    """Make ``candidate`` the current network if the engine accepts it; otherwise keep the
    previous one and remember the message (shown next to the editor)."""
    summary, info = cached_summary(spec_json(candidate))
    if info is not None:
        st.session_state[ERROR_KEY] = error_text(info, lang)
        return False
    st.session_state[SPEC_KEY] = candidate
    st.session_state.pop(ERROR_KEY, None)
    if selected is not None:
        st.session_state["arch_layer"] = selected
    return True


def preset_options() -> list[str]:
    return [SCRATCH, *list_presets()]


def scratch_spec() -> dict[str, Any]:
    return {"name": "my_network", "input": [3, 32, 32], "layers": [spec_edit.new_layer("Conv2d"), spec_edit.new_layer("ReLU")]}


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_texts(key: str, lang: str) -> Mapping[str, Any]:
    """Table, CSV, Markdown and PyTorch code of a valid spec (by its JSON), all rendered by
    :mod:`convviz.arithmetic.formatting` (the CLI's renderers; the CSV with a totals row).

    Shared read-only between reruns and sessions (cache_resource: st.cache_data unpickled the
    whole dict on every rerun), and the table is an Arrow table already: st.dataframe turned
    the pandas frame into Arrow again on every rerun (an eighth of the page's rerun)."""
    from convviz.arithmetic.export import to_pytorch
    from convviz.arithmetic.formatting import records, render_csv, render_markdown
    from pages.ui.tables import arrow

    summary, _ = cached_summary(key)
    return MappingProxyType({
        "frame": arrow(records(summary, lang, section="arch")),
        "csv": render_csv(summary, lang, totals=True),
        "markdown": render_markdown(summary, lang, number_lang=lang),
        "pytorch": to_pytorch(json.loads(key)),
    })


@st.cache_resource(max_entries=48, show_spinner=False)
def cached_figure(kind: str, key: str, lang: str, log: bool = False, other: str = "", names: tuple[str, str] = ("", "")) -> Any:
    """A figure of the Architecture page, built once per (spec, options): figures are not
    modified after building, so the same object is shared (cache_resource, no copy)."""
    from convviz.figures import architecture as figs

    summary, _ = cached_summary(key)
    if kind == "costs":
        return figs.cost_bars(summary.layers, log=log, lang=lang)
    if kind == "flow":
        return figs.shape_flow(summary.layers, summary.input_shape, lang=lang)
    other_summary, _ = cached_summary(other)
    return figs.comparison_bars(summary, other_summary, names[0], names[1], lang)


# ------------------------------------------------------------------ callbacks of the Architecture page
def sync_input(spec: dict[str, Any]) -> None:
    """The input-size widgets show the input of ``spec``."""
    for axis, value in zip("chw", spec.get("input", [3, 32, 32]), strict=False):
        st.session_state[f"arch_in_{axis}"] = int(value)


def load_preset() -> None:
    """The preset picker (or Reload): make the chosen network the current one."""
    name = st.session_state["arch_preset"]
    spec = scratch_spec() if name == SCRATCH else get_preset(name)
    st.session_state[SPEC_KEY] = spec
    st.session_state.pop(ERROR_KEY, None)
    st.session_state["arch_layer"] = "layers.0"
    sync_input(spec)


def import_upload() -> None:
    """An uploaded JSON spec becomes the current network if the engine accepts it; the
    reason otherwise, in the user's language (not Python's exception text)."""
    upload = st.session_state.get("arch_upload")
    if upload is None:
        return
    try:
        data = limits.loads(upload.getvalue())  # the length is checked before decoding
    except SpecError as exc:  # too long, too deeply nested, too many digits
        st.session_state[ERROR_KEY] = tr("arch.bad_upload", error=exc.localized(lang()))
        return
    except UnicodeDecodeError:
        st.session_state[ERROR_KEY] = tr("arch.bad_upload", error=tr("arch.upload_not_text"))
        return
    except json.JSONDecodeError as exc:
        st.session_state[ERROR_KEY] = tr("arch.bad_upload", error=tr("arch.upload_bad_json", line=exc.lineno, col=exc.colno))
        return
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        st.session_state[ERROR_KEY] = tr("arch.bad_upload", error=tr("arch.need_layers"))
        return
    if try_apply(data, lang(), "layers.0"):
        sync_input(data)


JSON_ERRORS = {  # the start of Python's json message -> what to tell the student
    "Expecting property name": "json_need_quotes", "Expecting ',' delimiter": "json_need_comma",
    "Expecting ':' delimiter": "json_need_colon", "Expecting value": "json_need_value",
    "Extra data": "json_extra", "Unterminated string": "json_unterminated",
}


def json_error_text(exc: json.JSONDecodeError) -> str:
    """Where the JSON breaks and why, in the user's language (not Python's English text)."""
    key = next((k for start, k in JSON_ERRORS.items() if exc.msg.startswith(start)), "json_other")
    return tr("arch.json_at", line=exc.lineno, col=exc.colno, what=tr(f"arch.{key}"))

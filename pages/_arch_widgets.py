"""Page-side helpers shared by the Architecture and Receptive-field pages: cached summaries,
table rows, downloads and the edit-and-validate step (the previous valid network is kept
when an edit is rejected)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import streamlit as st

import convviz
from convviz import spec_edit
from convviz.errors import SpecError
from convviz.figures.architecture import human
from convviz.presets import get_preset, list_presets

SPEC_KEY = "arch_spec"
ERROR_KEY = "arch_edit_error"
DEFAULT_PRESET = "lenet5"
SCRATCH = "__scratch__"


def spec_json(spec: dict[str, Any]) -> str:
    """Canonical JSON of a spec: the cache key of its summary."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


@st.cache_data(max_entries=64, show_spinner=False)
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


def shape_text(shape: Any) -> str:
    return "×".join(str(v) for v in shape)


def field_text(rf: Any) -> str:
    if rf is None:
        return ""
    size, jump = rf.size, rf.jump
    return f"{size[0]}×{size[1]} / {jump[0]}"


def table_rows(summary: Any, lang: str) -> list[dict[str, Any]]:
    """One dict per row of the summary, for st.dataframe (plain numbers)."""
    return [
        {
            "path": "\u2003" * row.depth + row.path,
            "type": row.type,
            "output": shape_text(row.output_shape),
            "params": row.params,
            "macs": row.macs,
            "memory": human(row.memory_bytes) + "B",
            "rf": field_text(row.receptive_field),
            "warnings": " | ".join(note.text(lang) for note in row.warnings),
        }
        for row in summary.layers
    ]


def csv_text(summary: Any, lang: str) -> str:
    """The summary table as CSV (plain numbers; the receptive field as size/jump/start)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["path", "type", "output_shape", "params", "macs", "memory_bytes", "rf_size", "rf_jump", "rf_start", "warnings"])
    for row in summary.layers:
        rf = row.receptive_field
        writer.writerow([
            row.path, row.type, shape_text(row.output_shape), row.params, row.macs, row.memory_bytes,
            "" if rf is None else shape_text(rf.size), "" if rf is None else shape_text(rf.jump),
            "" if rf is None else shape_text(rf.start), " | ".join(n.text(lang) for n in row.warnings),
        ])
    writer.writerow(["total", "", shape_text(summary.output_shape), summary.total_params, summary.total_macs,
                     summary.total_memory_bytes, "", "", "", ""])
    return out.getvalue()


def markdown_text(summary: Any, lang: str) -> str:
    """The summary table as a Markdown table with a totals line."""
    lines = [
        f"# {summary.name}",
        "",
        "| path | type | output | params | MACs | memory | RF | warnings |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for row in summary.layers:
        warn = " / ".join(n.text(lang) for n in row.warnings).replace("|", "\\|")
        lines.append(
            f"| {row.path} | {row.type} | {shape_text(row.output_shape)} | {row.params:,} | {row.macs:,} | "
            f"{row.memory_bytes:,} | {field_text(row.receptive_field)} | {warn} |"
        )
    lines.append(
        f"| **total** | | {shape_text(summary.output_shape)} | **{summary.total_params:,}** | "
        f"**{summary.total_macs:,}** | **{summary.total_memory_bytes:,}** | | |"
    )
    return "\n".join(lines) + "\n"


@st.cache_data(max_entries=32, show_spinner=False)
def cached_texts(key: str, lang: str) -> dict[str, Any]:
    """Table rows, CSV, Markdown and PyTorch code of a valid spec (by its JSON)."""
    import pandas as pd

    from convviz.i18n import translate
    from convviz.pytorch_export import to_pytorch

    summary, _ = cached_summary(key)
    frame = pd.DataFrame(table_rows(summary, lang))
    frame.columns = [translate(f"arch.col_{c}", lang) for c in frame.columns]
    return {
        "frame": frame,
        "csv": csv_text(summary, lang),
        "markdown": markdown_text(summary, lang),
        "pytorch": to_pytorch(json.loads(key)),
    }


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

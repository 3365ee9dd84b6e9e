"""Architecture planner: pick or build a network, edit it, and see its shapes, costs and
receptive fields per layer, with charts, exports and a side-by-side comparison."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from convviz.arithmetic import limits, spec_edit
from convviz.arithmetic.formatting import human, human_bytes, shape_text
from convviz.arithmetic.layers import BLOCK_TYPES
from convviz.arithmetic.presets import describe, get_preset, list_presets
from convviz.errors import SpecError
from convviz.figures import architecture as figs
from pages.ui import lang, num, number_format, sig, start_page, tr, url_state
from pages.ui.arch_diagram import on_table_select, render_diagram, sync_table
from pages.ui.arch_widgets import (
    ERROR_KEY,
    SCRATCH,
    cached_figure,
    cached_summary,
    cached_texts,
    current_spec,
    error_text,
    import_upload,
    json_error_text,
    load_preset,
    preset_options,
    spec_json,
    sync_input,
    try_apply,
)
from pages.ui.charts import frozen
from pages.ui.input_size_panel import input_size_panel
from pages.ui.safe_run import end_page
from pages.ui.tables import arrow

start_page(__file__)
url_state.begin(__file__)  # a link's settings in before any widget; the URL and Copy link out

st.title(tr("arch.page_title"))
st.caption(tr("arch.intro"))
LANG = lang()


# ------------------------------------------------------------------ callbacks (run before the rerun)
def _set_input() -> None:
    shape = [st.session_state[f"arch_in_{axis}"] for axis in "chw"]
    try_apply(spec_edit.set_input(current_spec(), shape), LANG)


def _edit(action: str) -> None:
    spec = current_spec()
    path = st.session_state.get("arch_layer", "layers.0")
    try:
        if action == "apply":
            text = st.session_state.get(_args_key(spec, path), "{}")
            try:
                args = limits.loads(text, limits.MAX_TEXT_CHARS)
            except json.JSONDecodeError as exc:
                st.session_state[ERROR_KEY] = tr("arch.bad_json", path=path, error=json_error_text(exc))
                return
            except SpecError as exc:  # too long or too deeply nested
                st.session_state[ERROR_KEY] = tr("arch.bad_json", path=path, error=exc.localized(LANG))
                return
            try_apply(spec_edit.replace_args(spec, path, args), LANG, path)
        elif action == "remove":
            list_path, index = spec_edit.split_path(path)
            nxt = f"{list_path}.{max(index - 1, 0)}"
            try_apply(spec_edit.remove_layer(spec, path), LANG, nxt)
        elif action in ("up", "down"):
            new, new_path = spec_edit.move_layer(spec, path, -1 if action == "up" else 1)
            try_apply(new, LANG, new_path)
        elif action == "add":
            layer = spec_edit.new_layer(st.session_state.get("arch_new_type", "Conv2d"))
            list_path, index = spec_edit.split_path(path)
            try_apply(spec_edit.add_after(spec, path, layer), LANG, f"{list_path}.{index + 1}")
        elif action == "residual":
            try_apply(spec_edit.wrap_residual(spec, path), LANG, path)
        elif action == "concat":
            try_apply(spec_edit.wrap_concat(spec, path), LANG, path)
        elif action == "unwrap":
            try_apply(spec_edit.unwrap(spec, path), LANG, path)
        elif action == "branch":
            try_apply(spec_edit.add_branch(spec, path), LANG, path)
    except spec_edit.EditError as exc:
        st.session_state[ERROR_KEY] = exc.localized(LANG)


def _args_key(spec: dict, path: str) -> str:
    digest = hashlib.sha1((spec_json(spec) + path).encode()).hexdigest()[:12]
    return f"arch_args_{digest}"


# ------------------------------------------------------------------ network source
spec = current_spec()
if "arch_in_c" not in st.session_state:
    sync_input(spec)
if "arch_preset" not in st.session_state:  # the preset the current network came from
    st.session_state["arch_preset"] = next(
        (name for name in list_presets() if get_preset(name) == spec), SCRATCH
    )
# the network and its input in one row, so the diagram starts on the first screen (a phone stacks them)
row = st.columns([2.2, 1, 1, 1, 1.4], vertical_alignment="bottom")
row[0].selectbox(
    tr("arch.preset"), preset_options(), key="arch_preset", on_change=load_preset,
    persist_state="session",
    format_func=lambda n: tr("arch.from_scratch") if n == SCRATCH else f"{n} · {describe(n, LANG)}",
    help=tr("arch.preset_help"),
)
for col, axis in zip(row[1:4], "chw", strict=True):
    col.number_input(tr(f"arch.input_{axis}"), min_value=1, max_value=4096, step=1, key=f"arch_in_{axis}", on_change=_set_input)
row[4].button(tr("arch.reload"), key="arch_reload", on_click=load_preset)

KEY = spec_json(spec)
summary, info = cached_summary(KEY)
if info is not None:  # an imported or stored network the engine rejects (never an edit)
    st.error(error_text(info, LANG))
    end_page()

# ------------------------------------------------------------------ totals
st.subheader(tr("arch.totals", name=summary.name))
m1, m2, m3, m4 = st.columns(4)
m1.metric(tr("arch.metric_params"), human(summary.total_params, lang=LANG), help=num(summary.total_params))
m2.metric(tr("arch.metric_macs"), human(summary.total_macs, lang=LANG), help=num(summary.total_macs))
m3.metric(tr("arch.metric_memory"), human_bytes(summary.total_memory_bytes, LANG), help=f"{num(summary.total_memory_bytes)} B")
m4.metric(tr("arch.output_shape"), shape_text(summary.output_shape, "×"))

# ------------------------------------------------------------------ diagram and editor
paths = spec_edit.layer_paths(spec)
types = {row.path: row for row in summary.layers}
if paths and st.session_state.get("arch_layer") not in paths:
    st.session_state["arch_layer"] = paths[0]
render_diagram(KEY, summary, paths)
st.markdown(tr(  # the exact totals below the diagram: the diagram starts on the first screen
    "arch.totals_plain", params=num(summary.total_params), trainable=num(summary.trainable_params),
    buffers=num(summary.total_buffers), macs=num(summary.total_macs), memory=num(summary.total_memory_bytes),
))
if summary.side_outputs:  # auxiliary classifiers (Side blocks)
    st.caption(tr("arch.side_outputs", outputs=", ".join(f"{p} → {shape_text(s, '×')}" for p, s in summary.side_outputs)))
st.subheader(tr("arch.editor"))
if not paths:
    st.info(tr("arch.empty"))
if paths:
    path = st.selectbox(
        tr("arch.layer"), paths, key="arch_layer",
        format_func=lambda p: f"{p} · {types[p].type} → {shape_text(types[p].output_shape, '×')}" if p in types else p,
    )
    row = types.get(path)
    layer = spec_edit.get_layer(spec, path)
    for note in row.warnings if row else []:
        st.warning(f"{path} ({row.type}): {note.text(LANG)}")
    if st.session_state.get(ERROR_KEY):
        st.error(st.session_state[ERROR_KEY])
    st.text_area(
        tr("arch.args", type=layer.get("type")), value=json.dumps(spec_edit.layer_args(layer)),
        key=_args_key(spec, path), help=tr("arch.args_help"), max_chars=limits.MAX_TEXT_CHARS,
    )
    b = st.columns(4)
    b[0].button(tr("arch.apply"), key="arch_apply", on_click=_edit, args=("apply",), type="primary")
    b[1].button(tr("arch.remove"), key="arch_remove", on_click=_edit, args=("remove",))
    b[2].button(tr("arch.up"), key="arch_up", on_click=_edit, args=("up",))
    b[3].button(tr("arch.down"), key="arch_down", on_click=_edit, args=("down",))
    c = st.columns(4)
    c[0].button(tr("arch.wrap_residual"), key="arch_wrap_res", on_click=_edit, args=("residual",))
    c[1].button(tr("arch.wrap_concat"), key="arch_wrap_cat", on_click=_edit, args=("concat",))
    if layer.get("type") in BLOCK_TYPES:
        c[2].button(tr("arch.unwrap"), key="arch_unwrap", on_click=_edit, args=("unwrap",))
    if layer.get("type") == "Concat":
        c[3].button(tr("arch.add_branch"), key="arch_branch", on_click=_edit, args=("branch",))
    a = st.columns([2, 1])
    a[0].selectbox(tr("arch.new_type"), list(spec_edit.NEW_LAYER_DEFAULTS), key="arch_new_type")
    a[1].button(tr("arch.add_after"), key="arch_add", on_click=_edit, args=("add",))

# ------------------------------------------------------------------ table
st.subheader(tr("arch.table"))
texts = cached_texts(KEY, LANG)
frame = texts["frame"]
row_paths = [r.path for r in summary.layers]
sync_table(row_paths)
st.dataframe(arrow(frame), hide_index=True, width="stretch", height=min(38 * (len(frame) + 1), 520), key="arch_table",
             on_select=lambda: on_table_select(row_paths), selection_mode="single-row",
             column_config={tr(f"arch.col_{c}"): st.column_config.NumberColumn(format=number_format(LANG))
                            for c in ("params", "macs")})
warned = [r for r in summary.layers if r.warnings]
if warned:
    with st.expander(tr("arch.warnings", n=sum(len(r.warnings) for r in warned))):
        for r in warned:
            for note in r.warnings:
                st.warning(f"**{r.path}** ({r.type}): {note.text(LANG)}")

input_size_panel(spec)  # which layers fix the input size; another size; global pooling

# ------------------------------------------------------------------ import / export
st.subheader(tr("arch.import_export"))
d = st.columns(3)
d[0].download_button(tr("arch.download_json"), json.dumps(spec, indent=2), f"{summary.name}.json", "application/json", key="arch_dl_json")
d[1].download_button(tr("arch.download_csv"), texts["csv"], f"{summary.name}.csv", "text/csv", key="arch_dl_csv")
d[2].download_button(tr("arch.download_md"), texts["markdown"], f"{summary.name}.md", "text/markdown", key="arch_dl_md")
st.file_uploader(tr("arch.upload"), type=["json"], key="arch_upload", on_change=import_upload, help=tr("arch.upload_help"))
with st.expander(tr("arch.pytorch")):
    st.code(texts["pytorch"], language="python")

# ------------------------------------------------------------------ charts
st.subheader(tr("arch.charts"))
log = st.toggle(tr("arch.log_scale"), key="arch_log", value=True)
st.plotly_chart(frozen(cached_figure("costs", KEY, LANG, log=log)), width="stretch", key="arch_costs")
st.plotly_chart(frozen(cached_figure("flow", KEY, LANG)), width="stretch", key="arch_flow")

# ------------------------------------------------------------------ comparison
st.subheader(tr("arch.compare"))
CURRENT = "__current__"
options = [CURRENT, *list_presets()]
label = lambda n: tr("arch.current_network") if n == CURRENT else n  # noqa: E731
long_label = lambda n: label(n) if n == CURRENT else f"{n} · {describe(n, LANG)}"  # noqa: E731
st.session_state.setdefault("arch_cmp_a", "lecture_5x5_direct")
st.session_state.setdefault("arch_cmp_b", "lecture_1x1_bottleneck")
e = st.columns(2)
name_a = e[0].selectbox(tr("arch.network_a"), options, key="arch_cmp_a", format_func=long_label)
name_b = e[1].selectbox(tr("arch.network_b"), options, key="arch_cmp_b", format_func=long_label)
side, keys = {}, {}
for key, name in (("a", name_a), ("b", name_b)):
    keys[key] = KEY if name == CURRENT else spec_json(get_preset(name))
    side[key], _ = cached_summary(keys[key])
rows = figs.compare_totals(side["a"], side["b"])
st.dataframe(arrow([
    {
        tr("arch.col_metric"): tr(f"arch.metric_{r['metric']}"),
        # memory is in bytes: say so (the totals above show kB)
        f"A: {label(name_a)}": num(r["a"]) + (" B" if r["metric"] == "memory" else ""),
        f"B: {label(name_b)}": num(r["b"]) + (" B" if r["metric"] == "memory" else ""),
        "B / A": "" if r["ratio"] is None else sig(r["ratio"]),
    }
    for r in rows
]), hide_index=True, width="stretch")
names = (f"A: {label(name_a)}", f"B: {label(name_b)}")
st.plotly_chart(frozen(cached_figure("compare", keys["a"], LANG, other=keys["b"], names=names)), width="stretch", key="arch_cmp_fig")

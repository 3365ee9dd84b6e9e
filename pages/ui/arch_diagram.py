"""The Architecture page's diagram panel: the network drawn from its spec
(:mod:`convviz.arithmetic.diagram`, :mod:`convviz.figures.architecture_diagram`); a click on
a box selects that layer in the editor (``arch_layer``) and in the table (``arch_table``)."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from convviz.arithmetic.formatting import shape_text
from convviz.i18n import fmt_number, translate
from pages.ui import lang, tr
from pages.ui.charts import frozen

TABLE_KEY = "arch_table"
COLLAPSE_KEY = "arch_diagram_collapse"
MAX_LISTED = 6  # paths listed in a collapsed box's hover


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_diagram(key: str, collapse: bool, language: str) -> Any:
    """The layout of a valid spec (by its JSON), built once (never modified afterwards);
    fractional numbers in the labels (Dropout 0,5) in ``language``'s format."""
    from convviz.arithmetic.diagram import build_diagram
    from convviz.arithmetic.spec import parse_spec
    from pages.ui.arch_widgets import cached_summary

    summary, _ = cached_summary(key)
    network = parse_spec(json.loads(key))
    return build_diagram(network, summary.layers if summary is not None else (), collapse=collapse,
                         fmt=lambda v: fmt_number(v, language))


def _hovers(diagram: Any, summary: Any, language: str) -> list[str]:
    rows = {row.path: row for row in summary.layers}
    out = []
    for box in diagram.boxes:
        row = rows.get(box.id)
        text = translate("arch.diagram_hover", language, path=box.id, type=box.type,
                         shape=shape_text(box.shape, "×") if box.shape else "?",
                         params=fmt_number(row.params, language) if row is not None else "?")
        if len(box.paths) > 1:
            listed = ", ".join(box.paths[:MAX_LISTED]) + (", …" if len(box.paths) > MAX_LISTED else "")
            text += translate("arch.diagram_hover_repeat", language, n=fmt_number(len(box.paths), language), paths=listed)
        out.append(text)
    return out


@st.cache_resource(max_entries=48, show_spinner=False)
def cached_diagram_figure(key: str, language: str, collapse: bool, selected: str | None) -> Any:
    """The figure of the diagram with ``selected`` outlined; shared, never modified."""
    from convviz.figures import separators
    from convviz.figures.architecture_diagram import diagram_figure
    from pages.ui.arch_widgets import cached_summary

    summary, _ = cached_summary(key)
    diagram = cached_diagram(key, collapse, language)
    return diagram_figure(diagram, _hovers(diagram, summary, language), selected=selected,
                          separators=separators(language))


def _on_click(chart_key: str, paths: list[str]) -> None:
    """A click on a box (point selection; ``customdata = [path]``): select that layer."""
    points = ((st.session_state.get(chart_key) or {}).get("selection") or {}).get("points") or []
    data = [p.get("customdata") for p in points if isinstance(p.get("customdata"), list)]
    if not data or not data[0] or data[0][0] not in paths:
        return
    st.session_state["arch_layer"] = data[0][0]
    st.session_state["arch_diagram_n"] = st.session_state.get("arch_diagram_n", 0) + 1


def on_table_select(paths: list[str]) -> None:
    """A click on a row of the table: select that layer in the editor."""
    rows = ((st.session_state.get(TABLE_KEY) or {}).get("selection") or {}).get("rows") or []
    if rows and 0 <= int(rows[0]) < len(paths):
        st.session_state["arch_layer"] = paths[int(rows[0])]


def sync_table(row_paths: list[str]) -> None:
    """Make the table's selected row the layer selected in the editor (before the table is drawn)."""
    path = st.session_state.get("arch_layer")
    want = [row_paths.index(path)] if path in row_paths else []
    state = st.session_state.get(TABLE_KEY) or {}
    have = list((state.get("selection") or {}).get("rows") or [])
    if have != want:
        st.session_state[TABLE_KEY] = {"selection": {"rows": want, "columns": []}}


def render_diagram(key: str, summary: Any, paths: list[str]) -> None:
    """The diagram section: collapse toggle, legend, the clickable figure (in a scrolling box)."""
    head = st.columns([3, 2], vertical_alignment="bottom")  # the toggle beside the title: one row less
    head[0].subheader(tr("arch.diagram"))
    collapse = head[1].toggle(tr("arch.diagram_collapse"), key=COLLAPSE_KEY, value=True, help=tr("arch.diagram_collapse_help"))
    selected = st.session_state.get("arch_layer")
    fig = cached_diagram_figure(key, lang(), collapse, selected if selected in paths else None)
    chart_key = f"arch_diagram_{st.session_state.get('arch_diagram_n', 0)}"
    box = st.container(height=min(fig.layout.height + 30, 640), border=True)
    box.plotly_chart(frozen(fig), width="content", key=chart_key, config={"displayModeBar": False}, theme=None,
                     on_select=lambda: _on_click(chart_key, paths), selection_mode="points")
    if selected in paths:
        st.caption(tr("arch.diagram_picked", path=selected))
    st.caption(tr("arch.diagram_help"))  # below the figure: the figure starts on the first screen

"""Figures of the Architecture page: costs per layer, the shape flow, and comparisons.

Pure functions: summary rows (dicts or the engine's LayerRow objects) in, plotly figure out.
Labels come from the string catalog (section ``arch``) in ``lang``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.arithmetic.formatting import human, human_bytes, shape_text
from convviz.arithmetic.layers import BLOCK_TYPES
from convviz.figures import separators
from convviz.i18n import fmt_number, translate

_FONT = {"size": 15}
PARAMS_COLOR = "#1f77b4"
MACS_COLOR = "#d62728"


_separators = separators  # its former local name, for code written against it (merge in flight)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)




def leaf_rows(rows: Sequence[Any]) -> list[Any]:
    """The rows of real layers (not Residual / Concat blocks, whose rows repeat their children's totals)."""
    return [r for r in rows if _get(r, "type") not in BLOCK_TYPES]


def cost_bars(rows: Sequence[Any], log: bool = False, lang: str = "en") -> go.Figure:
    """Parameters (top) and multiplications (bottom) of every layer that has any, in order.

    Both bar heights are the engine's per-layer numbers; ``log`` switches the y axes to a
    log scale (layers with 0 are then left out of that panel)."""
    leaves = [r for r in leaf_rows(rows) if _get(r, "params") or _get(r, "macs")]
    paths = [_get(r, "path") for r in leaves]
    labels = [f"{_get(r, 'path').removeprefix('layers.')} {_get(r, 'type')}" for r in leaves]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        subplot_titles=(translate("arch.fig_params", lang), translate("arch.fig_macs", lang)),
    )
    for index, (name, color) in enumerate((("params", PARAMS_COLOR), ("macs", MACS_COLOR)), start=1):
        values = [_get(r, name) for r in leaves]
        keep = [k for k, v in enumerate(values) if v > 0 or not log]
        fig.add_trace(
            go.Bar(
                x=[labels[k] for k in keep], y=[values[k] for k in keep], marker_color=color,
                name=translate(f"arch.fig_{name}", lang),
                customdata=[[paths[k], human(values[k], lang=lang)] for k in keep],
                hovertemplate="%{customdata[0]}<br>%{y:,} (%{customdata[1]})<extra></extra>",
            ),
            row=index, col=1,
        )
        fig.update_yaxes(type="log" if log else "linear", row=index, col=1)
    fig.update_xaxes(categoryorder="array", categoryarray=labels, tickangle=-60)
    # tick labels only under the bottom panel: under the top one they ran into its title
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    fig.update_xaxes(showticklabels=len(labels) <= 80, row=2, col=1)
    fig.update_layout(showlegend=False, height=620, margin={"l": 40, "r": 10, "t": 40, "b": 10}, font=_FONT, bargap=0.15,
                      separators=separators(lang))
    return fig


def flow_stages(rows: Sequence[Any], input_shape: Sequence[int], lang: str = "en"
                ) -> list[tuple[str, tuple[int, ...]]]:
    """(label, shape) of the input and of every top-level layer whose output shape differs
    from the previous one: the stages of the shape-flow picture."""
    stages: list[tuple[str, tuple[int, ...]]] = [(translate("arch.fig_flow_input", lang), tuple(input_shape))]
    for r in rows:
        if _get(r, "path").count(".") != 1:
            continue
        shape = tuple(_get(r, "output_shape"))
        if shape != stages[-1][1]:
            stages.append((f"{_get(r, 'path').removeprefix('layers.')} {_get(r, 'type')}", shape))
    return stages


def shape_flow(rows: Sequence[Any], input_shape: Sequence[int], lang: str = "en") -> go.Figure:
    """Each stage's tensor drawn as a box: its height is the map's height H, its slant depth
    the width W (both relative to the largest), its thickness grows with log2(C), so the
    shrinking map and the growing number of channels show at once. Flat (1-D) outputs are
    thin bars whose height grows with log2(features)."""
    stages = flow_stages(rows, input_shape, lang)
    maps = [s for _, s in stages if len(s) == 3]
    h_max = max((s[1] for s in maps), default=1)
    w_max = max((s[2] for s in maps), default=1)
    c_max = max((s[0] for _, s in stages), default=2)
    front_x: list[float | None] = []
    front_y: list[float | None] = []
    top_x: list[float | None] = []
    top_y: list[float | None] = []
    side_x: list[float | None] = []
    side_y: list[float | None] = []
    label_x, label_y, label_text, hover = [], [], [], []
    x = 0.0
    for name, shape in stages:
        if len(shape) == 3:
            c, h, w = shape
            height = 0.15 + 0.85 * h / h_max
            depth = 0.05 + 0.4 * w / w_max
        else:
            c = math.prod(shape)
            height = 0.15 + 0.85 * math.log2(c + 1) / math.log2(max(c_max, c) + 1)
            depth = 0.05
        thick = 0.08 + 0.5 * math.log2(c + 1) / math.log2(max(c_max, 2) + 1)
        y0, y1 = -height / 2, height / 2
        front_x += [x, x + thick, x + thick, x, x, None]
        front_y += [y0, y0, y1, y1, y0, None]
        top_x += [x, x + thick, x + thick + depth, x + depth, x, None]
        top_y += [y1, y1, y1 + depth, y1 + depth, y1, None]
        side_x += [x + thick, x + thick + depth, x + thick + depth, x + thick, x + thick, None]
        side_y += [y0, y0 + depth, y1 + depth, y1, y0, None]
        text = shape_text((shape[1], shape[2], shape[0]) if len(shape) == 3 else shape, "×")
        label_x.append(x + thick / 2)
        label_y.append(y0 - 0.08)
        label_text.append(text)
        hover.append(f"{name}<br>{translate('arch.fig_hwc', lang)}: {text}")
        x += thick + depth + 0.35
    fig = go.Figure()
    for xs, ys, color in ((side_x, side_y, "#9ecae1"), (top_x, top_y, "#c6dbef"), (front_x, front_y, "#4292c6")):
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", line={"color": "#08306b", "width": 1},
                                 fillcolor=color, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=label_x, y=label_y, mode="text", text=label_text, textposition="bottom center",
        textfont={"size": 11}, hovertext=hover, hoverinfo="text", showlegend=False,
    ))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title=translate("arch.fig_flow_title", lang), height=380, font=_FONT,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white", separators=separators(lang),
    )
    return fig


def compare_totals(a: Any, b: Any) -> list[dict[str, Any]]:
    """Totals of two summaries side by side with the ratio B / A (None when A is 0):
    parameters, multiplications, activation memory (bytes)."""
    out = []
    for key, attr in (("params", "total_params"), ("macs", "total_macs"), ("memory", "total_memory_bytes")):
        va, vb = int(getattr(a, attr)), int(getattr(b, attr))
        out.append({"metric": key, "a": va, "b": vb, "ratio": (vb / va) if va else None})
    return out


def comparison_bars(a: Any, b: Any, name_a: str, name_b: str, lang: str = "en") -> go.Figure:
    """Grouped bars (log scale) of parameters, multiplications and memory for networks A and B,
    each pair labelled with the ratio B / A."""
    table = compare_totals(a, b)
    metrics = [translate(f"arch.metric_{row['metric']}", lang) for row in table]
    fig = go.Figure()
    for side, name, color in (("a", name_a, PARAMS_COLOR), ("b", name_b, MACS_COLOR)):
        values = [row[side] for row in table]
        fig.add_trace(go.Bar(
            x=metrics, y=[max(v, 1) for v in values], name=name, marker_color=color,
            text=[human_bytes(v, lang) if row["metric"] == "memory" else human(v, lang=lang)
                  for row, v in zip(table, values, strict=True)],
            textposition="outside",
            hovertemplate="%{x}: %{customdata:,}<extra>" + name + "</extra>", customdata=values,
        ))
    for metric, row in zip(metrics, table, strict=True):
        if row["ratio"] is not None:
            fig.add_annotation(x=metric, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                               text=f"B/A = {fmt_number(row['ratio'], lang, spec='.3g')}", font={"size": 14})
    fig.update_yaxes(type="log")
    fig.update_layout(barmode="group", height=420, font=_FONT, margin={"l": 40, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "y": -0.12}, separators=separators(lang))
    return fig

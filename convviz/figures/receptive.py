"""Figures of the Receptive-field page: a unit's field on the input image, the field's growth
layer by layer, dilation versus stacking, and the effective receptive field.

Pure functions (numpy / summary rows in, plotly figure out); labels from catalog section ``rf``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.arithmetic.rf_draw import Rect, StackSampling
from convviz.figures import separators
from convviz.i18n import translate

_FONT = {"size": 15}
FIELD_COLOR = "#ff7f0e"
CENTER_COLOR = "#d62728"


def _rect_shape(rect: Rect, color: str, dash: str = "solid", width: int = 3) -> dict[str, Any]:
    # pixel (r, c) covers [c - 0.5, c + 0.5] x [r - 0.5, r + 0.5] on the image axes
    return {
        "type": "rect", "x0": rect.left - 0.5, "x1": rect.right + 0.5, "y0": rect.top - 0.5, "y1": rect.bottom + 0.5,
        "line": {"color": color, "width": width, "dash": dash}, "fillcolor": "rgba(255,127,14,0.12)" if dash == "solid" else None,
    }


def field_on_image(image: np.ndarray, rect: Rect, center: tuple[float, float], lang: str = "en") -> go.Figure:
    """The input image with the unit's receptive field (``rect``, inclusive pixel bounds that
    may run past the image into the padding: that part is drawn dashed) and its centre."""
    img = np.asarray(image, dtype=np.uint8)
    h, w = img.shape[:2]
    # a PNG data URI is far smaller to send than the pixel values as numbers
    from convviz.images import encode_png

    uri = "data:image/png;base64," + base64.b64encode(encode_png(img)).decode("ascii")
    fig = go.Figure(go.Image(source=uri, hoverinfo="x+y"))
    inside = Rect(max(rect.top, 0), max(rect.left, 0), min(rect.bottom, h - 1), min(rect.right, w - 1))
    fig.add_shape(**{**_rect_shape(rect, FIELD_COLOR, "dash", 2), "fillcolor": "rgba(0,0,0,0)"})
    if inside.top <= inside.bottom and inside.left <= inside.right:
        fig.add_shape(**_rect_shape(inside, FIELD_COLOR))
    fig.add_trace(go.Scatter(x=[center[1]], y=[center[0]], mode="markers", marker={"color": CENTER_COLOR, "size": 10, "symbol": "x"},
                             name=translate("rf.fig_center", lang), hovertemplate="(%{y}, %{x})<extra></extra>"))
    pad = max(0.0, -rect.left, -rect.top, rect.right - (w - 1), rect.bottom - (h - 1)) + 1
    fig.update_xaxes(range=[-0.5 - pad, w - 0.5 + pad], showgrid=False, constrain="domain")
    fig.update_yaxes(range=[h - 0.5 + pad, -0.5 - pad], showgrid=False, scaleanchor="x")
    fig.update_layout(separators=separators(lang), height=480, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=_FONT, showlegend=False,
                      title=translate("rf.fig_field_title", lang, size=f"{rect.height:g}×{rect.width:g}"))
    return fig


def unit_grid(height: int, width: int, selected: tuple[int, int], lang: str = "en") -> go.Figure:
    """Every unit of a feature map as a clickable dot (row i down, column j across); the
    selected one is highlighted. Used with ``st.plotly_chart(on_select="rerun")``."""
    ii, jj = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    fig = go.Figure(go.Scattergl(
        x=jj.ravel().tolist(), y=ii.ravel().tolist(), mode="markers",
        marker={"size": max(3, min(16, 360 // max(height, width, 1))), "color": "#6baed6"},
        hovertemplate="(i=%{y}, j=%{x})<extra></extra>", name="units",
    ))
    fig.add_trace(go.Scatter(x=[selected[1]], y=[selected[0]], mode="markers", hoverinfo="skip",
                             marker={"size": max(8, min(22, 480 // max(height, width, 1))), "color": CENTER_COLOR, "symbol": "square"}))
    # tight ranges: one cell of margin, no empty columns beside the map (constrain="domain")
    fig.update_yaxes(range=[height - 0.5, -0.5], scaleanchor="x", constrain="domain", title=None)
    fig.update_xaxes(range=[-0.5, width - 0.5], constrain="domain", title="j →", side="top")
    fig.add_annotation(text="i ↓", x=-0.5, y=-0.5, xshift=-18, xanchor="right", yanchor="bottom",
                       showarrow=False, font={"size": 15})
    fig.update_layout(separators=separators(lang), height=360, margin={"l": 40, "r": 10, "t": 70, "b": 10}, showlegend=False, font=_FONT,
                      clickmode="event+select", dragmode="select",
                      title=translate("rf.fig_grid_title", lang, h=height, w=width))
    return fig


def growth_chart(rows: Sequence[Any], lang: str = "en", selected: str | None = None) -> go.Figure:
    """Receptive-field size (height and width) and jump of every layer that has a field, in
    network order; the selected layer is marked."""
    pts = []
    for r in rows:
        rf = r["receptive_field"] if isinstance(r, dict) else getattr(r, "receptive_field", None)
        if rf is None:
            continue
        d = rf if isinstance(rf, dict) else rf.to_dict()
        path = r["path"] if isinstance(r, dict) else r.path
        kind = r["type"] if isinstance(r, dict) else r.type
        pts.append((path, kind, d["size"], d["jump"]))
    x = list(range(len(pts)))
    labels = [f"{p.removeprefix('layers.')} {k}" for p, k, _, _ in pts]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=x, y=[s[0] for _, _, s, _ in pts], name=translate("rf.fig_size_h", lang), mode="lines+markers",
                             customdata=labels, hovertemplate="%{customdata}: %{y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[s[1] for _, _, s, _ in pts], name=translate("rf.fig_size_w", lang), mode="lines",
                             line={"dash": "dot"}, customdata=labels, hovertemplate="%{customdata}: %{y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[float(j[0]) for _, _, _, j in pts], name=translate("rf.fig_jump", lang), mode="lines",
                             line={"shape": "hv", "color": "#2ca02c"}, customdata=labels,
                             hovertemplate="%{customdata}: %{y}<extra></extra>"), secondary_y=True)
    if selected is not None:
        for k, (p, _, s, _) in enumerate(pts):
            if p == selected:
                fig.add_trace(go.Scatter(x=[k], y=[s[0]], mode="markers", marker={"size": 14, "color": CENTER_COLOR},
                                         name=translate("rf.fig_selected", lang), hoverinfo="skip"))
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=labels, tickangle=-60, showticklabels=len(x) <= 60)
    fig.update_yaxes(title=translate("rf.fig_size_axis", lang), secondary_y=False)
    jumps = sorted({float(j[0]) for _, _, _, j in pts})  # whole numbers, so ticks at the values themselves
    fig.update_yaxes(title=translate("rf.fig_jump", lang), secondary_y=True, tickmode="array",
                     tickvals=jumps, ticktext=[f"{v:g}" for v in jumps], showgrid=False, rangemode="tozero")
    fig.update_layout(separators=separators(lang), height=480, font=_FONT, margin={"l": 40, "r": 40, "t": 90, "b": 10},
                      legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                      title={"text": translate("rf.fig_growth_title", lang), "y": 0.97, "yanchor": "top"})
    return fig


def dilation_figure(a: StackSampling, b: StackSampling, lang: str = "en") -> go.Figure:
    """Side by side: how many times the centre unit of each stack reads every input position
    (0 = never: a "gridding" hole, drawn white), on the same scale of input positions."""
    size = max(a.size, b.size)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.06, subplot_titles=[
        translate("rf.fig_stack_title", lang, d=", ".join(map(str, s.dilations)), size=s.size, holes=s.holes)
        for s in (a, b)
    ])
    vmax = float(max(a.counts.max(), b.counts.max()))
    for col, s in enumerate((a, b), start=1):
        canvas = np.full((size, size), np.nan)
        off = (size - s.size) // 2
        canvas[off : off + s.size, off : off + s.size] = np.where(s.counts > 0, s.counts, np.nan)
        r = (size - 1) // 2
        fig.add_trace(go.Heatmap(
            z=canvas, x=list(range(-r, size - r)), y=list(range(-r, size - r)), zmin=0, zmax=vmax,
            colorscale="Blues", showscale=col == 2, xgap=1, ygap=1,
            hovertemplate=translate("rf.fig_reads", lang) + ": %{z}<extra></extra>",
            colorbar={"title": translate("rf.fig_reads", lang)},
        ), row=1, col=col)
        # the field's outline: holes are the white cells inside it
        lo, hi = off - r - 0.5, off + s.size - 1 - r + 0.5
        fig.add_shape(type="rect", x0=lo, x1=hi, y0=lo, y1=hi, line={"color": FIELD_COLOR, "width": 2}, row=1, col=col)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if col == 1 else col}", row=1, col=col)
    fig.update_layout(separators=separators(lang), height=460, font=_FONT, margin={"l": 10, "r": 10, "t": 60, "b": 10}, plot_bgcolor="white")
    return fig


def erf_heatmap(magnitude: np.ndarray, rect: Rect | None, lang: str = "en") -> go.Figure:
    """|d unit / d input| summed over channels, normalised to its maximum, with the
    theoretical receptive field outlined."""
    m = np.asarray(magnitude, dtype=float)
    peak = float(m.max()) or 1.0
    fig = go.Figure(go.Heatmap(
        z=(m / peak).round(4).tolist(), colorscale="Viridis", zmin=0, zmax=1,
        colorbar={"title": translate("rf.fig_erf_scale", lang)},
        hovertemplate="(%{y}, %{x}): %{z}<extra></extra>",
    ))
    if rect is not None:
        fig.add_shape(**{**_rect_shape(rect, FIELD_COLOR, "dash", 3), "fillcolor": "rgba(0,0,0,0)"})
    h, w = m.shape
    fig.update_xaxes(range=[-0.5, w - 0.5], constrain="domain")
    fig.update_yaxes(range=[h - 0.5, -0.5], scaleanchor="x")
    fig.update_layout(separators=separators(lang), height=480, font=_FONT, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      title=translate("rf.fig_erf_title", lang))
    return fig

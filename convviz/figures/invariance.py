"""Figures of pooling's invariance to shifts and of data augmentation: digits and maps as
grey images side by side, and the measured change per shift. Data in, plotly figure out;
texts come from the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.digits.shift import ShiftRow
from convviz.figures.concepts import PALETTE, _base
from convviz.i18n import DEFAULT_LANGUAGE


def _gray(z: np.ndarray, hover: str) -> go.Heatmap:
    return go.Heatmap(z=np.asarray(z, dtype=np.float64), colorscale="gray", zmin=0, zmax=255, showscale=False,
                      hovertemplate=hover)


def shift_maps_figure(rows: Sequence[ShiftRow], labels: Mapping[str, str], *,
                      lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Two rows of images: each shifted input (top) and its max-pooled map (bottom), one
    column per shift. ``labels``: "input", "pooled" and "shift" (with a {d} placeholder),
    "row", "col", "value"."""
    cols = len(rows)
    titles = [labels["shift"].format(d=r.shift) for r in rows] + [""] * cols
    fig = make_subplots(rows=2, cols=cols, subplot_titles=titles, vertical_spacing=0.08, horizontal_spacing=0.03)
    hover = f"{labels['row']} %{{y}}, {labels['col']} %{{x}}<br>{labels['value']} %{{z:.0f}}<extra></extra>"
    for j, r in enumerate(rows):
        fig.add_trace(_gray(r.image, hover), 1, j + 1)
        fig.add_trace(_gray(r.pooled, hover), 2, j + 1)
    fig.update_yaxes(autorange="reversed", scaleanchor=None, showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    for i in range(1, cols + 1):
        fig.update_yaxes(scaleanchor=f"x{'' if i == 1 else i}", row=1, col=i)
        fig.update_yaxes(scaleanchor=f"x{cols + i}", row=2, col=i)
    fig.update_yaxes(title=labels["input"], row=1, col=1)
    fig.update_yaxes(title=labels["pooled"], row=2, col=1)
    return _base(fig, 430, lang)


def shift_change_figure(rows: Sequence[ShiftRow], labels: Mapping[str, str], *,
                        lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Relative change of the input and of the pooled map against the shift (pixels).
    ``labels``: "input", "pooled", "shift_axis", "change_axis"."""
    d = [r.shift for r in rows]
    fig = go.Figure()
    for j, (key, values) in enumerate((("input", [r.input_change for r in rows]),
                                       ("pooled", [r.pooled_change for r in rows]))):
        fig.add_trace(go.Scatter(x=d, y=values, mode="lines+markers", name=labels[key],
                                 line={"color": PALETTE[j], "width": 3}, marker={"size": 10}))
    fig.update_xaxes(title=labels["shift_axis"], tickmode="array", tickvals=d)
    fig.update_yaxes(title=labels["change_axis"], rangemode="tozero")
    return _base(fig, 320, lang)


def digit_grid_figure(images: np.ndarray, titles: Sequence[str], cols: int, labels: Mapping[str, str], *,
                      lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Digits (N, H, W) uint8 in a grid of ``cols`` columns, each with its title.
    ``labels``: "row", "col", "value"."""
    n = len(images)
    rows = max(1, -(-n // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles) + [""] * (rows * cols - n),
                        vertical_spacing=0.25 / rows, horizontal_spacing=0.02)
    hover = f"{labels['row']} %{{y}}, {labels['col']} %{{x}}<br>{labels['value']} %{{z:.0f}}<extra></extra>"
    for i, img in enumerate(images):
        fig.add_trace(_gray(img, hover), i // cols + 1, i % cols + 1)
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig = _base(fig, 40 + 150 * rows, lang)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_annotations(font_size=13)
    return fig

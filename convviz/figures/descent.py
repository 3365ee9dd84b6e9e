"""Figures of gradient descent: a 2-D loss surface (contours) with the optimisers' paths, and
Adam's per-weight steps beside SGD's. Data in, plotly figure out; texts come from the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from convviz.figures.concepts import PALETTE, _base
from convviz.i18n import DEFAULT_LANGUAGE
from convviz.nn.descent import DescentPath, StepRow, Surface

GRID = 121
"""Contour grid points per axis."""


def descent_figure(surf: Surface, paths: Sequence[DescentPath], labels: Mapping[str, str], *,
                   lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Contours of ``surf`` and one line per path (start marked, end marked).

    ``labels``: "loss", "start", "w1", "w2" and one label per method name.
    """
    xs = np.linspace(*surf.x_range, GRID)
    ys = np.linspace(*surf.y_range, GRID)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    z = surf.loss(grid)
    fig = go.Figure(go.Contour(x=xs, y=ys, z=z, ncontours=30, colorscale="Greys", reversescale=True,
                               opacity=0.55, showscale=False, name=labels["loss"],
                               hovertemplate=f"{labels['w1']}=%{{x:.2f}}<br>{labels['w2']}=%{{y:.2f}}<br>"
                                             f"{labels['loss']}=%{{z:.3f}}<extra></extra>"))
    for i, p in enumerate(paths):
        pts = p.points
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=labels[p.method],
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2.5}, marker={"size": 4},
                                 hovertemplate=f"{labels[p.method]}<br>{labels['w1']}=%{{x:.3f}}<br>"
                                               f"{labels['w2']}=%{{y:.3f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[surf.start[0]], y=[surf.start[1]], mode="markers", name=labels["start"],
                             marker={"size": 12, "color": "black", "symbol": "x"}))
    fig.update_xaxes(range=list(surf.x_range), title=labels["w1"])
    fig.update_yaxes(range=list(surf.y_range), title=labels["w2"])
    return _base(fig, 520, lang)


def loss_curves_figure(paths: Sequence[DescentPath], labels: Mapping[str, str], *,
                       lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The loss after each step, one line per path. ``labels``: "step", "loss", methods."""
    fig = go.Figure()
    for i, p in enumerate(paths):
        fig.add_trace(go.Scatter(x=np.arange(len(p.losses)), y=p.losses, mode="lines", name=labels[p.method],
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2.5}))
    fig.update_xaxes(title=labels["step"])
    fig.update_yaxes(title=labels["loss"])
    return _base(fig, 320, lang)


def step_sizes_figure(rows: Sequence[StepRow], labels: Mapping[str, str], *,
                      lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """|step| of SGD and of Adam for each weight, on a log axis (they differ by powers of ten).

    ``labels``: "sgd", "adam", "weight" (with a {i} placeholder filled in here), "size".
    """
    names = [labels["weight"].format(i=i + 1) for i in range(len(rows))]
    fig = go.Figure()
    for j, (key, values) in enumerate((("sgd", [abs(r.sgd_step) for r in rows]),
                                       ("adam", [abs(r.adam_step) for r in rows]))):
        fig.add_trace(go.Bar(x=names, y=values, name=labels[key], marker_color=PALETTE[j]))
    fig.update_yaxes(type="log", title=labels["size"])
    fig.update_layout(barmode="group")
    return _base(fig, 340, lang)

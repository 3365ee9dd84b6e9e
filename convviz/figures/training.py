"""Figures of the Training lab: loss and accuracy curves (per iteration and per epoch).

The x axis is in epochs: iteration i (1-based) of a run with I iterations per epoch is
drawn at i / I, so the per-iteration training loss and the per-epoch training and
validation values (drawn at the end of each epoch, x = 1, 2, ...) share one axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.digits.curves import envelope, moving_average
from convviz.figures import separators

#: Points per per-iteration curve sent to the browser: a run of 250,000 iterations
#: (stochastic, 5,000 digits, 50 epochs) is drawn as its min/max envelope, so each live
#: update stays under ~100 KB however long the run (bench/RESULTS-load.md).
MAX_CURVE_POINTS = 1200

COLORS = {"iter": "rgba(31,119,180,0.30)", "smooth": "#1f77b4", "train": "#1f77b4", "val": "#ff7f0e", "best": "#2ca02c"}


def _curve(values: Sequence[float], ipe: int, first: int = 1) -> tuple[list, list]:
    """x (epochs: iteration i at i / ipe, the first value being iteration ``first``) and y of
    a per-iteration curve, cut to its envelope of at most MAX_CURVE_POINTS points; lists of
    plain floats with None for non-finite values (a gap in the line)."""
    index, y = envelope(values, MAX_CURVE_POINTS)
    x = (index + first) / ipe
    return [float(v) for v in x], [round(float(v), 5) if np.isfinite(v) else None for v in y]


def curves_figure(
    iter_loss: Sequence[float],
    iter_acc: Sequence[float],
    train_loss: Sequence[float],
    train_acc: Sequence[float],
    val_loss: Sequence[float],
    val_acc: Sequence[float],
    iterations_per_epoch: int,
    labels: Mapping[str, str],
    best_epoch: int | None = None,
    stopped_early: bool = False,
    total_epochs: int | None = None,
    lang: str = "en",
) -> go.Figure:
    """Loss (top) and accuracy (bottom) against epochs, numbers written the ``lang`` way.

    ``labels`` keys: loss, accuracy, epoch, iter_train, train, val, best (texts in the
    page's language). With ``best_epoch`` a dashed vertical line marks it (the early
    stopping point when ``stopped_early``).
    """
    ipe = max(1, int(iterations_per_epoch))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(labels["loss"], labels["accuracy"]))
    n_iter = len(iter_loss)
    if n_iter:
        for row, values in ((1, iter_loss), (2, iter_acc)):
            x, y = _curve(values, ipe)
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=labels["iter_train"],
                                     line={"color": COLORS["iter"], "width": 1}, legendgroup="iter",
                                     showlegend=row == 1), row, 1)
        window = max(1, min(ipe, n_iter // 10 or 1))
        if window > 1 and n_iter >= window:
            smooth = moving_average(np.asarray(iter_loss, dtype=np.float64), window)
            x, y = _curve(smooth, ipe, first=window)
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines",
                                     name=labels.get("smooth", labels["iter_train"]),
                                     line={"color": COLORS["smooth"], "width": 2}), 1, 1)
    epochs = list(range(1, len(train_loss) + 1))
    for row, tr_vals, va_vals in ((1, train_loss, val_loss), (2, train_acc, val_acc)):
        show = row == 1
        if tr_vals:
            fig.add_trace(go.Scatter(x=epochs, y=[float(v) for v in tr_vals], mode="lines+markers",
                                     name=labels["train"], legendgroup="train", showlegend=show,
                                     line={"color": COLORS["train"], "width": 3, "dash": "dot"},
                                     marker={"size": 9, "symbol": "circle"}), row, 1)
        if va_vals:
            fig.add_trace(go.Scatter(x=list(range(1, len(va_vals) + 1)), y=[float(v) for v in va_vals],
                                     mode="lines+markers", name=labels["val"], legendgroup="val",
                                     showlegend=show, line={"color": COLORS["val"], "width": 3},
                                     marker={"size": 9, "symbol": "diamond"}), row, 1)
    right = max(total_epochs or 0, len(train_loss), n_iter / ipe if n_iter else 0, 1)
    if best_epoch is not None:
        text = labels["stopped"] if stopped_early else labels["best"]
        for row in (1, 2):
            fig.add_vline(x=best_epoch, line={"color": COLORS["best"], "dash": "dash", "width": 2}, row=row, col=1)
        fig.add_annotation(x=best_epoch, y=0.97, yref="y domain", xref="x", text=text, showarrow=False,
                           yanchor="top", xanchor="right" if best_epoch > right / 2 else "left",
                           bgcolor="rgba(255,255,255,0.85)", font={"color": COLORS["best"], "size": 14},
                           row=1, col=1)
    fig.update_xaxes(range=[0, right * 1.02], title_text=labels["epoch"], row=2, col=1)
    fig.update_yaxes(title_text=labels["loss"], rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=labels["accuracy"], range=[0, 1.02], tickformat=".0%", row=2, col=1)
    fig.update_layout(height=620, margin={"l": 60, "r": 20, "t": 40, "b": 50}, font={"size": 15},
                      legend={"orientation": "h", "y": -0.12}, uirevision="curves", separators=separators(lang))
    return fig

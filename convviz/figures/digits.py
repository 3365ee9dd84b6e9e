"""Figures of the "Draw a digit" page: probabilities, feature-map grids, filters,
saliency and training curves. Pure functions: arrays and label strings in, plotly figures out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.figures import separators
from convviz.i18n import translate

FONT = {"size": 16}


def _layout(fig: go.Figure, title: str, height: int, lang: str = "en") -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 20}},
        height=height,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        font=FONT,
        separators=separators(lang),
    )
    return fig


def probabilities_figure(probs: Sequence[float], title: str, xlabel: str, ylabel: str, lang: str = "en"
                         ) -> go.Figure:
    """Bar chart of the ten class probabilities, the top class highlighted."""
    p = [float(v) for v in probs]
    top = int(np.argmax(p))
    colors = ["#d62728" if i == top else "#1f77b4" for i in range(len(p))]
    fig = go.Figure(
        go.Bar(
            x=[str(i) for i in range(len(p))],
            y=p,
            marker_color=colors,
            texttemplate="%{y:.1%}",  # plotly writes it with the figure's separators
            textposition="outside",
            hovertemplate="%{x}: %{y:.2%}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%", title=ylabel)
    fig.update_xaxes(title=xlabel, type="category")
    return _layout(fig, title, 380, lang)


def tile(maps: np.ndarray, cols: int | None = None, gap: int = 1) -> np.ndarray:
    """(C, H, W) maps -> one 2-D mosaic (rows of ``cols`` maps) separated by NaN gaps."""
    maps = np.asarray(maps, dtype=np.float64)
    c, h, w = maps.shape
    cols = cols or int(np.ceil(np.sqrt(c)))
    rows = int(np.ceil(c / cols))
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for i in range(c):
        r, q = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, q * (w + gap) : q * (w + gap) + w] = maps[i]
    return out


def feature_maps_figure(maps: np.ndarray, title: str, cols: int | None = None, diverging: bool = False,
                        lang: str = "en") -> go.Figure:
    """A grid of a layer's feature maps (C, H, W) in one heatmap; a vector (F,) as one strip;
    hover texts and numbers in ``lang``."""
    arr = np.asarray(maps, dtype=np.float64)
    if arr.ndim == 1:
        cols = min(len(arr), 32)
        rows = int(np.ceil(len(arr) / cols))
        padded = np.full(rows * cols, np.nan)
        padded[: len(arr)] = arr
        z = padded.reshape(rows, cols)
        height = 140 + 40 * rows
        hover = translate("digit.hover_unit", lang, u="%{customdata}", v="%{z:.3f}") + "<extra></extra>"
        custom = np.arange(rows * cols).reshape(rows, cols)
    else:
        if cols is None:
            cols = min(8, arr.shape[0])
        z = tile(arr, cols)
        rows = int(np.ceil(arr.shape[0] / cols))
        height = min(900, 140 + rows * max(90, int(700 / max(cols, 1) * arr.shape[1] / arr.shape[2])))
        hover = "%{z:.3f}<extra></extra>"
        custom = None
    finite = z[np.isfinite(z)]
    zmax = float(np.abs(finite).max()) if finite.size else 1.0
    zmax = zmax or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale="RdBu_r" if diverging else "Viridis",
            zmin=-zmax if diverging else float(finite.min()) if finite.size else 0.0,
            zmax=zmax,
            customdata=custom,
            hovertemplate=hover,
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor="x", constrain="domain")
    fig.update_xaxes(showticklabels=False, constrain="domain")
    return _layout(fig, title, height, lang)


def filters_figure(weights: np.ndarray, title: str, lang: str = "en") -> go.Figure:
    """First-layer filters (F, 1, k, k) as a grid, red positive / blue negative."""
    w = np.asarray(weights, dtype=np.float64)
    return feature_maps_figure(w[:, 0], title, cols=min(8, w.shape[0]), diverging=True, lang=lang)


def image_figure(image: np.ndarray, title: str, height: int = 320, lang: str = "en") -> go.Figure:
    """A gray image (0..255) shown pixel by pixel, white ink on black."""
    fig = go.Figure(
        go.Heatmap(z=np.asarray(image, dtype=np.float64), colorscale="gray", zmin=0, zmax=255, showscale=False,
                   hovertemplate="(%{y}, %{x}): %{z:.0f}<extra></extra>")
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    return _layout(fig, title, height, lang)


def saliency_figure(image: np.ndarray, grad: np.ndarray, titles: tuple[str, str, str], lang: str = "en"
                    ) -> go.Figure:
    """The input next to d(score)/d(pixel): red pixels raise the class score, blue lower it."""
    g = np.asarray(grad, dtype=np.float64)
    gmax = float(np.abs(g).max()) or 1.0
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles[1:], horizontal_spacing=0.08)
    fig.add_trace(
        go.Heatmap(z=np.asarray(image, dtype=np.float64), colorscale="gray", zmin=0, zmax=255, showscale=False,
                   hovertemplate="(%{y}, %{x}): %{z:.0f}<extra></extra>"),
        1, 1,
    )
    fig.add_trace(
        go.Heatmap(z=g, colorscale="RdBu_r", zmin=-gmax, zmax=gmax, colorbar={"len": 0.9},
                   hovertemplate="(%{y}, %{x}): %{z:.4f}<extra></extra>"),
        1, 2,
    )
    for i in (1, 2):
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i)
    return _layout(fig, titles[0], 420, lang)


def training_curves_figure(history: dict[str, Any], labels: dict[str, str], lang: str = "en") -> go.Figure:
    """Loss and accuracy per epoch, training and validation; the best epoch marked.

    ``labels`` needs the keys title, loss, accuracy, epoch, train, val, best.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=(labels["loss"], labels["accuracy"]))
    epochs = list(range(1, len(history.get("train_loss", [])) + 1))
    series = [
        ("train_loss", 1, labels["train"], "#1f77b4"),
        ("val_loss", 1, labels["val"], "#ff7f0e"),
        ("train_acc", 2, labels["train"], "#1f77b4"),
        ("val_acc", 2, labels["val"], "#ff7f0e"),
    ]
    for key, row, name, color in series:
        values = history.get(key) or []
        if values:
            fig.add_trace(
                go.Scatter(x=epochs[: len(values)], y=values, name=name, mode="lines+markers",
                           line={"color": color}, legendgroup=name, showlegend=row == 1),
                row, 1,
            )
    best = history.get("best_epoch")
    if best:
        fig.add_vline(x=best, line_dash="dash", line_color="gray", annotation_text=labels["best"])
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    fig.update_xaxes(title=labels["epoch"], row=2, col=1)
    fig.update_yaxes(tickformat=".0%", row=2, col=1)
    return _layout(fig, labels["title"], 560, lang)

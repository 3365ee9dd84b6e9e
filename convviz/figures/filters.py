"""Figures of the filter lab: a kernel as a grid of numbers, images, signed maps.

Pure functions (numpy arrays in, ``plotly.graph_objects.Figure`` out); the page passes
them to ``st.plotly_chart``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz.figures import separators
from convviz.i18n import fmt_number, translate
from convviz.images import encode_png
from convviz.images.filters import DIVERGING_STOPS

DIVERGING_SCALE = [[(s + 1) / 2, f"rgb{rgb}"] for s, rgb in DIVERGING_STOPS]
"""The engine's blue-white-red map as a plotly colorscale (0 -> white)."""
_FONT = {"size": 16}


def integer_form(kernel: np.ndarray, max_den: int = 1000) -> tuple[np.ndarray, int] | None:
    """``(N, d)`` with ``kernel == N / d`` and integer ``N`` (smallest ``d <= max_den``),
    e.g. the lecture's Gaussian is ``N / 273``; ``None`` when there is no such form."""
    k = np.asarray(kernel, dtype=np.float64)
    if not np.all(np.isfinite(k)):
        return None
    den = 1
    for v in k.ravel():
        f = Fraction(float(v)).limit_denominator(max_den)
        if abs(float(f) - v) > 1e-9 * max(1.0, abs(v)):
            return None
        den = den * f.denominator // np.gcd(den, f.denominator)
        if den > max_den:
            return None
    ints = np.rint(k * den)
    if np.max(np.abs(ints - k * den)) > 1e-6:
        return None
    return ints.astype(np.int64), den


def _fmt(v: float, lang: str = "en") -> str:
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return fmt_number(v, lang, spec=".3g" if abs(v) >= 1e-3 else ".2e")




_separators = separators  # its former local name, for code written against it (merge in flight)


def kernel_figure(kernel: np.ndarray, title: str = "", max_text: int = 15, lang: str = "en") -> go.Figure:
    """The kernel as a heatmap (blue negative, white 0, red positive) with each weight
    written in its cell (up to ``max_text`` per side); written as integers with the factor
    in the title, ``"<title> (× 1/d)"``, when the kernel has such a form (e.g. the lecture's
    ``1/273``). Decimals use the separator of ``lang``."""
    k = np.atleast_2d(np.asarray(kernel, dtype=np.float64))
    kh, kw = k.shape
    form = integer_form(k)
    factor = form[1] if form and form[1] > 1 else None
    shown = form[0].astype(float) if factor else k
    limit = float(np.max(np.abs(k))) or 1.0
    text = [[_fmt(v, lang) for v in row] for row in shown] if max(kh, kw) <= max_text else None
    fig = go.Figure(
        go.Heatmap(
            z=k.tolist(), x=list(range(kw)), y=list(range(kh)),
            zmin=-limit, zmax=limit, colorscale=DIVERGING_SCALE, showscale=False,
            text=text, texttemplate="%{text}" if text else None,
            textfont={"size": max(9, 22 - 1.2 * max(kh, kw))},
            hovertemplate=translate("filters.hover_cell", lang, r="%{y}", c="%{x}", v="%{z:.6g}") + "<extra></extra>",
            xgap=1, ygap=1,
        )
    )
    side = max(kh, kw)
    fig.update_layout(
        title={"text": f"{title} (× 1/{factor})" if factor else title, "font": _FONT},
        height=int(min(560, 90 + 46 * side)) if side > 1 else 160,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, separators=separators(lang),
        xaxis={"showticklabels": kw <= 15, "dtick": 1, "constrain": "domain"},
        yaxis={"autorange": "reversed", "showticklabels": kh <= 15, "dtick": 1, "scaleanchor": "x", "constrain": "domain"},
        plot_bgcolor="white",
    )
    return fig


def image_figure(image: np.ndarray, title: str = "") -> go.Figure:
    """An RGB uint8 image, pixels square; small images carry their values in the hover,
    large ones are sent as an embedded PNG."""
    img = np.asarray(image)
    h, w = img.shape[:2]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if h * w <= 160 * 160:
        trace = go.Image(z=img.tolist(), hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>")
    else:
        uri = "data:image/png;base64," + base64.b64encode(encode_png(img)).decode("ascii")
        trace = go.Image(source=uri, hoverinfo="skip")
    fig = go.Figure(trace)
    _image_layout(fig, title, h, w)
    return fig


def _image_layout(fig: go.Figure, title: str, h: int, w: int) -> None:
    fig.update_layout(
        title={"text": title, "font": _FONT},
        height=int(min(640, max(260, 60 + 520 * h / max(w, 1)))),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    # no numbers on an image's axes, so no tick marks either (the theme would draw bare marks)
    fig.update_xaxes(showticklabels=False, showgrid=False, ticks="")
    fig.update_yaxes(showticklabels=False, showgrid=False, scaleanchor="x", ticks="")


def diverging_figure(values: np.ndarray, title: str = "", limit: float | None = None, lang: str = "en") -> go.Figure:
    """A signed 2-D array as a heatmap with 0 white, a colour bar and values in the hover;
    the axes are numbered in pixels (column x, row y) and the colour bar in values, with the
    decimal separator of ``lang``.

    ``limit`` sets ``zmin = -limit, zmax = limit`` (default ``max |values|``, at least 1e-12
    so an all-zero difference still draws).
    """
    v = np.asarray(values, dtype=np.float64)
    lim = float(np.max(np.abs(v))) if limit is None and v.size else float(limit or 0.0)
    lim = max(lim, 1e-12)
    fig = go.Figure(
        go.Heatmap(  # float32: 7 significant digits for a 4-digit hover, half the bytes sent
            z=v.astype(np.float32), zmin=-lim, zmax=lim, colorscale=DIVERGING_SCALE,
            colorbar={"thickness": 14, "tickfont": {"size": 13}, "ticks": "outside", "showticklabels": True,
                      "nticks": 7, "exponentformat": "power"},
            hovertemplate="x %{x}, y %{y}: %{z:.4g}<extra></extra>",
        )
    )
    h, w = v.shape
    _image_layout(fig, title, h, w)
    # tick marks with their numbers (pixel coordinates), not bare marks
    fig.update_xaxes(showticklabels=True, ticks="outside", tickfont={"size": 12}, nticks=6)
    fig.update_yaxes(autorange="reversed", showticklabels=True, ticks="outside", tickfont={"size": 12}, nticks=6)
    fig.update_layout(separators=separators(lang), margin={"l": 45, "r": 10, "t": 50, "b": 30})
    return fig


def images_grid(images: Sequence[tuple[str, np.ndarray]], cols: int = 2, zoom: int = 10) -> go.Figure:
    """Several small RGB images side by side (``cols`` per row), each with its title,
    enlarged ``zoom`` times with square pixels (nearest neighbour); used to compare the
    four border modes at the same corner."""
    n = len(images)
    rows = (n + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _ in images],
                        horizontal_spacing=0.04, vertical_spacing=0.08)
    for idx, (_, img) in enumerate(images):
        arr = np.asarray(img)
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        big = np.repeat(np.repeat(arr, zoom, axis=0), zoom, axis=1)
        uri = "data:image/png;base64," + base64.b64encode(encode_png(big)).decode("ascii")
        fig.add_trace(go.Image(source=uri, hoverinfo="skip"), row=idx // cols + 1, col=idx % cols + 1)
    fig.update_xaxes(showticklabels=False, ticks="")
    fig.update_yaxes(showticklabels=False, ticks="")
    for annotation in fig.layout.annotations:
        annotation.font = _FONT
    fig.update_layout(height=int(120 + 330 * rows), margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig

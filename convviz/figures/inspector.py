"""Figures of the unit inspector: how one unit of the live network was computed.

Pure builders: a :class:`convviz.explain.UnitExplanation` (or plain arrays) and label strings
in, plotly figures out. Numbers are written with :func:`convviz.i18n.fmt_number` in the
user's language.

- :func:`map_figure`: one feature map, every unit clickable (``customdata = [row, col, value]``);
- :func:`conv_unit_figure`: per input channel, the patch under the kernel next to the kernel
  slice, with that channel's product sum (small multiples, one heatmap per kind);
- :func:`pool_unit_figure`: the pooling window with the maximum marked;
- :func:`linear_unit_figure`: the largest contributions weight x input, sorted, then the rest
  and the bias;
- :func:`output_figure`: the logits, then the softmax;
- :func:`field_figure`: the receptive field on the 28x28 input and on the original drawing;
- :func:`sum_text`: a sum written out term by term.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from convviz.i18n import fmt_number

LABELS = {
    "unit_hover": "row %{customdata[0]}, col %{customdata[1]}<br>value %{customdata[2]:.4f}",
    "patch": "input",
    "kernel": "kernel",
    "channel_sum": "ch {c}: Σ = {s}",
    "window": "window",
    "max": "max",
    "others": "{n} other inputs",
    "bias": "bias",
    "contribution": "x[{n}] = {x} × w = {w}",
    "logits": "logits",
    "softmax": "softmax",
    "input28": "28×28 input",
    "drawing": "your drawing",
}
RED, DARK = "#d62728", "#111827"


def _num(v: float, lang: str, spec: str = ".4g") -> str:
    return fmt_number(float(v), lang, spec=spec)


def _base(fig: go.Figure, title: str, height: int, lang: str) -> go.Figure:
    fig.update_layout(title={"text": title, "font": {"size": 16}}, height=height,
                      margin={"l": 10, "r": 10, "t": 45, "b": 10}, plot_bgcolor="white",
                      paper_bgcolor="white", separators=",." if lang == "es" else ".,",
                      showlegend=False, dragmode=False)
    return fig


def _square_axes(fig: go.Figure) -> None:
    fig.update_xaxes(visible=False, fixedrange=True, constrain="domain")
    fig.update_yaxes(visible=False, fixedrange=True, autorange="reversed", scaleanchor="x", constrain="domain")


def sum_text(values: Sequence[float], lang: str = "en", max_terms: int = 16) -> str:
    """``a + b − c = total`` with every term (or the first ``max_terms`` and "…")."""
    vals = [float(v) for v in values]
    total = sum(vals)
    parts = []
    for i, v in enumerate(vals[:max_terms]):
        text = _num(abs(v), lang)
        parts.append(("−" if v < 0 else "") + text if i == 0 else ("− " if v < 0 else "+ ") + text)
    if len(vals) > max_terms:
        parts.append("+ …")
    return " ".join(parts) + " = " + ("−" if total < 0 else "") + _num(abs(total), lang)


def map_figure(values: np.ndarray, title: str, selected: tuple[int, int] | None = None, lang: str = "en",
               labels: dict[str, str] | None = None, height: int = 360) -> go.Figure:
    """One feature map (H, W); a click on a unit picks it (invisible markers carry
    ``[row, col, value]``; their hover shows the value)."""
    lab = {**LABELS, **(labels or {})}
    z = np.asarray(values, dtype=np.float64)
    h, w = z.shape
    top = float(np.abs(z).max()) or 1.0
    rr, cc = np.mgrid[0:h, 0:w]
    data = [[int(r), int(c), float(v)] for r, c, v in zip(rr.ravel(), cc.ravel(), z.ravel(), strict=True)]
    size = max(6.0, min(30.0, 300.0 / max(h, w)))
    heat = {"type": "heatmap", "z": z, "colorscale": [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]],
            "zmin": -top, "zmax": top,
            "hoverinfo": "skip", "colorbar": {"thickness": 10, "len": 0.8}}
    hits = {"type": "scatter", "x": cc.ravel().tolist(), "y": rr.ravel().tolist(), "mode": "markers",
            "customdata": data, "name": "units", "hovertemplate": lab["unit_hover"] + "<extra></extra>",
            "marker": {"symbol": "square", "size": size, "color": "rgba(0,0,0,0)"}}
    # 784 clickable points: skip plotly's per-element validation (the dicts are valid by construction)
    fig = go.Figure({"data": [heat, hits]}, _validate=False)
    if selected is not None:
        r, c = selected
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line={"color": DARK, "width": 3})
    _square_axes(fig)
    return _base(fig, title, height, lang)


def _grid(n: int) -> tuple[int, int]:
    per_row = n if n <= 4 else 4
    return per_row, int(np.ceil(n / per_row))


def conv_unit_figure(ex: Any, title: str, lang: str = "en", labels: dict[str, str] | None = None) -> go.Figure:
    """Small multiples: for each input channel the patch (gray) next to the kernel slice
    (red positive, blue negative) and the channel's sum of products under them."""
    lab = {**LABELS, **(labels or {})}
    patch, weights, sums = ex.patch, ex.weights, ex.channel_sums
    cin, kh, kw = patch.shape
    per_row, rows = _grid(cin)
    pair_w, row_h = 2 * kw + 3, kh + 3
    pz = np.full((rows * row_h, per_row * pair_w), np.nan)
    wz = np.full_like(pz, np.nan)
    notes = []
    for c in range(cin):
        r, q = divmod(c, per_row)
        y0, x0 = r * row_h, q * pair_w
        pz[y0 : y0 + kh, x0 : x0 + kw] = patch[c]
        wz[y0 : y0 + kh, x0 + kw + 1 : x0 + 2 * kw + 1] = weights[c]
        notes.append({"x": x0 + kw - 0.5, "y": y0 + kh + 0.1, "yanchor": "top", "text":
                      lab["channel_sum"].format(c=ex.channels[c] if ex.channels else c, s=_num(sums[c], lang))})
        notes.append({"x": x0 + kw, "y": y0 + (kh - 1) / 2, "text": "⊙"})
    finite = patch[np.isfinite(patch)]
    ptop = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    wtop = float(np.abs(weights).max()) or 1.0
    show = cin <= 2 and kh * kw <= 49
    text = {"texttemplate": "%{z:.2f}", "textfont": {"size": 10}} if show else {}
    fig = go.Figure([
        go.Heatmap(z=pz, colorscale="gray", zmin=0, zmax=ptop, showscale=False, hoverongaps=False,
                   hovertemplate=lab["patch"] + " %{z:.4f}<extra></extra>", **text),
        go.Heatmap(z=wz, colorscale="RdBu_r", zmin=-wtop, zmax=wtop, showscale=False, hoverongaps=False,
                   hovertemplate=lab["kernel"] + " %{z:.4f}<extra></extra>", **text),
    ])
    fig.update_layout(annotations=[{**a, "showarrow": False, "font": {"size": 11}} for a in notes])
    _square_axes(fig)
    return _base(fig, title, 110 + rows * (150 if cin > 2 else 230), lang)


def pool_unit_figure(ex: Any, title: str, lang: str = "en", labels: dict[str, str] | None = None) -> go.Figure:
    """The pooling window with its numbers; the maximum outlined (max pooling)."""
    lab = {**LABELS, **(labels or {})}
    win = np.where(np.isfinite(ex.window), ex.window, np.nan)
    text = [[_num(v, lang, ".3g") if np.isfinite(v) else "" for v in row] for row in win]
    fig = go.Figure(go.Heatmap(z=win, colorscale="RdBu_r", zmid=0, text=text, texttemplate="%{text}",
                               textfont={"size": 14}, showscale=False,
                               hovertemplate=lab["window"] + " %{z:.4f}<extra></extra>"))
    if ex.argmax is not None:
        r, c = ex.argmax
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line={"color": DARK, "width": 4})
    _square_axes(fig)
    return _base(fig, title, 260, lang)


def linear_unit_figure(ex: Any, title: str, lang: str = "en", labels: dict[str, str] | None = None,
                       top: int = 12) -> go.Figure:
    """The ``top`` largest contributions |w x| sorted, then the rest summed, then the bias."""
    lab = {**LABELS, **(labels or {})}
    contrib, xin = ex.contributions, ex.inputs
    order = np.argsort(-np.abs(contrib), kind="stable")[:top]
    rest = float(contrib.sum() - contrib[order].sum())
    w = np.divide(contrib, xin, out=np.zeros_like(contrib), where=xin != 0)
    names = [lab["contribution"].format(n=int(n), x=_num(xin[n], lang, ".3g"), w=_num(w[n], lang, ".3g")) for n in order]
    names += [lab["others"].format(n=len(contrib) - len(order)), lab["bias"]]
    vals = [float(contrib[n]) for n in order] + [rest, float(ex.bias)]
    colors = [RED if v > 0 else "#1f77b4" for v in vals[:-2]] + ["#9ca3af", "#6b7280"]
    fig = go.Figure(go.Bar(x=vals, y=names, orientation="h", marker_color=colors,
                           text=[_num(v, lang) for v in vals], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.4f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    fig.update_xaxes(fixedrange=True, zeroline=True, zerolinecolor=DARK)
    return _base(fig, title, 120 + 24 * len(vals), lang)


def output_figure(logits: np.ndarray, probs: np.ndarray, title: str, lang: str = "en",
                  labels: dict[str, str] | None = None, selected: int | None = None) -> go.Figure:
    """The ten logits (left), then their softmax (right)."""
    lab = {**LABELS, **(labels or {})}
    classes = [str(i) for i in range(len(logits))]
    colors = [RED if i == selected else "#1f77b4" for i in range(len(logits))]
    bars = [
        {"type": "bar", "x": classes, "y": [float(v) for v in logits], "marker": {"color": colors},
         "text": [_num(v, lang, ".3g") for v in logits], "textposition": "outside", "cliponaxis": False,
         "hovertemplate": "%{x}: %{y:.4f}<extra></extra>", "xaxis": "x", "yaxis": "y"},
        {"type": "bar", "x": classes, "y": [float(v) for v in probs], "marker": {"color": colors},
         "text": [_num(v, lang, ".1%") for v in probs], "textposition": "outside", "cliponaxis": False,
         "hovertemplate": "%{x}: %{y:.2%}<extra></extra>", "xaxis": "x2", "yaxis": "y2"},
    ]
    layout = {
        "xaxis": {"domain": [0, 0.45], "type": "category", "fixedrange": True, "title": {"text": lab["logits"]}},
        "xaxis2": {"domain": [0.55, 1], "type": "category", "fixedrange": True, "anchor": "y2",
                   "title": {"text": lab["softmax"]}},
        "yaxis": {"fixedrange": True}, "yaxis2": {"anchor": "x2", "range": [0, 1.15], "tickformat": ".0%",
                                                  "fixedrange": True},
    }
    fig = go.Figure({"data": bars, "layout": layout}, _validate=False)
    return _base(fig, title, 320, lang)


def field_figure(image: np.ndarray, box: tuple[int, int, int, int], title: str,
                 drawing: np.ndarray | None = None, drawing_box: tuple[float, float, float, float] | None = None,
                 lang: str = "en", labels: dict[str, str] | None = None) -> go.Figure:
    """The receptive field as a rectangle on the 28x28 input and on the original drawing
    (shrunk to at most 140 pixels a side, so the figure stays small)."""
    lab = {**LABELS, **(labels or {})}
    img = np.asarray(image, dtype=np.uint8)
    fig = go.Figure(go.Heatmap(z=img, colorscale="gray", zmin=0, zmax=255, showscale=False,
                               hovertemplate="(%{y}, %{x}): %{z:.0f}<extra></extra>"))
    r0, c0, r1, c1 = box
    rects = [{"x0": c0 - 0.5, "x1": c1 - 0.5, "y0": r0 - 0.5, "y1": r1 - 0.5}]
    notes = [{"x": 13.5, "y": -1.2, "text": lab["input28"], "yanchor": "bottom"}]
    if drawing is not None and drawing_box is not None:
        d = np.asarray(drawing)
        f = max(1, int(np.ceil(max(d.shape) / 140)))
        small = np.ascontiguousarray(d[::f, ::f], dtype=np.uint8)
        u = 28.0 / d.shape[0]  # plot units per drawing pixel
        x_off = 32.0
        fig.add_trace(go.Heatmap(z=small, x0=x_off - 0.5 + u * f / 2, dx=u * f, y0=-0.5 + u * f / 2, dy=u * f,
                                 colorscale="gray", zmin=0, zmax=255, showscale=False, hoverinfo="skip"))
        a0, b0, a1, b1 = drawing_box
        rects.append({"x0": x_off - 0.5 + b0 * u, "x1": x_off - 0.5 + b1 * u, "y0": -0.5 + a0 * u, "y1": -0.5 + a1 * u})
        notes.append({"x": x_off - 0.5 + d.shape[1] * u / 2, "y": -1.2, "text": lab["drawing"], "yanchor": "bottom"})
    for rect in rects:
        fig.add_shape(type="rect", line={"color": "#f59e0b", "width": 3}, **rect)
    fig.update_layout(annotations=[{**a, "showarrow": False, "font": {"size": 12}} for a in notes])
    _square_axes(fig)
    fig.update_yaxes(range=[28.5, -3])
    return _base(fig, title, 300, lang)

"""The whole live network in one figure: every layer's output as a column, left to right.

Pure builder: the forward trace (the input and every layer's output, from
:func:`convviz.explain.forward_trace`), the layer names and the labels in, a plotly figure out.

- A C x H x W output is a column of its C maps (in one or two sub-columns), drawn as ONE
  heatmap per column: the maps are tiled with NaN gaps (a few traces, not hundreds).
- A vector is a column of cells (several sub-columns when long); the last layer's vector gets
  its softmax probabilities as horizontal bars beside it.
- Colours: the input in gray (0..1, written under it); every other column on a diverging red/blue scale
  centred at 0 and scaled to that column's largest |value| (written under the column);
  one colour bar explains the scale.
- Invisible markers (one per map, one per vector unit) carry ``customdata = [layer, index]``
  so a click (plotly point selection) picks a map or a unit; ``layer`` is -1 for the input.
- ``selected = (layer, index)`` outlines that map / unit; ``feeding`` ({channel: strength})
  outlines the maps of the previous layer that feed it, thicker for stronger links.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go

from convviz.i18n import fmt_number

HEIGHT = 100.0  # plot units of the tallest column
COL_GAP = 7.0  # between columns
MIN_SLOT = 14.0  # narrowest slot of a column
LABEL_ROOM = 24.0  # columns narrower than this, side by side, stagger their labels
LABEL_STAGGER = 9.0  # plot units: how much further out a staggered column's labels go
INPUT_SIDE = 22.0
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]  # blue - white - red
GRAY = [[0.0, "#000000"], [1.0, "#ffffff"]]
LABELS = {
    "title": "The whole network for this digit",
    "input": "input",
    "colorbar": "value<br>(each column<br>from −max to +max,<br>±max under it)",
    "map_hover": "{layer} · map {c}<br>click to open it",
    "unit_hover": "{layer} · unit {i}<br>value %{{customdata[2]:.4f}}",
    "prob": "softmax",
    "max": "max",
}


@dataclass(frozen=True)
class Column:
    """Where one layer's output is drawn. Maps (or vector cells) run down ``per_col`` to a
    sub-column, ``sub_cols`` sub-columns side by side; ``gap`` cells between maps."""

    layer: int  # -1 = the network input
    name: str
    shape: tuple[int, ...]
    x0: float
    cell_w: float  # width of one unit in plot units
    cell_h: float  # height of one unit in plot units
    per_col: int
    sub_cols: int
    gap: int = 0  # empty cells between maps

    @property
    def spatial(self) -> bool:
        return len(self.shape) == 3

    @property
    def item_w(self) -> float:
        return self.cell_w * (self.shape[2] if self.spatial else 1)

    @property
    def item_h(self) -> float:
        return self.cell_h * (self.shape[1] if self.spatial else 1)

    @property
    def width(self) -> float:
        return self.sub_cols * self.item_w + (self.sub_cols - 1) * self.gap * self.cell_w

    def origin(self, m: int) -> tuple[float, float]:
        """Top-left corner of map (or cell) ``m``."""
        q, r = divmod(m, self.per_col)
        return (self.x0 + q * (self.item_w + self.gap * self.cell_w),
                r * (self.item_h + self.gap * self.cell_h))


def _spatial_column(layer: int, name: str, shape: tuple[int, ...], x0: float) -> Column:
    c, h, w = shape
    if c == 1:
        cell = min(INPUT_SIDE / max(h, w), HEIGHT / h)
        return Column(layer, name, shape, x0, cell, cell, 1, 1, 0)
    sub = 1 if c <= 16 else 2 if c <= 32 else int(np.ceil(c / 16))
    per = int(np.ceil(c / sub))
    gap = max(1, round(h / 8))
    cell = HEIGHT / (per * h + (per - 1) * gap)
    return Column(layer, name, shape, x0, cell, cell, per, sub, gap)


def _vector_column(layer: int, name: str, n: int, x0: float) -> Column:
    if n <= 20:
        return Column(layer, name, (n,), x0, 5.0, min(HEIGHT / n, 6.0), n, 1)
    sub = int(np.ceil(n / 64)) if n <= 256 else int(np.ceil(n / 200))
    per = int(np.ceil(n / sub))
    return Column(layer, name, (n,), x0, 1.4, HEIGHT / per, per, sub)


def network_columns(shapes: list[tuple[int, ...]], names: list[str]) -> list[Column]:
    """The layout: the input (``shapes[0]``) then one column per layer, each centred in a slot
    at least ``MIN_SLOT`` wide, so that the labels of narrow columns do not overlap."""
    cols, x = [], 0.0
    for i, (shape, name) in enumerate(zip(shapes, names, strict=True)):
        if len(shape) == 3:
            col = _spatial_column(i - 1, name, shape, x)
        else:
            col = _vector_column(i - 1, name, int(np.prod(shape)), x)
        slot = max(col.width, MIN_SLOT)
        cols.append(replace(col, x0=x + (slot - col.width) / 2))
        x += slot + COL_GAP
    return cols


def _mosaic(col: Column, values: np.ndarray) -> np.ndarray:
    """The column's maps (or cells) in one array with NaN gaps, one entry per unit."""
    if col.spatial:
        c, h, w = col.shape
        g = col.gap
        out = np.full((col.per_col * (h + g) - g, col.sub_cols * (w + g) - g), np.nan, np.float32)
        for m in range(c):
            q, r = divmod(m, col.per_col)
            out[r * (h + g) : r * (h + g) + h, q * (w + g) : q * (w + g) + w] = values[m]
        return out
    n = col.shape[0]
    out = np.full(col.per_col * col.sub_cols, np.nan, np.float32)
    out[:n] = values.reshape(-1)
    return out.reshape(col.sub_cols, col.per_col).T


def _heatmap(col: Column, values: np.ndarray, labels: dict[str, str], show_scale: bool) -> dict:
    if col.layer < 0:
        scale = {"colorscale": GRAY, "zmin": 0.0, "zmax": 1.0, "showscale": False}
    else:
        top = float(np.nanmax(np.abs(values))) or 1.0
        scale = {"colorscale": DIVERGING, "zmin": -top, "zmax": top, "showscale": show_scale}
        if show_scale:
            scale["colorbar"] = {"title": {"text": labels["colorbar"], "side": "top"}, "tickvals": [-top, 0, top],
                                 "ticktext": [f"−{labels['max']}", "0", f"+{labels['max']}"], "len": 0.55, "thickness": 12}
    return dict(type="heatmap", z=_mosaic(col, values), x0=col.x0 + col.cell_w / 2, dx=col.cell_w,
                y0=col.cell_h / 2, dy=col.cell_h, hoverongaps=False, name=col.name,
                hovertemplate="%{z:.4f}<extra>" + col.name + "</extra>", **scale)


def _hits(col: Column, values: np.ndarray, labels: dict[str, str]) -> dict:
    """Invisible clickable markers: one per map, or one per vector unit."""
    n = col.shape[0]
    origins = np.array([col.origin(m) for m in range(n)])
    xs = origins[:, 0] + col.item_w / 2
    ys = origins[:, 1] + col.item_h / 2
    if col.spatial:
        data = np.stack([np.full(n, col.layer), np.arange(n), values.reshape(n, -1).max(axis=1)], axis=1)
        hover = labels["map_hover"].format(layer=col.name, c="%{customdata[1]}")
        size = 14
    else:
        data = np.stack([np.full(n, col.layer), np.arange(n), values.reshape(-1)], axis=1)
        hover = labels["unit_hover"].format(layer=col.name, i="%{customdata[1]}")
        size = 8
    return dict(type="scatter", x=xs.round(3).tolist(), y=ys.round(3).tolist(), mode="markers",
                customdata=data.tolist(), name=f"hit_{col.layer}",
                marker={"symbol": "square", "size": size, "color": "rgba(0,0,0,0)"},
                hovertemplate=hover + "<extra></extra>", showlegend=False)


def _outline(col: Column, m: int, color: str, width: float, opacity: float = 1.0) -> dict:
    x, y = col.origin(m)
    pad = 0.35
    return {"type": "rect", "x0": x - pad, "x1": x + col.item_w + pad, "y0": y - pad,
            "y1": y + col.item_h + pad, "line": {"color": color, "width": width}, "opacity": opacity}


def staggered(cols: list[Column]) -> list[bool]:
    """Which columns get their labels one step further out: every other one in a run of
    columns narrower than ``LABEL_ROOM``, whose labels would otherwise touch."""
    out: list[bool] = []
    for k, col in enumerate(cols):
        narrow = col.width < LABEL_ROOM and k > 0 and cols[k - 1].width < LABEL_ROOM
        out.append(narrow and not out[-1])
    return out


def network_overview_figure(
    trace: list[np.ndarray],
    names: list[str],
    lang: str = "en",
    labels: dict[str, str] | None = None,
    selected: tuple[int, int] | None = None,
    feeding: dict[int, float] | None = None,
    height: int = 520,
) -> go.Figure:
    """Every layer of the network for one input (``trace[0]`` the input, ``trace[i+1]``
    layer ``i``'s output; ``names[i]`` layer ``i``'s label, e.g. ``"3 Conv2d"``)."""
    lab = {**LABELS, **(labels or {})}
    shapes = [tuple(a.shape) for a in trace]
    cols = network_columns(shapes, [lab["input"], *names])
    far_out = staggered(cols)
    traces: list[dict] = []
    notes = []
    for k, (col, values, far) in enumerate(zip(cols, trace, far_out, strict=True)):
        traces.append(_heatmap(col, values, lab, show_scale=k == 1))
        traces.append(_hits(col, values, lab))
        shape = "×".join(str(v) for v in col.shape)
        name = col.name.replace(" ", "<br>", 1)
        shift = LABEL_STAGGER if far else 0.0  # every other narrow column: labels one step further out
        notes.append({"x": col.x0 + col.width / 2, "y": -1.5 - shift, "text": f"<b>{name}</b>", "yanchor": "bottom"})
        top = float(np.abs(values).max())
        extra = "<br>0–1" if col.layer < 0 else f"<br>±{fmt_number(top, lang, spec='.3g')}"  # gray: black 0, white 1
        notes.append({"x": col.x0 + col.width / 2, "y": HEIGHT + 1.5 + shift, "text": shape + extra, "yanchor": "top"})
    last = cols[-1]
    if len(last.shape) == 1 and last.shape[0] <= 20:
        traces.append(_softmax_bars(last, trace[-1], lang, lab))
    fig = go.Figure({"data": traces}, _validate=False)  # valid by construction: skip per-element checks
    shapes_out = []
    if selected is not None:
        layer, index = selected
        by_layer = {c.layer: c for c in cols}
        if layer in by_layer and 0 <= index < by_layer[layer].shape[0]:
            shapes_out.append(_outline(by_layer[layer], index, "#111827", 3))
            prev = by_layer.get(layer - 1)
            if prev is not None and len(prev.shape) == 3 and feeding:
                for ch, strength in feeding.items():
                    if 0 <= ch < prev.shape[0]:
                        shapes_out.append(_outline(prev, ch, "#f59e0b", 1 + 3 * strength, 0.35 + 0.65 * strength))
    right = last.x0 + last.width + (38 if len(last.shape) == 1 else 4)
    fig.update_layout(
        title={"text": lab["title"], "font": {"size": 18}}, height=height, shapes=shapes_out,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white", paper_bgcolor="white",
        annotations=[{**a, "showarrow": False, "xref": "x", "yref": "y", "font": {"size": 10}} for a in notes],
        separators=",." if lang == "es" else ".,", hovermode="closest", dragmode=False,
    )
    fig.update_xaxes(visible=False, range=[-2, right], fixedrange=True)
    room = 12 + (LABEL_STAGGER if any(far_out) else 0.0)
    fig.update_yaxes(visible=False, range=[HEIGHT + room, -room], fixedrange=True, scaleanchor="x",
                     constrain="domain")
    return fig


def _softmax_bars(col: Column, logits: np.ndarray, lang: str, lab: dict[str, str]) -> dict:
    z = np.asarray(logits, np.float64).reshape(-1)
    p = np.exp(z - z.max())
    p /= p.sum()
    length = 22.0
    ys = np.array([col.origin(i)[1] + col.item_h / 2 for i in range(len(p))])
    text = [f"{i}: {fmt_number(v, lang, spec='.1%')}" for i, v in enumerate(p)]
    colors = ["#d62728" if i == int(p.argmax()) else "#1f77b4" for i in range(len(p))]
    return dict(type="bar", x=p * length, y=ys, base=col.x0 + col.width + 1.0, orientation="h",
                width=col.item_h * 0.8, marker={"color": colors}, text=text, textposition="outside",
                cliponaxis=False, name=lab["prob"], customdata=p,
                hovertemplate=lab["prob"] + " %{customdata:.2%}<extra></extra>", showlegend=False)

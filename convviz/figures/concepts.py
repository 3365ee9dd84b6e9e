"""Figures of the Concepts page (data in, plotly figure out; texts come from the page).

Builders that show numbers take ``lang``: their labels use the language's separators
(:func:`convviz.i18n.fmt_number`) and, in Spanish, ``layout.separators`` is ``",."`` so that
plotly's own ticks and hover numbers read 0,5 and 1.000 too (English keeps plotly's default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convviz import concepts as C
from convviz.figures import separators
from convviz.i18n import DEFAULT_LANGUAGE, NUMBER_SEPARATORS, fmt_number

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
WEIGHT_COLORS = ["#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
HIGHLIGHT = "#1f77b4"
FADED = "#d9d9d9"


def _base(fig: go.Figure, height: int, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 50, "r": 20, "t": 50, "b": 40}, font={"size": 15},
                      legend={"orientation": "h", "y": -0.15}, separators=separators(lang))
    return fig


# --------------------------------------------------------------------------- activations
def activation_figure(
    names: Sequence[str], labels: Mapping[str, str], alpha: float = 0.1, z_max: float = 6.0, *,
    lang: str = DEFAULT_LANGUAGE,
) -> go.Figure:
    """f(z) (top) and f'(z) (bottom) for each activation in ``names``.

    ``labels``: "value", "derivative", "z" and one label per activation name.
    """
    z = np.linspace(-z_max, z_max, 481)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=(labels["value"], labels["derivative"]))
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=z, y=C.activation(name, z, alpha), name=labels[name], legendgroup=name,
                                 line={"color": color, "width": 3}), 1, 1)
        d = C.activation_derivative(name, z, alpha)
        if name in ("relu", "leaky_relu"):  # a jump at 0: do not draw a vertical segment
            d = np.where(np.abs(z) < 1e-9, np.nan, d)
        fig.add_trace(go.Scatter(x=z, y=d, name=labels[name], legendgroup=name, showlegend=False,
                                 line={"color": color, "width": 3, "dash": "dot"}), 2, 1)
    fig.update_yaxes(range=[-1.2, 2.2], row=1, col=1)
    fig.update_yaxes(range=[-0.1, 1.15], row=2, col=1)
    fig.update_xaxes(title_text=labels["z"], row=2, col=1)
    return _base(fig, 620, lang)


def _entry(v: float, decimals: int, lang: str) -> str:
    """A matrix entry with at most ``decimals`` decimals, trailing zeros dropped: 1.5, 2, 0
    (1,5 in Spanish; no thousands grouping, the entries are small)."""
    if abs(v) < 1e-12:
        return "0"
    text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", NUMBER_SEPARATORS.get(lang, NUMBER_SEPARATORS[DEFAULT_LANGUAGE])[1])


def matrices_figure(
    items: Sequence[tuple[str, np.ndarray]], decimals: int = 2, *, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """Matrices side by side as annotated grids (a 1-D array is drawn as a column)."""
    fig = make_subplots(rows=1, cols=len(items), subplot_titles=[t for t, _ in items], horizontal_spacing=0.06)
    for k, (_, m) in enumerate(items, start=1):
        arr = np.asarray(m, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        text = [[_entry(float(v), decimals, lang) for v in row] for row in arr]
        lim = max(1e-9, float(np.abs(arr).max()))
        fig.add_trace(go.Heatmap(z=arr, text=text, texttemplate="%{text}", textfont={"size": 18},
                                 colorscale="RdBu", zmin=-lim, zmax=lim, showscale=False, xgap=2, ygap=2,
                                 hovertemplate="%{text}<extra></extra>"), 1, k)
        fig.update_yaxes(autorange="reversed", showticklabels=False, row=1, col=k)
        fig.update_xaxes(showticklabels=False, row=1, col=k)
    return _base(fig, 300, lang)


# --------------------------------------------------------------------------- FC vs conv
def connectivity_figure(
    n_inputs: int, kernel: int, padding: int, selected: int, labels: Mapping[str, str],
    lang: str = DEFAULT_LANGUAGE,
) -> go.Figure:
    """The lecture's drawing: inputs x_1..x_n below, outputs h_i above; left a fully
    connected layer (every pair linked, each by its own weight), right a convolution
    (each output sees ``kernel`` neighbours; the same colours = the same shared weight).
    The ``selected`` output (0-based) is highlighted in both."""
    conn = C.conv1d_connectivity(n_inputs, kernel, padding)
    n_out = conn.shape[0]
    # one above the other: side by side, the nodes and titles overlapped on a phone
    fig = make_subplots(rows=2, cols=1, subplot_titles=(labels["fc"], labels["conv"]), vertical_spacing=0.14)
    xs_in = np.arange(n_inputs, dtype=float)
    xs_out = np.arange(n_out, dtype=float) + (n_inputs - n_out) / 2
    for col, full in ((1, True), (2, False)):
        # edges grouped by style: one trace per colour/width (plotly is slow with many traces)
        groups: dict[tuple[str, float, float], tuple[list, list]] = {}
        for i in range(n_out):
            for j in range(n_inputs):
                k = conn[i, j]
                if not full and k < 0:
                    continue
                sel = i == selected
                color = WEIGHT_COLORS[k % len(WEIGHT_COLORS)] if not full else ("#444" if sel else "#bbb")
                width = 4.0 if sel else (2.0 if not full else 1.0)
                opacity = 1.0 if sel or not full else 0.6
                gx, gy = groups.setdefault((color, width, opacity), ([], []))
                gx += [xs_in[j], xs_out[i], None]
                gy += [0, 1, None]
        for (color, width, opacity), (gx, gy) in groups.items():
            fig.add_trace(go.Scatter(x=gx, y=gy, mode="lines", showlegend=False, opacity=opacity,
                                     line={"color": color, "width": width}, hoverinfo="skip"), col, 1)
        fig.add_trace(go.Scatter(x=xs_in, y=np.zeros(n_inputs), mode="markers+text", showlegend=False,
                                 marker={"size": 34, "color": "white", "line": {"color": "#333", "width": 2}},
                                 text=[f"x{j + 1}" for j in range(n_inputs)], textfont={"size": 14},
                                 hoverinfo="skip"), col, 1)
        colors = [HIGHLIGHT if i == selected else "white" for i in range(n_out)]
        fig.add_trace(go.Scatter(x=xs_out, y=np.ones(n_out), mode="markers+text", showlegend=False,
                                 marker={"size": 34, "color": colors, "line": {"color": "#333", "width": 2}},
                                 text=[f"h{i + 1}" for i in range(n_out)], hoverinfo="skip",
                                 textfont={"size": 14, "color": ["white" if i == selected else "#444"
                                                                 for i in range(n_out)]}), col, 1)
    fig.update_xaxes(visible=False, range=[-0.6, n_inputs - 0.4])
    fig.update_yaxes(visible=False, range=[-0.3, 1.3])
    return _base(fig, 520, lang)


def params_figure(
    conv_params: int, fc_params: int, labels: Mapping[str, str], *, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """Parameters of the two layers on a log axis, with the exact numbers (14,455,392 /
    14.455.392)."""
    fig = go.Figure(go.Bar(x=[labels["conv"], labels["fc"]], y=[conv_params, fc_params],
                           text=[fmt_number(int(conv_params), lang), fmt_number(int(fc_params), lang)],
                           textposition="outside",
                           marker_color=[PALETTE[2], PALETTE[3]], textfont={"size": 18}))
    fig.update_yaxes(type="log", title_text=labels["params"], range=[0, np.log10(max(fc_params, 10)) + 1])
    return _base(fig, 360, lang)


# --------------------------------------------------------------------------- normalisation
def _cube_mesh(cells: list[tuple[float, float, float]]) -> tuple[list[float], ...]:
    xs: list[float] = []
    ys: list[float] = []
    zs: list[float] = []
    ii: list[int] = []
    jj: list[int] = []
    kk: list[int] = []
    faces = [(0, 1, 2), (0, 2, 3), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
             (2, 3, 7), (2, 7, 6), (1, 2, 6), (1, 6, 5), (0, 3, 7), (0, 7, 4)]
    s = 0.92
    for cx, cy, cz in cells:
        base = len(xs)
        for dx, dy, dz in ((0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)):
            xs.append(cx + dx * s)
            ys.append(cy + dy * s)
            zs.append(cz + dz * s)
        for a, b, c in faces:
            ii.append(base + a)
            jj.append(base + b)
            kk.append(base + c)
    return xs, ys, zs, ii, jj, kk


def norm_cube_figure(
    kind: str, shape: tuple[int, int, int, int], groups: int, selected: tuple[int, int], labels: Mapping[str, str],
    lang: str = DEFAULT_LANGUAGE,
) -> go.Figure:
    """The lecture's figure (Wu & He, 2018), interactive: the N×C×(H·W) block as cubes;
    the cells normalised together with the selected (n, c) are blue, the rest grey."""
    n, c, h, w = shape
    ids = C.norm_groups(kind, shape, groups).reshape(n, c, h * w)
    target = ids[min(selected[0], n - 1), min(selected[1], c - 1), 0]
    on: list[tuple[float, float, float]] = []
    off: list[tuple[float, float, float]] = []
    for a in range(n):
        for b in range(c):
            for p in range(h * w):
                (on if ids[a, b, p] == target else off).append((float(a), float(p), float(b)))
    fig = go.Figure()
    for cells, color, opacity, name in ((on, HIGHLIGHT, 1.0, labels["shared"]), (off, FADED, 0.25, labels["other"])):
        if not cells:
            continue
        xs, ys, zs, ii, jj, kk = _cube_mesh(cells)
        fig.add_trace(go.Mesh3d(x=xs, y=ys, z=zs, i=ii, j=jj, k=kk, color=color, opacity=opacity, name=name,
                                showlegend=True, flatshading=True, hoverinfo="name"))
    axis = {"showbackground": False, "tickfont": {"size": 12}}
    fig.update_layout(scene={
        "xaxis": {**axis, "title": {"text": "N"}, "tickvals": [i + 0.46 for i in range(n)], "ticktext": [str(i + 1) for i in range(n)]},
        "yaxis": {**axis, "title": {"text": "H·W"}, "tickvals": [i + 0.46 for i in range(h * w)], "ticktext": [str(i + 1) for i in range(h * w)]},
        "zaxis": {**axis, "title": {"text": "C"}, "tickvals": [i + 0.46 for i in range(c)], "ticktext": [str(i + 1) for i in range(c)]},
        "aspectmode": "data",
        "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 0.9}},
    }, uirevision="cube")
    return _base(fig, 520, lang)


def bn_figure(
    x: np.ndarray, x_hat: np.ndarray, y: np.ndarray, labels: Mapping[str, str], *, lang: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """The mini-batch values before, normalised (mean 0, variance 1) and after γ, β."""
    fig = go.Figure()
    rows = [(labels["x"], x), (labels["x_hat"], x_hat), (labels["y"], y)]
    for r, (name, vals) in enumerate(rows):
        vals = np.asarray(vals, dtype=np.float64).ravel()
        # neighbours (in value order) take turns above and below, so close values stay readable
        rank = np.empty(vals.size, dtype=int)
        rank[np.argsort(vals, kind="stable")] = np.arange(vals.size)
        fig.add_trace(go.Scatter(x=vals, y=[name] * len(vals), mode="markers+text", name=name,
                                 text=[fmt_number(float(v), lang, 2) for v in vals],
                                 textposition=["top center" if k % 2 == 0 else "bottom center" for k in rank],
                                 marker={"size": 16, "color": PALETTE[r]}, showlegend=False,
                                 cliponaxis=False))
    # room above the first row for its value labels (they were cut off at the top edge)
    fig.update_yaxes(autorange=False, range=[len(rows) - 0.3, -0.7])
    return _base(fig, 360, lang)


# --------------------------------------------------------------------------- dropout
def network_figure(layer_sizes: Sequence[int], masks: Sequence[np.ndarray], labels: Mapping[str, str],
                   lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """A small fully connected network; dropped units are crossed out and lose all their
    connections for this iteration."""
    fig = go.Figure()
    tallest = max(layer_sizes)
    pos = []
    for li, size in enumerate(layer_sizes):
        ys = np.arange(size) - (size - 1) / 2
        pos.append([(float(li), float(y * (tallest / max(size, 1)) ** 0.3)) for y in ys])
    ex: list[float | None] = []
    ey: list[float | None] = []
    for li in range(len(layer_sizes) - 1):
        for a, (x0, y0) in enumerate(pos[li]):
            if not masks[li][a]:
                continue
            for b, (x1, y1) in enumerate(pos[li + 1]):
                if masks[li + 1][b]:
                    ex += [x0, x1, None]
                    ey += [y0, y1, None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line={"color": "#888", "width": 1.5}, hoverinfo="skip",
                             showlegend=False))
    kept_x, kept_y, drop_x, drop_y = [], [], [], []
    for li, layer in enumerate(pos):
        for a, (x, y) in enumerate(layer):
            (kept_x if masks[li][a] else drop_x).append(x)
            (kept_y if masks[li][a] else drop_y).append(y)
    fig.add_trace(go.Scatter(x=kept_x, y=kept_y, mode="markers", name=labels["kept"],
                             marker={"size": 30, "color": "#9ecae1", "line": {"color": "#08519c", "width": 2}}))
    fig.add_trace(go.Scatter(x=drop_x, y=drop_y, mode="markers", name=labels["dropped"],
                             marker={"size": 30, "color": "white", "symbol": "circle-x",
                                     "line": {"color": "#d62728", "width": 2}}))
    names = [labels["input"]] + [labels["hidden"]] * (len(layer_sizes) - 2) + [labels["output"]]
    fig.update_xaxes(tickvals=list(range(len(layer_sizes))), ticktext=names, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False)
    return _base(fig, 420, lang)


# --------------------------------------------------------------------------- softmax
def softmax_figure(
    logits: Sequence[float], temperature: float, labels: Mapping[str, str], class_names: Sequence[str] | None = None,
    *, lang: str = DEFAULT_LANGUAGE,
) -> go.Figure:
    """Probabilities softmax(z / T) next to the plain softmax (T = 1; drawn once when T = 1)."""
    z = np.asarray(logits, dtype=np.float64)
    names = list(class_names) if class_names else [f"{i + 1}" for i in range(z.size)]
    p_t = C.softmax(z, temperature)
    p_1 = C.softmax(z, 1.0)
    fig = go.Figure()
    if not np.isclose(temperature, 1.0):  # at T = 1 the comparison would be the same bars twice
        fig.add_trace(go.Bar(x=names, y=p_1, name=labels["t1"], marker_color="#c7c7c7",
                             text=[fmt_number(float(v), lang, 3) for v in p_1], textposition="outside"))
    fig.add_trace(go.Bar(x=names, y=p_t, name=labels["t"], marker_color=PALETTE[0], showlegend=True,
                         text=[fmt_number(float(v), lang, 3) for v in p_t], textposition="outside"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 1.12], title_text=labels["prob"])
    fig.update_xaxes(title_text=labels["class"], type="category")  # "1", "2"… are names, not numbers
    return _base(fig, 420, lang)

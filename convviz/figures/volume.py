"""Multi-channel convolution as volumes (3D, plotly): the input block Cin x H x W, one filter
Cin x k x k at the chosen position, and the output maps stacked to Cout.

Each filter spans the whole depth of the input (all Cin channels) and gives ONE output map;
Cout filters give Cout maps. The lecture's example: a 32x32x3 image and six 5x5x3 filters
(stride 1, no padding) give 28x28x6, since (32 - 5)/1 + 1 = 28.

Axes: x = width (columns), y = depth (channels), z = height (rows, drawn top-down). The output
block is drawn to the right of the input, with a gap. Pure builder: numbers in, figure out.
"""

from __future__ import annotations

import plotly.graph_objects as go

LABELS = {
    "title": "Input {cin}×{h}×{w} · {cout} filters {cin}×{k}×{k} → output {cout}×{ho}×{wo}",
    "input": "input {cin}×{h}×{w}",
    "filter": "filter {f}: {cin}×{k}×{k}",
    "output": "output {cout}×{ho}×{wo}",
    "map": "map {f}",
    "unit": "one number: Σ over {cin}×{k}×{k} products + bias",
}
# the 12 triangles of a cuboid whose vertices 0-3 are the bottom (z0) and 4-7 the top (z1)
FACES = ((0, 1, 2), (0, 2, 3), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
         (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7))


def _box(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float, color: str, opacity: float,
         name: str, hover: str) -> go.Mesh3d:
    """A cuboid [x0, x1] x [y0, y1] x [z0, z1] as 12 triangles."""
    xs = [x0, x1, x1, x0, x0, x1, x1, x0]
    ys = [y0, y0, y1, y1, y0, y0, y1, y1]
    zs = [z0, z0, z0, z0, z1, z1, z1, z1]
    i, j, k = (list(v) for v in zip(*FACES, strict=True))
    return go.Mesh3d(x=xs, y=ys, z=zs, i=i, j=j, k=k, color=color, opacity=opacity, flatshading=True,
                     name=name, hovertemplate=hover + "<extra></extra>", showscale=False)


def _edges(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float, color: str, width: float = 3) -> go.Scatter3d:
    pts = [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x1, y0, z1),
           (x1, y1, z1), (x0, y1, z1), (x0, y0, z1), None, (x1, y0, z0), (x1, y0, z1), None, (x1, y1, z0),
           (x1, y1, z1), None, (x0, y1, z0), (x0, y1, z1)]
    xs = [p[0] if p else None for p in pts]
    ys = [p[1] if p else None for p in pts]
    zs = [p[2] if p else None for p in pts]
    return go.Scatter3d(x=xs, y=ys, z=zs, mode="lines", line={"color": color, "width": width},
                        hoverinfo="skip", showlegend=False)


def conv_volume_figure(
    cin: int, h: int, w: int, cout: int, k: int, ho: int, wo: int,
    position: tuple[int, int] = (0, 0), filter_index: int = 0, stride: int = 1, padding: int = 0,
    labels: dict[str, str] | None = None, height: int = 560,
) -> go.Figure:
    """The 3D picture of one conv layer. ``position`` = (row, col) of the output unit; the
    filter sits on input rows ``row*stride - padding ...`` (clipped to the drawn input)."""
    lab = {**LABELS, **(labels or {})}
    n = {"cin": cin, "h": h, "w": w, "cout": cout, "k": k, "ho": ho, "wo": wo, "f": filter_index}
    depth_in = max(0.25 * max(h, w), min(float(cin), 0.5 * max(h, w)))  # drawn depth, not to scale
    cd = depth_in / cin
    r, c = position
    top, left = r * stride - padding, c * stride - padding
    traces = []
    # input: one slab per channel (up to 16), else one block
    slabs = cin if cin <= 16 else 1
    for ch in range(slabs):
        y0, y1 = (ch * cd, (ch + 1) * cd) if slabs > 1 else (0, depth_in)
        traces.append(_box(0, w, y0, y1, -h, 0, "#93c5fd", 0.18, "input", lab["input"].format(**n)))
    traces.append(_edges(0, w, 0, depth_in, -h, 0, "#1e3a8a", 2))
    # the filter at its position, spanning the whole depth
    fx0, fx1 = max(left, 0), min(left + k, w)
    fz0, fz1 = -min(top + k, h), -max(top, 0)
    traces.append(_box(fx0, fx1, -0.05, depth_in + 0.05, fz0, fz1, "#f97316", 0.55, "filter", lab["filter"].format(**n)))
    traces.append(_edges(fx0, fx1, -0.05, depth_in + 0.05, fz0, fz1, "#9a3412", 4))
    # output maps stacked to Cout, to the right
    gap = max(4.0, 0.4 * w)
    ox = w + gap
    depth_out = max(0.25 * max(ho, wo), min(float(cout), 0.5 * max(ho, wo)))
    od = depth_out / cout
    for f in range(min(cout, 64)):
        chosen = f == filter_index
        traces.append(_box(ox, ox + wo, f * od, (f + 1) * od, -ho, 0, "#f97316" if chosen else "#86efac",
                           0.6 if chosen else 0.15, f"map {f}", lab["map"].format(f=f)))
    traces.append(_edges(ox, ox + wo, 0, depth_out, -ho, 0, "#14532d", 2))
    y0, y1 = filter_index * od, (filter_index + 1) * od
    traces.append(_box(ox + c, ox + c + 1, y0, y1, -(r + 1), -r, "#b91c1c", 1.0, "unit", lab["unit"].format(**n)))
    # the filter's corners to the output unit
    for fx, fz in ((fx0, fz0), (fx1, fz0), (fx0, fz1), (fx1, fz1)):
        traces.append(go.Scatter3d(x=[fx, ox + c + 0.5], y=[depth_in / 2, (y0 + y1) / 2], z=[fz, -r - 0.5],
                                   mode="lines", line={"color": "#b91c1c", "width": 2, "dash": "dash"},
                                   hoverinfo="skip", showlegend=False))
    texts = [(w / 2, -1.5, 1.0, lab["input"].format(**n)), (ox + wo / 2, -1.5, 1.0, lab["output"].format(**n)),
             ((fx0 + fx1) / 2, depth_in + 1.5, fz1 + 1.5, lab["filter"].format(**n))]
    traces.append(go.Scatter3d(x=[t[0] for t in texts], y=[t[1] for t in texts], z=[t[2] for t in texts],
                               mode="text", text=[t[3] for t in texts], textfont={"size": 13}, hoverinfo="skip",
                               showlegend=False))
    fig = go.Figure(traces)
    axis = {"visible": False, "showbackground": False}
    fig.update_layout(
        title={"text": lab["title"].format(**n), "font": {"size": 16}}, height=height, showlegend=False,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "data",
               "camera": {"eye": {"x": -1.1, "y": -1.7, "z": 0.8}, "up": {"x": 0, "y": 0, "z": 1}}},
    )
    return fig

"""The architecture diagram as a plotly figure: boxes, edges, joins and frames of a
:class:`~convviz.arithmetic.diagram.Diagram`.

Pure: the diagram, the hover text of each box and the words of the figure come from the
caller (translated there). Boxes are layout shapes; edges are one line trace; labels one text
trace; each box carries three invisible markers (left, middle, right) whose ``customdata`` is
``[path]``, so a click anywhere on a box is a point selection that names the layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from convviz.arithmetic.diagram import Box, Diagram
from convviz.arithmetic.formatting import shape_text

PX_PER_UNIT = 34  # vertical pixels per layout unit (a box with a shape is one unit high)
PX_PER_UNIT_X = 52  # horizontal pixels per layout unit (a box is 3.4 units wide: 177 px)
HIT_NAME = "diagram_boxes"  # the trace whose points are the boxes (the page reads its clicks)
COLORS = {  # fill colour per family of layer types
    "conv": "#cfe3f7", "pool": "#fde2c4", "norm": "#eeeeee", "act": "#f4f4f4", "linear": "#e3d7f3",
    "drop": "#f7f7f7", "shape": "#e6f2e0", "other": "#ffffff",
}
LINE = "#6b7280"
SELECTED = "#d62728"


def family(kind: str) -> str:
    """The colour family of a layer type."""
    if kind.startswith("Conv"):
        return "conv"
    if "Pool" in kind:
        return "pool"
    if "Norm" in kind:
        return "norm"
    if kind in ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "Identity"):
        return "act"
    if kind == "Linear":
        return "linear"
    if kind.startswith("Dropout"):
        return "drop"
    if kind == "Flatten":
        return "shape"
    return "other"


def _box_text(box: Box) -> str:
    if box.thin or box.shape is None:
        return box.label
    return f"{box.label}<br><i>{shape_text(box.shape, '×')}</i>"


def _edges(diagram: Diagram) -> dict:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for edge in diagram.edges:
        xs += [round(x, 3) for x, _ in edge] + [None]
        ys += [round(y, 3) for _, y in edge] + [None]
    return dict(type="scatter", x=xs, y=ys, mode="lines", line={"color": LINE, "width": 1.4},
                hoverinfo="skip", showlegend=False, name="edges")


def _hits(boxes: Sequence[Box], hovers: Sequence[str]) -> dict:
    xs, ys, data, text = [], [], [], []
    for box, hover in zip(boxes, hovers, strict=True):
        for f in (1 / 6, 1 / 2, 5 / 6):
            xs.append(round(box.x + f * box.w, 3))
            ys.append(round(box.y + box.h / 2, 3))
            data.append([box.id])
            text.append(hover)
    return dict(type="scatter", x=xs, y=ys, mode="markers", customdata=data, hovertext=text,
                hovertemplate="%{hovertext}<extra></extra>", name=HIT_NAME, showlegend=False,
                marker={"symbol": "square", "size": 22, "color": "rgba(0,0,0,0)"})


def diagram_figure(diagram: Diagram, hovers: Sequence[str], selected: str | None = None,
                   px_per_unit: float = PX_PER_UNIT, separators: str = ".,") -> go.Figure:
    """The figure of ``diagram``; ``hovers[i]`` is the hover text of ``diagram.boxes[i]``;
    the box whose ``paths`` hold ``selected`` gets a red border. Its size follows the
    diagram's (:data:`PX_PER_UNIT` high, :data:`PX_PER_UNIT_X` wide per unit), so a narrow
    network is not stretched to the page's width. ``separators``: plotly's decimal mark and
    thousands separator (:func:`convviz.figures.separators` of the page's language)."""
    shapes = []
    for frame in diagram.frames:
        repeat = frame.kind == "repeat"
        shapes.append({"type": "rect", "x0": frame.x, "x1": frame.x + frame.w, "y0": frame.y,
                       "y1": frame.y + frame.h, "layer": "below",
                       "line": {"color": "#2563eb" if repeat else "#b6bcc6", "width": 2 if repeat else 1,
                                "dash": "solid" if repeat else "dot"}})
    for box in diagram.boxes:
        chosen = selected is not None and selected in box.paths
        shapes.append({"type": "rect", "x0": box.x, "x1": box.x + box.w, "y0": box.y, "y1": box.y + box.h,
                       "fillcolor": COLORS[family(box.type)], "layer": "below",
                       "line": {"color": SELECTED if chosen else "#374151", "width": 3 if chosen else 1}})
    labels = dict(type="scatter", mode="text", hoverinfo="skip", showlegend=False, name="labels",
                  x=[round(b.x + b.w / 2, 3) for b in diagram.boxes], y=[round(b.y + b.h / 2, 3) for b in diagram.boxes],
                  text=[_box_text(b) for b in diagram.boxes], textfont={"size": 11, "color": "#111827"})
    frame_text = dict(type="scatter", mode="text", hoverinfo="skip", showlegend=False, name="frames",
                      x=[round(f.x + f.w + 0.1 if f.kind == "repeat" else f.x + 0.05, 3) for f in diagram.frames],
                      y=[round(f.y + (f.h / 2 if f.kind == "repeat" else 0.12), 3) for f in diagram.frames],
                      text=[f"<b>{f.label}</b>" if f.kind == "repeat" else f.label for f in diagram.frames],
                      textposition=["middle right" if f.kind == "repeat" else "bottom right" for f in diagram.frames],
                      textfont={"size": [15 if f.kind == "repeat" else 9 for f in diagram.frames],
                                "color": ["#2563eb" if f.kind == "repeat" else "#6b7280" for f in diagram.frames]})
    joins = dict(type="scatter", mode="markers+text", hoverinfo="skip", showlegend=False, name="joins",
                 x=[j.x for j in diagram.joins], y=[j.y for j in diagram.joins], text=[j.symbol for j in diagram.joins],
                 textfont={"size": 14, "color": "#111827"},
                 marker={"size": 19, "color": "white", "line": {"color": "#111827", "width": 1.5}})
    height = int(max(diagram.height + 1.0, 3.0) * px_per_unit) + 20
    width = int((diagram.width + 1.7) * PX_PER_UNIT_X) + 12
    layout = {"shapes": shapes, "height": height, "width": width, "margin": {"l": 6, "r": 6, "t": 10, "b": 10},
              "plot_bgcolor": "white", "paper_bgcolor": "white", "hovermode": "closest", "dragmode": False,
              "showlegend": False, "separators": separators,
              "xaxis": {"visible": False, "range": [-0.3, diagram.width + 1.4], "fixedrange": True},
              "yaxis": {"visible": False, "range": [diagram.height + 0.4, -0.6], "fixedrange": True}}
    data = [_edges(diagram), labels, frame_text, joins, _hits(diagram.boxes, hovers)]
    # valid by construction: skip plotly's per-element checks (10x faster for ResNet-50)
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    return fig

"""The architecture diagram: every preset's boxes match the spec's layers one to one (each
layer path exactly once when expanded; each accounted for once in a ×N group when
collapsed), shapes are the summary's, joins mark every residual sum and concatenation,
branches sit side by side, nothing overlaps, and the figure renders with a clickable point
per box. Unknown node types are drawn as a plain box.

The reference list of layers is the spec itself, walked by :func:`spec_edit.layer_paths`
(the editor's walk of the JSON, not the diagram's walk of the parsed tree)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

import convviz
from convviz.arithmetic import spec_edit
from convviz.arithmetic.diagram import Box, Diagram, box_label, build_diagram
from convviz.arithmetic.presets import get_preset, list_presets
from convviz.arithmetic.spec import LayerNode, Network, parse_spec
from convviz.figures.architecture_diagram import HIT_NAME, diagram_figure

PRESETS = list_presets()


def _leaf_paths(spec: dict[str, Any]) -> list[str]:
    """Every layer (not block) of a spec, from the JSON dicts."""
    blocks = {"Residual", "Concat", "Scale", "Side"}
    return [p for p in spec_edit.layer_paths(spec) if spec_edit.get_layer(spec, p).get("type") not in blocks]


def _count(spec: dict[str, Any], kind: str) -> int:
    return sum(1 for p in spec_edit.layer_paths(spec) if spec_edit.get_layer(spec, p).get("type") == kind)


def _diagram(name: str, collapse: bool) -> tuple[Diagram, Any]:
    summary = convviz.summarize(name)
    return build_diagram(parse_spec(name), summary.layers, collapse=collapse), summary


def _overlap(a: Box, b: Box) -> bool:
    eps = 1e-9
    return a.x < b.x + b.w - eps and b.x < a.x + a.w - eps and a.y < b.y + b.h - eps and b.y < a.y + a.h - eps


@pytest.mark.parametrize("name", PRESETS)
def test_expanded_boxes_are_the_layers_one_to_one(name: str) -> None:
    diagram, summary = _diagram(name, collapse=False)
    spec = get_preset(name)
    assert [b.id for b in diagram.boxes] == _leaf_paths(spec)
    assert all(b.paths == (b.id,) for b in diagram.boxes)
    rows = {r.path: r for r in summary.layers}
    for box in diagram.boxes:
        assert box.shape == tuple(rows[box.id].output_shape)
        assert box.type == rows[box.id].type
        same = tuple(rows[box.id].input_shape) == box.shape
        assert box.thin == (same and box.type in {"ReLU", "BatchNorm2d", "Dropout", "Dropout2d", "Sigmoid", "Identity"}), box
    symbols = Counter(j.symbol for j in diagram.joins)
    assert symbols["+"] == _count(spec, "Residual")
    assert symbols["‖"] == _count(spec, "Concat")
    assert symbols["×"] == _count(spec, "Scale")
    assert sorted(j.id for j in diagram.joins) == sorted(
        p for p in spec_edit.layer_paths(spec) if spec_edit.get_layer(spec, p)["type"] in ("Residual", "Concat", "Scale"))
    boxes = diagram.boxes
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(0 <= b.x and b.x + b.w <= diagram.width + 1e-9 and 0 <= b.y and b.y + b.h <= diagram.height + 1e-9 for b in boxes)


@pytest.mark.parametrize("name", PRESETS)
def test_collapsed_boxes_account_for_every_layer_once(name: str) -> None:
    diagram, _ = _diagram(name, collapse=True)
    leaves = _leaf_paths(get_preset(name))
    covered = [p for b in diagram.boxes for p in b.paths]
    assert sorted(covered) == sorted(leaves) and len(covered) == len(set(covered))
    for frame in (f for f in diagram.frames if f.kind == "repeat"):
        assert frame.count >= 2 and frame.label == f"×{frame.count}"
        inside = [b for b in diagram.boxes if frame.x <= b.x and b.x + b.w <= frame.x + frame.w
                  and frame.y <= b.y and b.y + b.h <= frame.y + frame.h]
        assert inside and all(len(b.paths) % frame.count == 0 for b in inside)
        # the copies a box stands for are the same kind of layer with the same output shape
        for box in inside:
            kinds = {spec_edit.get_layer(get_preset(name), p)["type"] for p in box.paths}
            assert kinds == {box.type}


def test_resnet50_collapses_to_its_stage_repeats() -> None:
    """torchvision's ResNet-50 has 3, 4, 6 and 3 bottlenecks per stage: the first of each
    stage changes the shape (a projection shortcut), the others repeat ×2, ×3, ×5, ×2."""
    diagram, _ = _diagram("resnet50", collapse=True)
    repeats = [f for f in diagram.frames if f.kind == "repeat"]
    assert [f.count for f in repeats] == [2, 3, 5, 2]
    assert [f.id for f in repeats] == ["layers.6.body.0", "layers.12.body.0", "layers.20.body.0", "layers.32.body.0"]
    assert Counter(j.symbol for j in diagram.joins)["+"] == 8  # 4 first blocks + 4 drawn copies
    expanded, _ = _diagram("resnet50", collapse=False)
    assert len(diagram.boxes) < len(expanded.boxes) and diagram.height < expanded.height


def test_inception_branches_side_by_side() -> None:
    diagram, _ = _diagram("googlenet", collapse=False)
    firsts = [next(b for b in diagram.boxes if b.id == f"layers.11.branches.{i}.0") for i in range(4)]
    assert len({round(b.y, 6) for b in firsts}) == 1  # one row
    xs = [b.x for b in firsts]
    assert xs == sorted(xs) and all(b.x + b.w < c.x for b, c in zip(firsts, firsts[1:], strict=False))
    join = next(j for j in diagram.joins if j.id == "layers.11")
    assert join.symbol == "‖" and join.y > max(b.y + b.h for b in diagram.boxes if b.id.startswith("layers.11."))


def test_residual_body_on_the_axis_and_shortcut_to_the_right() -> None:
    diagram, _ = _diagram("resnet18", collapse=False)
    by = {b.id: b for b in diagram.boxes}
    body, short = by["layers.4.body.0"], by["layers.4.shortcut.0"] if "layers.4.shortcut.0" in by else None
    join = next(j for j in diagram.joins if j.id == "layers.4")
    assert join.symbol == "+" and abs(join.x - (body.x + body.w / 2)) < 1e-9
    if short is not None:
        assert short.x > body.x + body.w


def test_labels_in_the_papers_notation() -> None:
    assert box_label("Conv2d", {"kernel_size": (3, 3), "out_channels": 128, "stride": (1, 1), "groups": 32}) == "Conv2d 3×3, 128, g=32"
    assert box_label("Conv2d", {"kernel_size": (7, 7), "out_channels": 64, "stride": (2, 2), "groups": 1}) == "Conv2d 7×7, 64, /2"
    assert box_label("MaxPool2d", {"kernel_size": (3, 3), "stride": None}) == "MaxPool2d 3×3, /3"
    assert box_label("Linear", {"out_features": 1000}) == "Linear 1000"
    assert box_label("Dropout", {"p": 0.5}, fmt=lambda v: f"{v}".replace(".", ",")) == "Dropout 0,5"
    spec = {"input": [256, 14, 14], "layers": [{"type": "Conv2d", "out_channels": 256, "kernel_size": 3, "padding": 1, "groups": 32}]}
    diagram = build_diagram(parse_spec(spec), convviz.summarize(spec).layers)
    assert diagram.boxes[0].label == "Conv2d 3×3, 256, g=32"


@dataclass(frozen=True)
class _Mystery:  # a node type the diagram does not know
    path: str
    type: str = "Mystery"
    label: str | None = None


@dataclass(frozen=True)
class _Scale:  # the shape of spec.ScaleNode (squeeze-and-excitation)
    path: str
    body: list[Any] = field(default_factory=list)
    label: str | None = None
    type: str = "Scale"


@dataclass(frozen=True)
class _Side:  # the shape of spec.SideNode (an auxiliary classifier)
    path: str
    body: list[Any] = field(default_factory=list)
    label: str | None = None
    type: str = "Side"


def _relu(path: str) -> LayerNode:
    return LayerNode(path, "ReLU", {"inplace": False})


def test_unknown_scale_and_side_nodes_are_drawn() -> None:
    net = Network("n", (3, 8, 8), [
        _relu("layers.0"), _Mystery("layers.1"),
        _Scale("layers.2", [_relu("layers.2.body.0"), LayerNode("layers.2.body.1", "Sigmoid", {})]),
        _Side("layers.3", [_relu("layers.3.body.0")]), _relu("layers.4"),
    ])
    for collapse in (False, True):
        diagram = build_diagram(net, collapse=collapse)
        ids = [b.id for b in diagram.boxes]
        assert ids == ["layers.0", "layers.1", "layers.2.body.0", "layers.2.body.1", "layers.3.body.0", "layers.4"]
        assert [j.symbol for j in diagram.joins] == ["×"]  # the side branch ends on its own
        by = {b.id: b for b in diagram.boxes}
        assert by["layers.1"].label == "Mystery" and by["layers.1"].shape is None
        # both branches sit to the right of the main axis, which goes straight on
        axis = by["layers.4"].x + by["layers.4"].w / 2
        assert by["layers.2.body.0"].x > axis and by["layers.3.body.0"].x > axis


@pytest.mark.parametrize("name", ["resnet50", "googlenet", "lenet5"])
def test_the_figure_renders_with_one_clickable_box_per_layer(name: str) -> None:
    for collapse in (False, True):
        diagram, _ = _diagram(name, collapse)
        hovers = [f"hover {b.id}" for b in diagram.boxes]
        fig = diagram_figure(diagram, hovers, selected=diagram.boxes[1].id)
        data = json.loads(fig.to_json())
        hits = next(t for t in data["data"] if t.get("name") == HIT_NAME)
        assert Counter(c[0] for c in hits["customdata"]) == Counter({b.id: 3 for b in diagram.boxes})
        assert set(hits["hovertext"]) == set(hovers)
        rects = [s for s in data["layout"]["shapes"] if s["type"] == "rect"]
        assert len(rects) == len(diagram.boxes) + len(diagram.frames)
        red = [s for s in rects if s["line"]["width"] == 3]
        assert len(red) == 1 and red[0]["x0"] == diagram.boxes[1].x
        labels = next(t for t in data["data"] if t.get("name") == "labels")
        assert len(labels["text"]) == len(diagram.boxes)


def test_resnext_grouped_convs_are_labelled_with_their_groups() -> None:
    """ResNeXt-50 (32x4d): each of the 16 bottlenecks has one 3x3 conv with 32 groups; its box
    says g=32 and shows its shape even though the conv keeps its input's shape."""
    spec = get_preset("resnext50_32x4d")
    grouped = [p for p in spec_edit.layer_paths(spec) if spec_edit.get_layer(spec, p).get("groups") == 32]
    assert len(grouped) == 16
    diagram, summary = _diagram("resnext50_32x4d", collapse=False)
    boxes = {b.id: b for b in diagram.boxes}
    for path in grouped:
        box = boxes[path]
        assert ", g=32" in box.label and box.label.startswith("Conv2d 3×3, ")
        assert not box.thin and box.shape == tuple(summary.row(path).output_shape)
    assert sum("g=32" in b.label for b in diagram.boxes) == 16

"""Network summaries: every layer's output shape, parameters, multiplications, memory and
receptive field, like torchinfo, computed from the spec alone (no framework needed).

Conventions (see :mod:`convviz.arithmetic.layers` for the per-layer formulas):

- shapes are per example, without the batch axis;
- **MACs** (multiply-accumulates): Conv2d ``Cout*Hout*Wout*(Cin/groups)*kh*kw``,
  ConvTranspose2d ``Cin*Hin*Win*(Cout/groups)*kh*kw``, Linear ``in*out``, all other layers 0.
  torchvision's "GFLOPS" column is this total divided by 10^9 (checked for AlexNet,
  VGG-16, ResNet-18/50 and GoogLeNet: 0.71, 15.47, 1.81, 4.09, 1.50);
- **memory**: the elements of each layer's output (float32: 4 bytes each);
- **receptive field**: see :mod:`convviz.arithmetic.receptive`;
- **blocks**: ``Residual`` adds (0 MACs), ``Concat`` stacks channels, ``Scale`` multiplies
  each channel of its input by the weight its body computes (0 MACs, like an addition; its
  output has the input's shape); ``Side`` is a side output (an auxiliary classifier): its
  body's layers count in every total, its row shows the side output's shape, and the main
  path goes on with the block's input. ``Summary.output_shape`` is the main output;
  ``Summary.side_outputs`` lists the others.

Rows: one per layer *and* per block, in order, a block before its children. A block's row
shows the totals of its children (parameters, buffers, MACs, memory) plus, for memory, the
tensor the block itself produces (the sum, the concatenation or the scaled input; a side
output adds no tensor of its own); so don't add up rows of
different depths: use the ``total_*`` attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from math import prod
from typing import Any

from convviz.arithmetic.layers import LAYER_TYPES, Shape
from convviz.arithmetic.limits import RF_WORK_BUDGET, Count
from convviz.arithmetic.presets import PRESETS
from convviz.arithmetic.receptive import ReceptiveField, WorkBudget, work_budget
from convviz.arithmetic.spec import (
    ConcatNode,
    LayerNode,
    Network,
    Node,
    ResidualNode,
    ScaleNode,
    SideNode,
    parse_spec,
)
from convviz.errors import Note, SpecError

BYTES_PER_ELEMENT = 4  # float32


@dataclass
class LayerRow:
    """One row of a summary: a layer or a block (``depth`` 0 at the top level)."""

    path: str
    depth: int
    type: str
    input_shape: Shape
    output_shape: Shape
    params: int
    buffers: int
    macs: int
    memory_elems: int
    receptive_field: ReceptiveField | None
    warnings: list[Note] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    is_block: bool = False

    @property
    def memory_bytes(self) -> int:
        return self.memory_elems * BYTES_PER_ELEMENT

    @property
    def trainable_params(self) -> int:
        return self.params

    def to_dict(self) -> dict[str, Any]:
        rf = self.receptive_field
        return {
            "path": self.path,
            "type": self.type,
            "output_shape": list(self.output_shape),
            "params": self.params,
            "macs": self.macs,
            "memory_bytes": self.memory_bytes,
            "receptive_field": None if rf is None else rf.to_dict(),
            "warnings": [str(n) for n in self.warnings],
        }


@dataclass
class Summary:
    """Totals and rows of a network; ``to_dict()`` is the stable JSON format."""

    name: str
    input_shape: Shape
    output_shape: Shape
    total_params: int
    trainable_params: int
    total_buffers: int
    total_macs: int
    total_memory_elems: int
    layers: list[LayerRow]

    @property
    def total_memory_bytes(self) -> int:
        return self.total_memory_elems * BYTES_PER_ELEMENT

    @property
    def receptive_field(self) -> ReceptiveField | None:
        """Field of the last top-level row that has one (e.g. the last conv stage)."""
        for row in reversed(self.layers):
            if row.depth == 0 and row.receptive_field is not None:
                return row.receptive_field
        return None

    def notes(self) -> list[tuple[str, Note]]:
        """Every warning with the path of its layer."""
        return [(row.path, note) for row in self.layers for note in row.warnings]

    def warnings_text(self, lang: str = "en") -> list[str]:
        """Every warning as ``"path: text"`` in ``lang``."""
        return [f"{path}: {note.text(lang)}" for path, note in self.notes()]

    @property
    def top_rows(self) -> list[LayerRow]:
        """The rows of the top-level layers and blocks (depth 0), in order."""
        return [row for row in self.layers if row.depth == 0]

    @property
    def side_outputs(self) -> list[tuple[str, Shape]]:
        """(path, shape) of every side output (``Side`` block), in order."""
        return [(row.path, row.output_shape) for row in self.layers if row.type == "Side" and row.is_block]

    def row(self, path: str) -> LayerRow:
        for row in self.layers:
            if row.path == path:
                return row
        raise KeyError(path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "layers": [row.to_dict() for row in self.layers],
        }


class _Walker:
    def __init__(self, budget: WorkBudget | None = None) -> None:
        self.rows: list[LayerRow] = []
        self.params = self.buffers = self.macs = self.memory = 0
        self.budget = budget
        self.refused = 0

    def _budget_note(self, rf: ReceptiveField | None) -> list[Note]:
        """The warning of the first layer whose field was left unknown by the work budget."""
        if self.budget is None or self.budget.refused == self.refused:
            return []
        first = self.refused == 0
        self.refused = self.budget.refused
        if not first or rf is None:
            return []
        period = max(rf.h.period, rf.w.period)
        return [Note("engine.rf_budget", {"period": Count("", {"n": period}),
                                          "limit": Count("", {"n": RF_WORK_BUDGET})})]

    def run(self, nodes: list[Node], shape: Shape, rf: ReceptiveField | None,
            depth: int) -> tuple[Shape, ReceptiveField | None]:
        for node in nodes:
            shape, rf = self.node(node, shape, rf, depth)
        return shape, rf

    def node(self, node: Node, shape: Shape, rf: ReceptiveField | None,
             depth: int) -> tuple[Shape, ReceptiveField | None]:
        if isinstance(node, LayerNode):
            try:
                res = LAYER_TYPES[node.type].compute(node.args, shape, rf)
            except SpecError as err:
                raise err.at(node.path) from None
            elems = prod(res.shape)
            args = {**node.args, **res.inferred}
            notes = res.notes
            if self.budget is not None and self.budget.refused != self.refused:
                notes = notes + self._budget_note(rf)
            self.rows.append(LayerRow(node.path, depth, node.type, shape, res.shape, res.params,
                                      res.buffers, res.macs, elems, res.field, notes, args,
                                      node.label))
            self.params += res.params
            self.buffers += res.buffers
            self.macs += res.macs
            self.memory += elems
            return res.shape, res.field
        index = len(self.rows)
        before = (self.params, self.buffers, self.macs, self.memory)
        self.rows.append(LayerRow(node.path, depth, node.type, shape, shape, 0, 0, 0, 0, None,
                                  label=node.label, is_block=True))
        out, out_rf = self._block(node, shape, rf, depth)
        row = self.rows[index]
        if isinstance(node, SideNode):  # the row shows the side output; the main path goes on
            row.output_shape, row.receptive_field = out, out_rf
            out, out_rf = shape, rf
        else:
            self.memory += prod(out)
            row.output_shape, row.receptive_field = out, out_rf
        row.params = self.params - before[0]
        row.buffers = self.buffers - before[1]
        row.macs = self.macs - before[2]
        row.memory_elems = self.memory - before[3]
        return out, out_rf

    def _block(self, node: Node, shape: Shape, rf: ReceptiveField | None,
               depth: int) -> tuple[Shape, ReceptiveField | None]:
        if isinstance(node, ResidualNode):
            return self._residual(node, shape, rf, depth)
        if isinstance(node, ConcatNode):
            return self._concat(node, shape, rf, depth)
        if isinstance(node, ScaleNode):
            return self._scale(node, shape, rf, depth)
        if isinstance(node, SideNode):
            return self.run(node.body, shape, rf, depth + 1)
        raise AssertionError(f"unknown block {node!r}")  # pragma: no cover

    def _scale(self, node: ScaleNode, shape: Shape, rf: ReceptiveField | None,
               depth: int) -> tuple[Shape, ReceptiveField | None]:
        """Input times the body's per-channel weights: the input's shape; 0 MACs. The field
        is the union of the input's and the body's (global pooling: the whole input, unknown)."""
        weights, weights_rf = self.run(node.body, shape, rf, depth + 1)
        c = shape[0]
        if len(shape) != 3 or weights not in ((c, 1, 1), (c,)):
            raise SpecError.of("engine.scale_mismatch", shape=_text(shape), weights=_text(weights),
                               c=c).at(node.path)
        return shape, ReceptiveField.combine(rf, weights_rf)

    def _residual(self, node: ResidualNode, shape: Shape, rf: ReceptiveField | None,
                  depth: int) -> tuple[Shape, ReceptiveField | None]:
        body, body_rf = self.run(node.body, shape, rf, depth + 1)
        if node.shortcut is None:
            short, short_rf = shape, rf
        else:
            short, short_rf = self.run(node.shortcut, shape, rf, depth + 1)
        if body != short:
            raise SpecError.of("engine.residual_mismatch", body=_text(body), shortcut=_text(short),
                               identity=Note("engine.identity_word") if node.shortcut is None else "").at(node.path)
        return body, ReceptiveField.combine(body_rf, short_rf)

    def _concat(self, node: ConcatNode, shape: Shape, rf: ReceptiveField | None,
                depth: int) -> tuple[Shape, ReceptiveField | None]:
        outs = [self.run(branch, shape, rf, depth + 1) for branch in node.branches]
        first = outs[0][0]
        for i, (out, _) in enumerate(outs):
            if len(out) != 3 or out[1:] != first[1:] or len(first) != 3:
                raise SpecError.of("engine.concat_mismatch", i=i, shape=_text(out),
                                   first=_text(first)).at(node.path)
        field_out = outs[0][1]
        for _, branch_rf in outs[1:]:
            field_out = ReceptiveField.combine(field_out, branch_rf)
        return (sum(out[0] for out, _ in outs), first[1], first[2]), field_out


def _text(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def summarize_network(net: Network) -> Summary:
    if net.input_shape is None:
        raise SpecError.of("engine.no_input")
    shape = net.input_shape
    rf = ReceptiveField.identity() if len(shape) == 3 else None
    with work_budget() as budget:
        walker = _Walker(budget)
        out, _ = walker.run(net.layers, shape, rf, 0)
    return Summary(net.name, shape, out, walker.params, walker.params, walker.buffers,
                   walker.macs, walker.memory, walker.rows)


def summarize(spec: Any, input_shape: Any = None) -> Summary:
    """Summarise a network given as a spec dict, a path to a spec file, JSON text, or a
    preset name; ``input_shape`` ([C, H, W] or "C,H,W") overrides the spec's input.

    Raises :class:`convviz.SpecError` (a ValueError) naming the layer's path and the
    arithmetic when the network cannot be built.
    """
    if input_shape is None and isinstance(spec, str) and spec in PRESETS:
        return summarize_network(_preset_network(spec))
    return summarize_network(parse_spec(spec, input_shape))


@lru_cache(maxsize=64)
def _preset_network(name: str) -> Network:
    """A preset parsed once: presets never change, and checking their arguments was about
    half of a summary's time. The walk never modifies the parsed network."""
    return parse_spec(name)

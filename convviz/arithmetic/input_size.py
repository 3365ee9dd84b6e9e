"""Variable input size: which layers fix a network's input size, and what changing it does.

Convolutions, pooling, BatchNorm and activations accept any height and width (big enough for
their windows): their parameters do not depend on it. A ``Linear`` layer does: its weight
matrix has ``in_features`` columns, so after a ``Flatten`` of a ``(C, H, W)`` map it fixes
``C·H·W`` and so the input size. Adaptive pooling with a fixed ``output_size`` breaks the
dependency: after ``AdaptiveAvgPool2d((6, 6))`` AlexNet's first Linear sees ``256·6·6`` values
for any input big enough for its convolutions; global average pooling (``output_size`` 1)
does the same with ``C`` values.

:func:`fixed_size_layers` follows, per axis of every tensor, whether its length depends on the
input's size (the input's spatial axes do; ``out_channels``, ``out_features`` and a fixed
adaptive ``output_size`` do not; ``Flatten`` merges axes, and the merged axis depends when one
of them did; where paths join, an axis depends when it depends on either path). A Linear whose
input's last axis depends on the input size fixes it.

Semantics of a spec's ``in_features``: the presets leave it out, so it is inferred from the
input, and changing the input builds a *new* network for that size (a new weight matrix, a new
parameter count), as if the PyTorch code were rewritten for it. A *trained* network keeps its
weights: :func:`pin_linear_inputs` writes every Linear's ``in_features`` for the spec's own
input, and then another size is rejected by the first Linear whose input count changed
(:func:`try_input_size` with ``keep_weights=True`` says so in a sentence).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from convviz.arithmetic import spec_edit
from convviz.arithmetic.spec import (
    ConcatNode,
    LayerNode,
    Network,
    Node,
    ResidualNode,
    ScaleNode,
    SideNode,
    load_spec,
    parse_spec,
)
from convviz.arithmetic.summary import Summary, summarize_network
from convviz.errors import Note, Number, SpecError

Dep = tuple[bool, ...]  # per axis of a tensor (no batch axis): does its length depend on the input size?

ADAPTIVE = ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d")
WINDOWS = ("Conv2d", "ConvTranspose2d")


@dataclass(frozen=True)
class FixedLayer:
    """A layer that fixes the input size: ``path`` (a Linear), its ``in_features`` at the
    spec's input size, and the Flatten that made its input depend on the size (None when
    the Linear reads an unflattened tensor) with that Flatten's input shape."""

    path: str
    in_features: int
    flatten_path: str | None
    flatten_input: tuple[int, ...] | None


def _input_dep(shape: tuple[int, ...]) -> Dep:
    """(C, H, W) and (C, L): every axis but the channels; a feature vector: its length."""
    return (True,) if len(shape) == 1 else (False, *([True] * (len(shape) - 1)))


def _join(a: Dep, b: Dep) -> Dep:
    if len(a) != len(b):
        return tuple(True for _ in a)  # cannot happen in a valid network (shapes agree)
    return tuple(x or y for x, y in zip(a, b, strict=True))


class _DepWalker:
    def __init__(self, rows: dict[str, Any]) -> None:
        self.rows = rows
        self.fixed: list[FixedLayer] = []
        self.flatten: tuple[str, tuple[int, ...]] | None = None

    def run(self, nodes: list[Node], dep: Dep) -> Dep:
        for node in nodes:
            dep = self.node(node, dep)
        return dep

    def node(self, node: Node, dep: Dep) -> Dep:
        if isinstance(node, ResidualNode):
            body = self.run(node.body, dep)
            return _join(body, self.run(node.shortcut, dep) if node.shortcut is not None else dep)
        if isinstance(node, ConcatNode):
            outs = [self.run(branch, dep) for branch in node.branches]
            joined = outs[0]
            for out in outs[1:]:
                joined = _join(joined, out)
            return joined
        if isinstance(node, ScaleNode):
            self.run(node.body, dep)
            return dep
        if isinstance(node, SideNode):
            saved = self.flatten
            self.run(node.body, dep)
            self.flatten = saved
            return dep
        return self.layer(node, dep)

    def layer(self, node: LayerNode, dep: Dep) -> Dep:
        kind, args, row = node.type, node.args, self.rows[node.path]
        if kind in WINDOWS:
            return (False, *dep[1:])
        if kind in ADAPTIVE:
            size = args["output_size"]
            return (dep[0], *(d if o is None else False for d, o in zip(dep[1:], size, strict=True)))
        if kind == "Flatten":
            full = (False, *dep)
            start, end = args["start_dim"] % len(full), args["end_dim"] % len(full)
            merged = any(full[start : end + 1])
            if merged:
                self.flatten = (node.path, tuple(row.input_shape))
            return (*full[:start], merged, *full[end + 1 :])[1:]
        if kind == "Linear":
            if dep[-1]:
                where = self.flatten if self.flatten is not None and len(dep) == 1 else None
                self.fixed.append(FixedLayer(node.path, int(row.args["in_features"]),
                                             where[0] if where else None, where[1] if where else None))
            return (*dep[:-1], False)
        return dep  # pooling with a window, BatchNorm, activations, dropout, softmax, identity


def _network(network: Any) -> tuple[Network, Summary]:
    net = network if isinstance(network, Network) else parse_spec(network)
    return net, summarize_network(net)


def fixed_size_layers(network: Any) -> list[FixedLayer]:
    """The layers that fix the input size of ``network`` (a spec dict, preset name, JSON or
    a parsed :class:`Network`), in order: every Linear whose number of inputs depends on the
    input's height and width (or, for a vector input, its length). Empty when the network
    takes any size (big enough). SpecError when the network is invalid at its own input."""
    net, summary = _network(network)
    walker = _DepWalker({row.path: row for row in summary.layers})
    walker.run(net.layers, _input_dep(summary.input_shape))
    return walker.fixed


def size_adapters(network: Any) -> list[str]:
    """Paths of the adaptive pooling layers with a fixed output size (e.g. AlexNet's
    AdaptiveAvgPool2d((6, 6))): what makes the layers after them independent of the input size."""
    _, summary = _network(network)
    return [row.path for row in summary.layers
            if row.type in ADAPTIVE and None not in row.args.get("output_size", (None,))]


def pin_linear_inputs(spec: Any) -> dict[str, Any]:
    """A copy of ``spec`` with every Linear's ``in_features`` written for the spec's own
    input (the trained network's weight matrices), so another input size is checked against them."""
    data = copy.deepcopy(load_spec(spec))
    summary = summarize_network(parse_spec(data))
    rows = {row.path: row for row in summary.layers}
    for path, layer in spec_edit.iter_layers(data):
        if layer.get("type") == "Linear":
            layer["in_features"] = int(rows[path].args["in_features"])
    return data


def _pool_before(data: dict[str, Any], fixed: FixedLayer) -> dict[str, Any]:
    """``data`` with global average pooling in front of the Linear ``fixed`` (before its
    Flatten; an adaptive pool right before that Flatten is made global instead) and that
    Linear's ``in_features`` left to be inferred."""
    linear = spec_edit.get_layer(data, fixed.path)
    linear.pop("in_features", None)
    data = spec_edit.set_layer(data, fixed.path, linear)
    gap = {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]}
    target = fixed.flatten_path or fixed.path
    list_path, index = spec_edit.split_path(target)
    before = f"{list_path}.{index - 1}"
    if index > 0 and spec_edit.get_layer(data, before).get("type") in ADAPTIVE:
        return spec_edit.set_layer(data, before, gap)
    extra = [] if fixed.flatten_path else [{"type": "Flatten"}]
    for layer in reversed([gap, *extra]):
        data = spec_edit.insert_layer(data, list_path, index, layer)
    return data


def with_global_pool(spec: Any) -> dict[str, Any]:
    """A new spec in which global average pooling replaces what fixes the input size: for
    every layer of :func:`fixed_size_layers`, ``AdaptiveAvgPool2d(1)`` goes before its Flatten
    (so the Linear reads one value per channel) and its ``in_features`` is inferred. The
    result takes any input size big enough for its convolutions. SpecError when no layer
    fixes the size or the input is not an image (C, H, W)."""
    data = copy.deepcopy(load_spec(spec))
    fixed = fixed_size_layers(data)
    if not fixed:
        raise SpecError.of("engine.size_nothing_fixed")
    if len(summarize_network(parse_spec(data)).input_shape) != 3:
        raise SpecError.of("engine.size_not_image")
    for _ in range(len(fixed)):  # one layer at a time: paths move when a layer is inserted
        data = _pool_before(data, fixed[0])
        fixed = fixed_size_layers(data)
        if not fixed:
            break
    return data


@dataclass(frozen=True)
class SizeTrial:
    """The network at another input ``shape``: its summary, or the error that rejects it."""

    shape: tuple[int, ...]
    summary: Summary | None
    error: SpecError | None

    @property
    def first_linear(self) -> tuple[str, int] | None:
        """(path, in_features) of the first Linear layer, when the network builds."""
        for row in self.summary.layers if self.summary else []:
            if row.type == "Linear":
                return row.path, int(row.args["in_features"])
        return None


def try_input_size(spec: Any, shape: Any, keep_weights: bool = False) -> SizeTrial:
    """``spec`` on an input of ``shape``: with inferred Linear sizes (a new network for that
    size) or, with ``keep_weights``, with the sizes pinned at the spec's own input (the trained
    network); then a Linear that gets another number of inputs rejects the size with
    ``engine.size_linear_fixed``, a sentence naming it and why."""
    data = load_spec(spec)
    if keep_weights:
        data = pin_linear_inputs(data)
    candidate = spec_edit.set_input(data, list(shape))
    try:
        return SizeTrial(tuple(shape), summarize_network(parse_spec(candidate)), None)
    except SpecError as err:
        linear = err.key == "engine.channels_mismatch" and err.values.get("arg") == "in_features"
        if not (keep_weights and linear and err.path):
            return SizeTrial(tuple(shape), None, err)
        size = "×".join(str(v) for v in shape)
        fixed = SpecError.of("engine.size_linear_fixed", given=Number(err.values["given"]),
                             actual=Number(err.values["actual"]), size=size).at(err.path)
        return SizeTrial(tuple(shape), None, fixed)


def fixed_note(layer: FixedLayer, input_shape: tuple[int, ...]) -> Note:
    """One sentence: which layer fixes the input size and why."""
    size = "×".join(str(v) for v in input_shape)
    if layer.flatten_path is None:
        return Note("engine.size_fixed_plain", {"path": layer.path, "n": Number(layer.in_features), "size": size})
    product = "×".join(str(v) for v in layer.flatten_input or ())
    return Note("engine.size_fixed_by", {"path": layer.path, "n": Number(layer.in_features), "size": size,
                                         "flatten": layer.flatten_path, "product": product})

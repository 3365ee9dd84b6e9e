"""Numpy networks built from a parsed network spec (the same :class:`LayerNode` /
:class:`ResidualNode` / :class:`ConcatNode` objects the summary reads).

Every layer's output shape and multiplications come from the arithmetic
(:data:`convviz.arithmetic.layers.LAYER_TYPES`), so a spec the summary rejects is rejected
here with the same :class:`convviz.SpecError`. Weights come from an ``init`` function
``init(path, shape, fan_in) -> array`` called in execution order (body before shortcut,
branches in order); biases start at 0, BatchNorm at its fresh state (mean 0, variance 1).
Padding modes other than zeros are computed with zero padding. ``Scale`` and ``Side`` blocks
raise :class:`Unsupported` (the summary and the PyTorch export handle them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from convviz.arithmetic.layers import LAYER_TYPES as ARITHMETIC
from convviz.arithmetic.layers import conv_paddings
from convviz.arithmetic.spec import ConcatNode, LayerNode, Node, ResidualNode, ScaleNode, SideNode
from convviz.errors import SpecError
from convviz.nn import layers as L
from convviz.nn.base import DTYPE, Layer
from convviz.nn.blocks import Concat, Residual

Shape = tuple[int, ...]
Init = Callable[[str, Shape, int], np.ndarray]


class Unsupported(ValueError):
    """A layer (or block) of the spec that the numpy network cannot run."""

    def __init__(self, path: str, kind: str) -> None:
        self.path, self.kind = path, kind
        super().__init__(f"{path}: the numpy network cannot run {kind} here")


@dataclass
class Built:
    """Layers built from nodes, their output shape and the work of a forward pass
    (multiplications, plus every pooled input value)."""

    layers: list[Layer]
    shape: Shape
    work: int


def he_init(seed: int = 0) -> Init:
    """He-normal weights N(0, 2/fan_in), drawn from one seeded generator."""
    rng = np.random.default_rng(seed)
    return lambda path, shape, fan_in: rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)


def uniform_init(path: str, shape: Shape, fan_in: int) -> np.ndarray:
    """Every weight 1/fan_in: with a positive input, every path counts."""
    return np.full(shape, 1.0 / fan_in)


def _conv(node: LayerNode, shape: Shape) -> Layer:
    a = node.args
    common = (shape[0], a["out_channels"], a["kernel_size"], a["stride"])
    if node.type == "Conv2d":
        (t, b), (left, r) = conv_paddings(a)
        return L.Conv2d(*common, (t, b, left, r), a["dilation"], a["groups"], a["bias"])
    return L.ConvTranspose2d(*common, a["padding"], a["output_padding"], a["groups"], a["bias"], a["dilation"])


def _pool(node: LayerNode, shape: Shape) -> Layer:
    a = node.args
    if node.type == "MaxPool2d":
        return L.MaxPool2d(a["kernel_size"], a["stride"], a["padding"], a["dilation"], a["ceil_mode"])
    if node.type == "AvgPool2d":
        return L.AvgPool2d(a["kernel_size"], a["stride"], a["padding"], a["ceil_mode"],
                           a["count_include_pad"], a["divisor_override"])
    return L.LAYER_TYPES[node.type](a["output_size"])  # type: ignore[call-arg]


def _other(node: LayerNode, shape: Shape) -> Layer | None:
    a, kind = node.args, node.type
    if kind in ("ReLU", "Sigmoid", "Tanh", "Identity"):
        return L.LAYER_TYPES[kind]()
    if kind == "LeakyReLU":
        return L.LeakyReLU(a["negative_slope"])
    if kind in ("Dropout", "Dropout2d") and a["p"] < 1:
        return L.LAYER_TYPES[kind](a["p"])  # type: ignore[call-arg]
    if kind == "BatchNorm2d":
        return L.BatchNorm2d(shape[0], a["eps"], 0.1 if a["momentum"] is None else a["momentum"])
    if kind == "Flatten" and (a["start_dim"], a["end_dim"]) == (1, -1):
        return L.Flatten()
    if kind == "Linear" and len(shape) == 1:
        return L.Linear(shape[0], a["out_features"], bias=a["bias"])
    if kind == "Softmax" and a["dim"] in (None, 1):
        return L.Softmax()
    return None


def _layer(node: LayerNode, shape: Shape, init: Init) -> Layer:
    """The numpy layer of ``node`` with weights from ``init``."""
    if node.type in ("Conv2d", "ConvTranspose2d"):
        layer = _conv(node, shape)
    elif "Pool" in node.type:
        layer = _pool(node, shape)
    else:
        found = _other(node, shape)
        if found is None:
            raise Unsupported(node.path, node.type)
        layer = found
    weight = layer.params.get("weight")
    if weight is not None and node.type != "BatchNorm2d":
        groups = node.args.get("groups", 1)
        fan_in = shape[0] // groups * math.prod(weight.shape[2:]) if weight.ndim == 4 else shape[0]
        layer.params["weight"] = np.asarray(init(node.path, weight.shape, fan_in))
    return layer


class TooMuchWork(ValueError):
    """The forward pass would need more than the allowed work (checked before any weight
    is drawn)."""

    def __init__(self, work: int, limit: int) -> None:
        self.work, self.limit = work, limit
        super().__init__(f"the forward pass needs {work:,} multiplications; the limit is {limit:,}")


@dataclass
class _Builder:
    init: Init
    dtype: type
    limit: int | None
    work: int = 0

    def spend(self, work: int) -> None:
        self.work += work
        if self.limit is not None and self.work > self.limit:
            raise TooMuchWork(self.work, self.limit)

    def nodes(self, nodes: list[Node], shape: Shape) -> tuple[list[Layer], Shape]:
        layers = []
        for node in nodes:
            layer, shape = self.node(node, shape)
            layers.append(layer)
        return layers, shape

    def node(self, node: Node, shape: Shape) -> tuple[Layer, Shape]:
        if isinstance(node, (ScaleNode, SideNode)):  # no numpy block for them (yet)
            raise Unsupported(node.path, node.type)
        if isinstance(node, ResidualNode):
            body, out = self.nodes(node.body, shape)
            short, out_short = self.nodes(node.shortcut or [], shape)
            if out != out_short:
                raise Unsupported(node.path, "Residual")
            return Residual(body, short).astype(self.dtype), out
        if isinstance(node, ConcatNode):
            parts = [self.nodes(b, shape) for b in node.branches]
            outs = [p[1] for p in parts]
            if len(outs[0]) != 3 or any(o[1:] != outs[0][1:] for o in outs):
                raise Unsupported(node.path, "Concat")
            return Concat([p[0] for p in parts]).astype(self.dtype), (sum(o[0] for o in outs), *outs[0][1:])
        try:
            result = ARITHMETIC[node.type].compute(node.args, shape, None)
        except SpecError as err:
            raise err.at(node.path) from None
        self.spend(result.macs + (math.prod(shape) if "Pool" in node.type else 0))
        return _layer(node, shape, self.init).astype(self.dtype), result.shape


def build_layers(
    nodes: list[Node], shape: Shape, init: Init, dtype: type = DTYPE, limit: int | None = None
) -> Built:
    """Numpy layers for ``nodes`` on inputs of ``shape`` (per example, no batch axis).
    :class:`TooMuchWork` as soon as the work passes ``limit`` (before drawing its weights)."""
    builder = _Builder(init, dtype, limit)
    layers, out = builder.nodes(nodes, shape)
    return Built(layers, out, builder.work)

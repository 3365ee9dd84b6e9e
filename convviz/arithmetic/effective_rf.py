"""Effective receptive field (ERF) of one unit: its input gradient through the numpy network.

The ERF of output unit ``y = f(x)[c, i, j]`` is the magnitude of its input gradient,
``E[h, w] = sum_ch |dy / dx[ch, h, w]|`` (Luo et al., 2016), evaluated for one input
``x`` and one set of weights. It is non-zero only inside the theoretical receptive field,
and usually concentrated near its centre.

The spec is parsed once (:func:`convviz.arithmetic.spec.parse_spec`); the layers the chosen
output depends on (those before it, and, for a layer inside a Residual / Concat block, the
layers before it in that block) become a :class:`convviz.nn.Sequential` in float64
(:mod:`convviz.nn.from_spec`), run forward once and back-propagated from a one-hot gradient
at the unit. So max pooling routes the gradient to one input per window (a sparse ERF),
BatchNorm2d in evaluation mode with fresh statistics is the scale 1/sqrt(1 + eps), Dropout
passes it through, Residual adds the gradients of body and shortcut, Concat splits them.

Weights: ``"random"`` draws He-normal weights N(0, 2/fan_in) (seeded); ``"uniform"`` sets
every weight to 1/fan_in, so with a positive input every path counts and the ERF's support
is the whole theoretical field (except through max pooling). Biases are 0.

Only small networks: the forward work is capped at :data:`MAX_MACS` multiplications and the
input at :data:`MAX_INPUT` values; beyond that :class:`ERFTooLarge` says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convviz.arithmetic.spec import ConcatNode, Node, ResidualNode, ScaleNode, SideNode, parse_spec
from convviz.errors import CatalogError, SpecError

MAX_MACS = 40_000_000
MAX_INPUT = 3 * 256 * 256


class ERFError(CatalogError):
    """Why the ERF cannot be computed here; ``localized(lang)`` gives the message."""


class ERFTooLarge(ERFError):
    """The network (up to the chosen layer) is too big for a numpy ERF in a page."""


def route(nodes: list[Node], path: str) -> list[Node]:
    """The nodes the output of ``path`` depends on, in order: for ``layers.4.body.1`` the
    top-level layers 0-3, then the body's layers 0-1."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] != "layers":
        raise ERFError("rf.erf_bad_path", path=path)
    chosen: list[Node] = []
    k = 1
    while True:
        if k >= len(parts) or not parts[k].isdigit() or int(parts[k]) >= len(nodes):
            raise ERFError("rf.erf_bad_path", path=path)
        index = int(parts[k])
        chosen += nodes[:index]
        node = nodes[index]
        if k == len(parts) - 1:
            return [*chosen, node]
        key = parts[k + 1]
        if isinstance(node, (ScaleNode, SideNode)) and key == "body":
            nodes, k = node.body, k + 2
        elif isinstance(node, ResidualNode) and key in ("body", "shortcut"):
            nodes, k = (node.body if key == "body" else node.shortcut or []), k + 2
        elif isinstance(node, ConcatNode) and key == "branches" and k + 2 < len(parts) and parts[k + 2].isdigit():
            b = int(parts[k + 2])
            if b >= len(node.branches):
                raise ERFError("rf.erf_bad_path", path=path)
            nodes, k = node.branches[b], k + 3
        else:
            raise ERFError("rf.erf_bad_path", path=path)


@dataclass
class ERF:
    """Input gradient of one unit: ``grad`` (C, H, W) and ``magnitude`` (H, W) = sum |grad|."""

    path: str
    unit: tuple[int, int]
    channel: int | None
    grad: np.ndarray
    magnitude: np.ndarray
    output_shape: tuple[int, ...]
    macs: int
    weights: dict[str, tuple[np.ndarray, np.ndarray | None]]
    input: np.ndarray


def make_input(shape: tuple[int, int, int], kind: str = "random", seed: int = 0) -> np.ndarray:
    """The input the ERF is evaluated at: N(0, 1) noise (``"random"``) or, for
    ``"positive"``, values uniform in [0.5, 1.5] (every ReLU passes)."""
    rng = np.random.default_rng(seed + 1)
    if kind == "positive":
        return rng.uniform(0.5, 1.5, size=shape)
    return rng.normal(size=shape)


def _input_shape(spec: dict) -> tuple[int, int, int]:
    try:
        shape = tuple(int(v) for v in spec.get("input", ()))
    except (TypeError, ValueError):
        raise ERFError("rf.erf_bad_arg", name="input", value=spec.get("input")) from None
    if len(shape) != 3 or min(shape) < 1:
        raise ERFError("rf.erf_bad_arg", name="input", value=list(shape))
    if math.prod(shape) > MAX_INPUT:
        raise ERFTooLarge("rf.erf_input_too_large", shape="x".join(map(str, shape)), limit=f"{MAX_INPUT:,}")
    return shape  # type: ignore[return-value]


def _build(spec: dict, path: str, shape: tuple[int, int, int], weights: str, seed: int) -> tuple[Any, dict, int]:
    """The float64 :class:`convviz.nn.Sequential` up to ``path``, its weights by spec path
    and the multiplications of its forward pass."""
    from convviz.nn import Sequential
    from convviz.nn.from_spec import TooMuchWork, Unsupported, build_layers, he_init, uniform_init

    try:
        nodes = route(parse_spec({"layers": spec.get("layers") or []}).layers, path)
        init = uniform_init if weights == "uniform" else he_init(seed)
        built = build_layers(nodes, shape, init, np.float64, MAX_MACS)
    except TooMuchWork as exc:
        raise ERFTooLarge("rf.erf_too_large", macs=f"{exc.work:,}", limit=f"{MAX_MACS:,}") from None
    except Unsupported as exc:
        raise ERFError("rf.erf_unsupported", path=exc.path, type=exc.kind) from None
    except SpecError as exc:
        raise ERFError("rf.erf_bad_arg", name=exc.path or "spec", value=exc.note) from None
    if len(built.shape) != 3:
        raise ERFError("rf.erf_unsupported", path=path, type=nodes[-1].type)
    model = Sequential(built.layers, shape, "erf")
    found = {}
    for node, layer in _leaves(nodes, built.layers):
        if "weight" in layer.params and node.type != "BatchNorm2d":
            found[node.path] = (layer.params["weight"], layer.params.get("bias"))
    return model, found, built.work


def _leaves(nodes: list[Node], layers: list[Any]) -> list[tuple[Node, Any]]:
    """(node, numpy layer) pairs of every plain layer, inside blocks too."""
    pairs = []
    for node, layer in zip(nodes, layers, strict=True):
        if isinstance(node, ResidualNode):
            pairs += _leaves(node.body, layer.body) + _leaves(node.shortcut or [], layer.shortcut)
        elif isinstance(node, ConcatNode):
            for branch, sub in zip(node.branches, layer.branches, strict=True):
                pairs += _leaves(branch, sub)
        else:
            pairs.append((node, layer))
    return pairs


def effective_receptive_field(
    spec: dict,
    path: str,
    unit: tuple[int, int],
    channel: int | None = None,
    weights: str = "random",
    seed: int = 0,
    x: np.ndarray | None = None,
) -> ERF:
    """ERF of unit ``unit = (i, j)`` of layer ``path``: the gradient of ``y[channel, i, j]``
    (of the sum over channels when ``channel`` is None) with respect to the input.

    ``x`` defaults to :func:`make_input` (random for random weights, positive for uniform)."""
    if weights not in ("random", "uniform"):
        raise ERFError("rf.erf_bad_arg", name="weights", value=weights)
    shape = _input_shape(spec)
    model, found, work = _build(spec, path, shape, weights, seed)
    if x is None:
        x = make_input(shape, "positive" if weights == "uniform" else "random", seed)
    x = np.asarray(x, dtype=np.float64)
    with model.lock:
        y = model.forward(x[None])[0]
        i, j = unit
        if not (0 <= i < y.shape[1] and 0 <= j < y.shape[2]) or (channel is not None and not 0 <= channel < y.shape[0]):
            raise ERFError("rf.erf_bad_unit", i=i, j=j, h=y.shape[1], w=y.shape[2])
        gy = np.zeros((1, *y.shape))
        gy[0, slice(None) if channel is None else channel, i, j] = 1.0
        grad = model.backward(gy, input_grad=True)
    assert grad is not None
    return ERF(path, (i, j), channel, grad[0], np.abs(grad[0]).sum(axis=0), y.shape, work, found, x)

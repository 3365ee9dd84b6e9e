"""A network as a diagram: boxes, edges and join markers laid out from its parsed spec.

Pure layout, no drawing (:mod:`convviz.figures.architecture_diagram` draws it). The flow is
vertical, top to bottom (``y`` grows downward), as in the papers' figures:

- a layer is a box (id = its spec path) with a label and its output shape; layers that keep
  their input's shape and are no convolution, pooling or linear layer (ReLU, BatchNorm,
  Dropout, ...) are thin boxes without a shape;
- a Residual block puts its body on the main axis and its shortcut (a plain line for the
  identity) to the right; both meet at a ``+`` join (ResNet's bottleneck);
- a Concat block puts its branches side by side; they meet at a ``‖`` join (Inception);
- a Scale block (squeeze-and-excitation) keeps the input on the axis and puts the body that
  computes the channel weights to the right; they meet at a ``×`` join;
- a Side block (an auxiliary classifier) leaves the axis to the right and ends in its own
  output; the main path goes on with the block's input;
- any other node type is one plain box, so an unknown node never breaks the diagram.

With ``collapse=True`` a run of N identical consecutive nodes or groups of nodes (same types,
arguments and input shape; e.g. ResNet's ``[bottleneck, ReLU]`` repeated) is drawn once in a
frame marked ``×N``; each box of that copy then stands for the matching layer of every copy
(``Box.paths``), so every layer of the network is still accounted for exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

Point = tuple[float, float]

BOX_W = 3.4  # width of a layer's box
BOX_H = 1.0  # height of a box with a shape
THIN_H = 0.55  # height of a box whose layer keeps its input's shape
GAP = 0.45  # vertical gap between consecutive parts
HGAP = 0.5  # horizontal gap between side-by-side branches
FORK = 0.45  # drop from a fork to the first box of a branch
LANE = 0.8  # width of an identity lane (a line without boxes)
JOIN_R = 0.28  # radius of a join marker
PAD = 0.22  # padding of a block's frame


@dataclass(frozen=True)
class Box:
    """One layer: ``id`` is its spec path; ``paths`` every layer it stands for (itself and,
    when collapsed, the same layer of each repeat). ``x, y`` is the top-left corner."""

    id: str
    type: str
    label: str
    shape: tuple[int, ...] | None
    x: float
    y: float
    w: float
    h: float
    paths: tuple[str, ...]
    thin: bool = False


@dataclass(frozen=True)
class Join:
    """Where branches meet: ``symbol`` is ``+`` (sum), ``‖`` (concatenation) or ``×``
    (channel scaling); ``id`` is the block's path; ``x, y`` the centre."""

    id: str
    symbol: str
    x: float
    y: float


@dataclass(frozen=True)
class Frame:
    """A rectangle around a block (``kind="block"``, label = the block's name or type) or
    around the one drawn copy of a repeated run (``kind="repeat"``, ``count`` copies)."""

    id: str
    kind: str
    label: str
    x: float
    y: float
    w: float
    h: float
    count: int = 1


@dataclass(frozen=True)
class Diagram:
    boxes: list[Box]
    edges: list[tuple[Point, ...]]
    joins: list[Join]
    frames: list[Frame]
    width: float
    height: float


@dataclass
class _Part:
    """A laid-out piece, relative to its own top-left; it is entered at ``(axis, 0)`` and
    left at ``(axis, height)``."""

    width: float
    height: float
    axis: float
    boxes: list[Box] = field(default_factory=list)
    edges: list[tuple[Point, ...]] = field(default_factory=list)
    joins: list[Join] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)

    def add(self, other: _Part, dx: float, dy: float) -> None:
        self.boxes += [replace(b, x=b.x + dx, y=b.y + dy) for b in other.boxes]
        self.edges += [tuple((x + dx, y + dy) for x, y in e) for e in other.edges]
        self.joins += [replace(j, x=j.x + dx, y=j.y + dy) for j in other.joins]
        self.frames += [replace(f, x=f.x + dx, y=f.y + dy) for f in other.frames]


# ------------------------------------------------------------------ labels


def _pair(value: Any) -> tuple[Any, Any]:
    return (value, value) if not isinstance(value, (list, tuple)) else (value[0], value[1])


def _kernel(value: Any) -> str:
    h, w = _pair(value)
    return f"{h}×{w}"


def _stride(value: Any) -> str:
    if value is None:
        return ""
    h, w = _pair(value)
    return "" if (h, w) == (1, 1) else (f", /{h}" if h == w else f", /{h}×{w}")


def box_label(kind: str, args: Mapping[str, Any], fmt: Callable[[float], str] = str) -> str:
    """A layer's label in the papers' notation with PyTorch's type names, e.g.
    ``Conv2d 3×3, 128, /2, g=32``, ``MaxPool2d 3×3, /2``, ``Linear 1000``; ``fmt`` writes
    fractional numbers (the decimal comma in Spanish)."""
    if kind in ("Conv2d", "ConvTranspose2d"):
        text = f"{kind} {_kernel(args.get('kernel_size', 1))}, {args.get('out_channels', '?')}"
        text += _stride(args.get("stride"))
        groups = args.get("groups") or 1
        return text + (f", g={groups}" if groups != 1 else "")
    if kind in ("MaxPool2d", "AvgPool2d"):
        stride = args.get("stride")
        return f"{kind} {_kernel(args.get('kernel_size', 1))}" + _stride(stride if stride is not None else args.get("kernel_size"))
    if kind.startswith("Adaptive"):
        return f"{kind} {_kernel(tuple('*' if v is None else v for v in _pair(args.get('output_size', 1))))}"
    if kind == "Linear":
        return f"Linear {args.get('out_features', '?')}"
    if kind.startswith("Dropout") and isinstance(args.get("p"), (int, float)):
        return f"{kind} {fmt(float(args['p']))}"
    return kind


# ------------------------------------------------------------------ layout


def _computes(kind: str) -> bool:
    """Convolutions, pooling and linear layers: always a full box with its shape, even when
    they keep their input's shape (ResNeXt's 3×3 grouped conv)."""
    return kind.startswith("Conv") or "Pool" in kind or kind == "Linear"


class _Layout:
    def __init__(self, rows: Mapping[str, Any], collapse: bool, fmt: Callable[[float], str],
                 block_labels: Mapping[str, str]) -> None:
        self.rows = rows
        self.collapse = collapse
        self.fmt = fmt
        self.block_labels = block_labels

    # ---------------------------------------------------------- one node
    def node(self, node: Any) -> _Part:
        kind = getattr(node, "type", "?")
        if hasattr(node, "args"):
            return self.layer(node)
        if kind == "Residual" and hasattr(node, "body"):
            return self.residual(node)
        if kind == "Concat" and hasattr(node, "branches"):
            return self.concat(node)
        if kind in ("Scale", "Side") and hasattr(node, "body"):
            return self.side(node, kind)
        return self.unknown(node)

    def layer(self, node: Any) -> _Part:
        row = self.rows.get(node.path)
        args = row.args if row is not None and row.args else node.args
        shape = tuple(row.output_shape) if row is not None else None
        thin = row is not None and tuple(row.input_shape) == shape and not _computes(node.type)
        h = THIN_H if thin else BOX_H
        box = Box(node.path, node.type, box_label(node.type, args, self.fmt), shape, 0.0, 0.0, BOX_W, h, (node.path,), thin)
        return _Part(BOX_W, h, BOX_W / 2, [box])

    def unknown(self, node: Any) -> _Part:
        path = str(getattr(node, "path", "?"))
        row = self.rows.get(path)
        shape = tuple(row.output_shape) if row is not None else None
        inner = tuple(layer_paths_of([node])) or (path,)
        box = Box(path, str(getattr(node, "type", "?")), str(getattr(node, "type", "?")), shape, 0.0, 0.0, BOX_W, BOX_H, inner)
        return _Part(BOX_W, BOX_H, BOX_W / 2, [box])

    def _framed(self, node: Any, inner: _Part, join_y: float | None, symbol: str | None) -> _Part:
        """``inner`` padded inside the block's frame, with its join marker."""
        out = _Part(inner.width + 2 * PAD, inner.height + 2 * PAD, inner.axis + PAD)
        out.add(inner, PAD, PAD)
        if symbol is not None and join_y is not None:
            out.joins.append(Join(node.path, symbol, out.axis, join_y + PAD))
        label = self.block_labels.get(node.path) or getattr(node, "label", None) or node.type
        out.frames.insert(0, Frame(node.path, "block", str(label), 0.0, 0.0, out.width, out.height))
        return out

    def residual(self, node: Any) -> _Part:
        body = self.seq(node.body)
        short = self.seq(node.shortcut) if node.shortcut is not None else None
        lane = short.width if short is not None else LANE
        part = _Part(body.width + HGAP + lane, 0.0, body.axis)
        part.add(body, 0.0, FORK)
        sx = body.width + HGAP + (short.axis if short is not None else lane / 2)
        bottom = FORK + max(body.height, short.height if short is not None else 0.0)
        join_y = bottom + GAP
        a = body.axis
        part.edges.append(((a, 0.0), (a, FORK)))
        part.edges.append(((a, FORK + body.height), (a, join_y)))
        if short is not None:
            part.add(short, body.width + HGAP, FORK)
            part.edges.append(((a, 0.0), (sx, 0.0), (sx, FORK)))
            part.edges.append(((sx, FORK + short.height), (sx, join_y), (a, join_y)))
        else:
            part.edges.append(((a, 0.0), (sx, 0.0), (sx, join_y), (a, join_y)))
        part.height = join_y + JOIN_R + GAP / 2
        part.edges.append(((a, join_y), (a, part.height)))
        return self._framed(node, part, join_y, "+")

    def concat(self, node: Any) -> _Part:
        branches = [self.seq(b) for b in node.branches]
        width = sum(b.width for b in branches) + HGAP * (len(branches) - 1)
        part = _Part(width, 0.0, width / 2)
        join_y = FORK + max(b.height for b in branches) + GAP
        x = 0.0
        for b in branches:
            part.add(b, x, FORK)
            bx = x + b.axis
            part.edges.append(((part.axis, 0.0), (bx, 0.0), (bx, FORK)))
            part.edges.append(((bx, FORK + b.height), (bx, join_y), (part.axis, join_y)))
            x += b.width + HGAP
        part.height = join_y + JOIN_R + GAP / 2
        part.edges.append(((part.axis, join_y), (part.axis, part.height)))
        return self._framed(node, part, join_y, "‖")

    def side(self, node: Any, kind: str) -> _Part:
        """Scale: input on the axis, body to the right, ``×`` join. Side: the body leaves the
        axis to the right and ends on its own; the axis goes straight on."""
        body = self.seq(node.body)
        part = _Part(LANE + HGAP + body.width, 0.0, LANE / 2)
        bx = LANE + HGAP + body.axis
        part.add(body, LANE + HGAP, FORK)
        part.edges.append(((part.axis, 0.0), (bx, 0.0), (bx, FORK)))
        if kind == "Scale":
            join_y = FORK + body.height + GAP
            part.edges.append(((bx, FORK + body.height), (bx, join_y), (part.axis, join_y)))
            part.height = join_y + JOIN_R + GAP / 2
            part.edges.append(((part.axis, 0.0), (part.axis, part.height)))
            return self._framed(node, part, join_y, "×")
        part.height = FORK + body.height + GAP / 2
        part.edges.append(((part.axis, 0.0), (part.axis, part.height)))
        return self._framed(node, part, None, None)

    # ---------------------------------------------------------- sequences
    def seq(self, nodes: Sequence[Any]) -> _Part:
        if not self.collapse:
            return self._stack([self.node(n) for n in nodes])
        return self._stack([self.run(run) for run in self.runs(nodes)])

    def run(self, copies: Any) -> _Part:
        """One node, or a repeated run ``[[n1, n2], [n1', n2'], ...]`` drawn once, framed ×N."""
        if not isinstance(copies, list):
            return self.node(copies)
        first = self.seq_plain(copies[0])
        others = [self.seq_plain(c) for c in copies[1:]]
        boxes = []
        for k, box in enumerate(first.boxes):
            paths = list(box.paths)
            for other in others:
                paths += other.boxes[k].paths if k < len(other.boxes) else ()
            boxes.append(replace(box, paths=tuple(paths)))
        first.boxes = boxes
        out = _Part(first.width + 2 * PAD, first.height + 2 * PAD, first.axis + PAD)
        out.frames.append(Frame(boxes[0].id if boxes else "", "repeat", f"×{len(copies)}", 0.0, 0.0, out.width, out.height, len(copies)))
        out.add(first, PAD, PAD)
        out.edges += [((out.axis, 0.0), (out.axis, PAD)), ((out.axis, out.height - PAD), (out.axis, out.height))]
        return out

    def seq_plain(self, nodes: Sequence[Any]) -> _Part:
        """A sequence laid out as given (its blocks' inner sequences still collapse)."""
        return self._stack([self.node(n) for n in nodes])

    def _stack(self, parts: list[_Part]) -> _Part:
        axis = max((p.axis for p in parts), default=LANE / 2)
        right = max((p.width - p.axis for p in parts), default=LANE / 2)
        out = _Part(axis + right, 0.0, axis)
        y = 0.0
        for i, p in enumerate(parts):
            if i:
                out.edges.append(((axis, y - GAP), (axis, y)))
            out.add(p, axis - p.axis, y)
            y += p.height + GAP
        out.height = max(y - GAP, 0.0)
        return out

    def runs(self, nodes: Sequence[Any]) -> list[Any]:
        """The nodes grouped: a single node, or a list of copies (each a list of nodes) for a
        run of at least two identical consecutive groups of up to :data:`MAX_PERIOD` nodes.
        A run starts at a block rather than at the plain layer before it when both cover as
        many nodes (ResNet's ``[bottleneck, ReLU] ×2``, not ``[ReLU, bottleneck] ×2``)."""
        sigs = [self.signature(n) for n in nodes]
        out: list[Any] = []
        i = 0
        while i < len(nodes):
            period, count = _best_run(sigs, i)
            if count > 1 and i + 1 < len(nodes) and hasattr(nodes[i], "args") and not hasattr(nodes[i + 1], "args"):
                p2, c2 = _best_run(sigs, i + 1)
                if c2 > 1 and p2 * c2 >= period * count:
                    period, count = 1, 1
            if count == 1:
                out.append(nodes[i])
            else:
                out.append([list(nodes[i + k * period:i + (k + 1) * period]) for k in range(count)])
            i += period * count
        return out

    def signature(self, node: Any) -> str:
        """Equal for nodes that compute the same thing from the same input shape (paths and
        names aside)."""
        row = self.rows.get(getattr(node, "path", ""))
        head = f"{getattr(node, 'type', '?')}|{None if row is None else tuple(row.input_shape)}"
        if hasattr(node, "args"):
            return head + "|" + repr(sorted((row.args if row is not None and row.args else node.args).items()))
        lists = _child_lists(node)
        if not lists and not hasattr(node, "body"):
            return head + "|" + str(getattr(node, "path", ""))  # unknown: never equal to another
        return head + "|" + repr([None if c is None else [self.signature(n) for n in c] for c in lists])


MAX_PERIOD = 4  # longest group of nodes that is looked for as a repeat


def _best_run(sigs: Sequence[str], i: int) -> tuple[int, int]:
    """(period, count) of the longest run of identical groups starting at ``i``; (1, 1)
    when nothing repeats."""
    best = (1, 1)
    for period in range(1, MAX_PERIOD + 1):
        count = 1
        while i + (count + 1) * period <= len(sigs) and sigs[i + count * period:i + (count + 1) * period] == sigs[i:i + period]:
            count += 1
        if count >= 2 and period * count > best[0] * best[1]:
            best = (period, count)
    return best


def _child_lists(node: Any) -> list[Any]:
    if hasattr(node, "branches"):
        return list(node.branches)
    lists = [getattr(node, "body", None)]
    if hasattr(node, "shortcut"):
        lists.append(node.shortcut)
    return [c for c in lists if c is not None] if hasattr(node, "body") else []


def layer_paths_of(nodes: Sequence[Any]) -> list[str]:
    """The paths of every layer (leaf node) under ``nodes``, in order."""
    out: list[str] = []
    for node in nodes:
        if hasattr(node, "args"):
            out.append(node.path)
        else:
            for child in _child_lists(node):
                out += layer_paths_of(child)
    return out


def build_diagram(network: Any, rows: Sequence[Any] = (), collapse: bool = False,
                  fmt: Callable[[float], str] = str, block_labels: Mapping[str, str] | None = None) -> Diagram:
    """The diagram of a parsed :class:`~convviz.arithmetic.spec.Network`; ``rows`` are its
    summary rows (shapes, inferred arguments); without them boxes carry no shapes.
    ``collapse`` draws runs of identical nodes once (``×N``)."""
    by_path = {row.path: row for row in rows}
    part = _Layout(by_path, collapse, fmt, block_labels or {}).seq(network.layers)
    return Diagram(part.boxes, part.edges, part.joins, part.frames, part.width, part.height)

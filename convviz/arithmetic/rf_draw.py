"""Geometry for drawing receptive fields (pure numpy; no plotting here).

Rectangle of one unit. With the engine's per-axis receptive field (size r, jump j, start s:
the centre of the first output unit in input coordinates), unit i of the layer is centred
at ``c = s + i*j`` and sees the input rows/columns ``c - (r-1)/2 ... c + (r-1)/2``
(inclusive; parts outside ``0 ... N-1`` are padding).

Exact sampled positions of a chain. For a chain of window operations per axis
(kernel k, stride s, padding p, dilation d), output index i of a layer reads input
indices ``i*s - p + u*d`` for ``u = 0..k-1``. Walking back from one unit and counting how
many paths reach each input index gives its *sampling multiplicity*; for square / rectangular
windows the 2-D map is the outer product of the two axes. A zero inside the field's span is a
"gridding" hole: an input position the unit never reads although it lies in its field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rect:
    """Inclusive pixel bounds (may be fractional, may lie outside the image)."""

    top: float
    left: float
    bottom: float
    right: float

    @property
    def height(self) -> float:
        return self.bottom - self.top + 1

    @property
    def width(self) -> float:
        return self.right - self.left + 1


def unit_center(start: tuple[float, float], jump: tuple[float, float], i: int, j: int) -> tuple[float, float]:
    """Centre of unit (i, j) on the input: ``start + index * jump`` per axis."""
    return (start[0] + i * jump[0], start[1] + j * jump[1])


def unit_rect(
    size: tuple[float, float], jump: tuple[float, float], start: tuple[float, float], i: int, j: int
) -> Rect:
    """Receptive field of unit (i, j): ``centre -+ (size-1)/2`` per axis (inclusive)."""
    cy, cx = unit_center(start, jump, i, j)
    hy, hx = (size[0] - 1) / 2, (size[1] - 1) / 2
    return Rect(cy - hy, cx - hx, cy + hy, cx + hx)


def clip_rect(rect: Rect, height: int, width: int) -> Rect | None:
    """The part of ``rect`` that lies on an image of ``height`` x ``width`` (None if none)."""
    top, left = max(rect.top, 0.0), max(rect.left, 0.0)
    bottom, right = min(rect.bottom, height - 1.0), min(rect.right, width - 1.0)
    if top > bottom or left > right:
        return None
    return Rect(top, left, bottom, right)


@dataclass(frozen=True)
class Window:
    """One window operation along one axis: kernel, stride, padding, dilation."""

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1


def sampled_counts_1d(chain: list[Window], index: int, n: int | None = None) -> tuple[int, np.ndarray]:
    """How many paths lead from output ``index`` of the last window back to each input index.

    Returns ``(offset, counts)``: ``counts[t]`` belongs to input index ``offset + t``
    (indices below 0 or past the input's end are padding). With the input length ``n``,
    reads of an intermediate layer's padding (zeros, which lead nowhere) are dropped; the
    length after each window is ``floor((n + 2p - d(k-1) - 1) / s) + 1``."""
    lengths: list[int | None] = [n]
    for win in chain:
        prev = lengths[-1]
        lengths.append(None if prev is None else (prev + 2 * win.padding - win.dilation * (win.kernel - 1) - 1) // win.stride + 1)
    positions = {index: 1}
    for level in range(len(chain) - 1, -1, -1):
        win = chain[level]
        size = lengths[level] if level > 0 else None  # keep the input's padding reads
        nxt: dict[int, int] = {}
        for pos, count in positions.items():
            base = pos * win.stride - win.padding
            for u in range(win.kernel):
                q = base + u * win.dilation
                if size is not None and not 0 <= q < size:
                    continue
                nxt[q] = nxt.get(q, 0) + count
        positions = nxt
    if not positions:
        return index, np.zeros(0, dtype=np.int64)
    lo, hi = min(positions), max(positions)
    counts = np.zeros(hi - lo + 1, dtype=np.int64)
    for pos, count in positions.items():
        counts[pos - lo] = count
    return lo, counts


def sampled_counts_2d(
    rows: list[Window], cols: list[Window], i: int, j: int, height: int | None = None, width: int | None = None
) -> tuple[tuple[int, int], np.ndarray]:
    """2-D sampling multiplicity of unit (i, j): outer product of the two axes.
    Returns ``((row_offset, col_offset), counts)``."""
    r0, rc = sampled_counts_1d(rows, i, height)
    c0, cc = sampled_counts_1d(cols, j, width)
    return (r0, c0), np.outer(rc, cc)


@dataclass(frozen=True)
class StackSampling:
    """What the centre unit of a stack of k x k convolutions (stride 1, 'same' padding) reads."""

    kernel: int
    dilations: tuple[int, ...]
    counts: np.ndarray  # (size, size) multiplicity around the unit, centred
    size: int  # receptive field 1 + sum d*(k-1)
    holes: int  # positions inside the field that are never read
    read: int  # positions read at least once


def stack_sampling(kernel: int, dilations: tuple[int, ...] | list[int]) -> StackSampling:
    """Sampling map of a stack of ``kernel`` x ``kernel`` convolutions with the given dilations
    (stride 1, padding ``d*(k-1)//2``, unbounded input so no border effects).
    Field size ``r = 1 + sum_l d_l (k - 1)``; parameters and multiplications do not depend on d."""
    if kernel < 1 or not dilations or any(int(d) < 1 for d in dilations):
        raise ValueError("kernel and every dilation must be positive integers")
    chain = [Window(kernel, 1, int(d) * (kernel - 1) // 2, int(d)) for d in dilations]
    _, counts = sampled_counts_2d(chain, chain, 0, 0)
    size = 1 + sum(int(d) * (kernel - 1) for d in dilations)
    assert counts.shape == (size, size)
    read = int(np.count_nonzero(counts))
    return StackSampling(kernel, tuple(int(d) for d in dilations), counts, size, size * size - read, read)


def parse_dilations(text: str, max_layers: int = 8, max_dilation: int = 64) -> tuple[int, ...]:
    """``"1, 2, 4"`` -> (1, 2, 4); ValueError for anything else (empty, non-integers,
    values below 1, too many layers or too large a dilation)."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError as exc:
        raise ValueError(text) from exc
    if not values or len(values) > max_layers or any(v < 1 or v > max_dilation for v in values):
        raise ValueError(text)
    return values

"""Pooling's invariance to small shifts, measured.

The lecture: *pooling introduce cierta invarianza a (pequeñas) traslaciones de la entrada;
si la entrada es desplazada por una pequeña cantidad, la mayor parte de los valores de salida
del pooling no cambian*. Here a digit is shifted by ``d`` pixels (zero fill), max-pooled with
a ``k x k`` window and stride ``k``, and both are compared with the unshifted versions:

- relative change  ``||a_d - a_0|| / ||a_0||`` (Euclidean norm over the map), for the input
  ``a = x`` and for the pooled map ``a = P(x)``;
- changed share: of the cells with ink in either map (value > 0), the share whose value
  differs (|difference| > 1e-9); background that stays 0 is not counted.

Max pooling a ``k x k`` window keeps the largest value; a shift smaller than the window often
keeps that value inside the same window, so the pooled map changes less than the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.errors import CatalogError, Numbers

MAX_SHIFT = 3
"""Largest shift shown (pixels): the lecture's "small" shifts."""
POOL_SIZES = (2, 3, 4)
"""Pooling windows offered (stride = window): 28x28 -> 14x14, 9x9 or 7x7."""
DIRECTIONS = {"right": (0, 1), "down": (1, 0), "diagonal": (1, 1)}
"""Unit shift (rows, columns) per direction."""


def shift_image(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``image`` moved ``dy`` rows down and ``dx`` columns right; cells that enter are 0."""
    img = np.asarray(image, dtype=np.float64)
    h, w = img.shape
    out = np.zeros_like(img)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src = img[max(0, -dy): h - max(0, dy), max(0, -dx): w - max(0, dx)]
    out[max(0, dy): max(0, dy) + src.shape[0], max(0, dx): max(0, dx) + src.shape[1]] = src
    return out


def max_pool(image: np.ndarray, k: int) -> np.ndarray:
    """Max pooling with a ``k x k`` window and stride ``k`` (no padding; PyTorch's floor:
    rows and columns that do not fill a window are dropped)."""
    img = np.asarray(image, dtype=np.float64)
    h, w = (img.shape[0] // k) * k, (img.shape[1] // k) * k
    if h == 0 or w == 0:
        raise CatalogError("engine.pool_window_fits", k=k, h=img.shape[0], w=img.shape[-1])
    return img[:h, :w].reshape(h // k, k, w // k, k).max(axis=(1, 3))


def relative_change(new: np.ndarray, old: np.ndarray) -> float:
    """``||new - old|| / ||old||`` (0 when both are 0)."""
    norm = float(np.linalg.norm(old))
    diff = float(np.linalg.norm(np.asarray(new, float) - np.asarray(old, float)))
    return 0.0 if norm == 0 and diff == 0 else (diff / norm if norm else float("inf"))


def changed_fraction(new: np.ndarray, old: np.ndarray) -> float:
    """Of the cells that are not 0 in either map, the share whose values differ (0 if none)."""
    a, b = np.asarray(new, float), np.asarray(old, float)
    ink = (a != 0) | (b != 0)
    return float(np.mean(np.abs(a - b)[ink] > 1e-9)) if ink.any() else 0.0


@dataclass(frozen=True)
class ShiftRow:
    """One shift: the shifted input, its pooled map, and how much each changed."""

    shift: int
    image: np.ndarray
    pooled: np.ndarray
    input_change: float
    pooled_change: float
    input_changed: float
    pooled_changed: float


def pooling_shift_study(image: np.ndarray, k: int = 2, direction: str = "right",
                        max_shift: int = MAX_SHIFT) -> list[ShiftRow]:
    """Shifts 0..``max_shift`` of ``image`` along ``direction``, each max-pooled (``k``)."""
    if direction not in DIRECTIONS:
        raise CatalogError("engine.shift_direction", choices=", ".join(sorted(DIRECTIONS)))
    if k not in POOL_SIZES or not 0 <= max_shift <= MAX_SHIFT:
        raise CatalogError("engine.shift_range", sizes=Numbers(tuple(POOL_SIZES)), max_shift=MAX_SHIFT)
    uy, ux = DIRECTIONS[direction]
    base = np.asarray(image, dtype=np.float64)
    base_pool = max_pool(base, k)
    rows = []
    for d in range(max_shift + 1):
        moved = shift_image(base, uy * d, ux * d)
        pooled = max_pool(moved, k)
        rows.append(ShiftRow(d, moved, pooled, relative_change(moved, base), relative_change(pooled, base_pool),
                             changed_fraction(moved, base), changed_fraction(pooled, base_pool)))
    return rows

"""Pen-drawn synthetic digits: the shapes people write, which fonts do not have.

Each digit has a few writing styles (a 1 with or without a flag and a base, an open or a
closed 4, a plain or a crossed 7, a round or a flat-topped 3, ...). A style is a list of
strokes in a unit box (x to the right, y down, the digit spanning about 0.1-0.9); every
length and position in it is drawn at random within a range, so no two digits are alike.
The strokes are drawn with a round pen of random width on the fonts' 64x64 canvas, then
distorted (random rotation, slant, scale and a smooth elastic field) and normalised to
MNIST's format exactly like the font digits
(:func:`convviz.digits.datasets.canvases_to_mnist`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from convviz.digits.datasets import CANVAS, balanced_labels, canvases_to_mnist

Point = tuple[float, float]
Stroke = list[Point]
Style = Callable[[np.random.Generator], list[Stroke]]


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 20) -> Stroke:
    """Points of an ellipse arc from angle ``a0`` to ``a1`` (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, n + 1))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in t]


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _zero(r: np.random.Generator) -> list[Stroke]:
    start = _u(r, -120, -60)
    return [arc(0.5, 0.5, _u(r, 0.2, 0.32), _u(r, 0.36, 0.42), start, start + _u(r, 345, 390), 32)]


def _one(r: np.random.Generator) -> list[Stroke]:
    top, foot = (0.5 + _u(r, -0.05, 0.08), 0.1), (0.5 + _u(r, -0.08, 0.05), 0.9)
    kind = r.integers(4)  # 0 a bare stem, 1 a short flag, 2 a flag and a base, 3 a long flag
    strokes: list[Stroke] = [[top, foot]]
    if kind in (1, 2):
        strokes = [[(top[0] - _u(r, 0.1, 0.2), top[1] + _u(r, 0.08, 0.2)), top, foot]]
    if kind == 3:
        strokes = [[(top[0] - _u(r, 0.18, 0.3), _u(r, 0.3, 0.45)), top, foot]]
    if kind == 2:
        half = _u(r, 0.12, 0.22)
        strokes.append([(foot[0] - half, 0.9), (foot[0] + half, 0.9)])
    return strokes


def _two(r: np.random.Generator) -> list[Stroke]:
    ry = _u(r, 0.16, 0.24)
    top = arc(0.5, 0.1 + ry, _u(r, 0.2, 0.28), ry, _u(r, 190, 215), _u(r, 370, 400))
    left, right = _u(r, 0.18, 0.28), _u(r, 0.72, 0.84)
    if r.random() < 0.3:  # a small loop where the diagonal meets the base
        loop = arc(left + 0.06, 0.84, 0.07, 0.06, -90, -450, 12)
        return [top + [(left + 0.06, 0.78)] + loop + [(right, 0.9)]]
    return [top + [(left, 0.9), (right, 0.9)]]


def _three(r: np.random.Generator) -> list[Stroke]:
    lower = arc(0.48, _u(r, 0.66, 0.7), _u(r, 0.22, 0.3), _u(r, 0.2, 0.24), -90, _u(r, 120, 160))
    if r.random() < 0.3:  # flat top: a bar, a diagonal to the middle, then the lower bowl
        return [[(_u(r, 0.22, 0.32), 0.1), (_u(r, 0.68, 0.78), 0.1), (0.46, 0.46)] + lower]
    upper = arc(0.48, 0.3, _u(r, 0.18, 0.26), 0.2, _u(r, 190, 215), 450)
    return [upper + lower]


def _four(r: np.random.Generator) -> list[Stroke]:
    bar_y, stem_x = _u(r, 0.55, 0.68), _u(r, 0.58, 0.68)
    right = _u(r, 0.76, 0.86)
    if r.random() < 0.5:  # open: a stroke down and across, then the stem apart
        return [[(_u(r, 0.28, 0.4), 0.1), (_u(r, 0.16, 0.24), bar_y), (right, bar_y)], [(stem_x, 0.22), (stem_x, 0.9)]]
    return [[(stem_x, 0.9), (stem_x, 0.1), (_u(r, 0.14, 0.22), bar_y), (right, bar_y)]]  # closed


def _five(r: np.random.Generator) -> list[Stroke]:
    left = _u(r, 0.26, 0.34)
    bowl = arc(0.5, _u(r, 0.64, 0.68), _u(r, 0.22, 0.3), _u(r, 0.22, 0.26), _u(r, 205, 225), _u(r, 480, 510))
    bar = [(left + 0.02, 0.1), (_u(r, 0.7, 0.8), 0.1)]
    if r.random() < 0.5:  # the bar drawn last, apart
        return [[(left, 0.11), (left - 0.02, 0.44)] + bowl, bar]
    return [bar[::-1] + [(left - 0.02, 0.44)] + bowl]


def _six(r: np.random.Generator) -> list[Stroke]:
    rad = _u(r, 0.18, 0.24)
    return [[(_u(r, 0.6, 0.72), 0.1), (0.36, 0.45)] + arc(0.5, 0.9 - rad, rad, rad, 200, 560, 28)]


def _seven(r: np.random.Generator) -> list[Stroke]:
    left, right, foot = _u(r, 0.18, 0.28), _u(r, 0.74, 0.84), _u(r, 0.36, 0.5)
    head = [(left, _u(r, 0.18, 0.26)), (left, 0.12)] if r.random() < 0.25 else [(left, 0.12)]
    strokes = [head + [(right, 0.12), (foot, 0.9)]]
    if r.random() < 0.4:  # crossed, as in Spain and much of Europe
        y = _u(r, 0.45, 0.58)
        x = right + (foot - right) * (y - 0.12) / 0.78
        strokes.append([(x - _u(r, 0.14, 0.22), y), (x + _u(r, 0.1, 0.18), y)])
    return strokes


def _eight(r: np.random.Generator) -> list[Stroke]:
    up, low = _u(r, 0.15, 0.2), _u(r, 0.19, 0.24)
    return [arc(0.5, 0.1 + up, _u(r, 0.16, 0.22), up, 0, 360, 28),
            arc(0.5, 0.9 - low, _u(r, 0.2, 0.26), low, 0, 360, 28)]


def _nine(r: np.random.Generator) -> list[Stroke]:
    rad = _u(r, 0.18, 0.23)
    cx, cy = 0.48, 0.1 + rad
    loop = arc(cx, cy, rad * _u(r, 1.0, 1.2), rad, 0, 360, 28)
    if r.random() < 0.5:  # a straight stem
        return [loop + [(cx + rad * _u(r, 0.9, 1.1), 0.9)]]
    return [loop + arc(cx - 0.05, cy, rad + 0.05, 0.9 - cy, 0, 100, 10)]  # a curved stem


STYLES: dict[int, Style] = {0: _zero, 1: _one, 2: _two, 3: _three, 4: _four, 5: _five, 6: _six,
                            7: _seven, 8: _eight, 9: _nine}


def draw_strokes(strokes: list[Stroke], width: float) -> np.ndarray:
    """The strokes drawn white on the black 64x64 canvas with a round pen ``width`` px wide
    (float32); the unit box maps to the canvas with a margin of 8 px."""
    img = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(img)
    span, margin, rad = CANVAS - 16, 8, width / 2
    for stroke in strokes:
        pts = [(margin + x * span, margin + y * span) for x, y in stroke]
        draw.line(pts, fill=255, width=max(1, round(width)), joint="curve")
        for x, y in (pts[0], pts[-1]):  # round ends
            draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=255)
    return np.asarray(img, dtype=np.float32)


def pen_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pen-drawn digits in MNIST format: (uint8 n x 28 x 28, uint8 labels), classes
    balanced, all drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    labels = balanced_labels(n, rng)
    canvases = np.zeros((n, CANVAS, CANVAS), dtype=np.float32)
    for i, digit in enumerate(labels):
        strokes = STYLES[int(digit)](rng)
        canvases[i] = draw_strokes(strokes, _u(rng, 3.0, 9.0))
    return canvases_to_mnist(canvases, rng), labels.astype(np.uint8)

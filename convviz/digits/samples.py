"""A small built-in set of sample digits, drawn from strokes (no MNIST file needed).

Each digit 0-9 is a few polylines on a 280x280 black canvas (white strokes, 20 px wide, as
someone would draw on the "Draw a digit" canvas); :func:`sample_canvas` renders it and the
page preprocesses it like a drawing.
"""

from __future__ import annotations

import math

import numpy as np

from convviz.errors import CatalogError

CANVAS = 280


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> list[tuple[float, float]]:
    """Points of an ellipse arc from angle ``a0`` to ``a1`` (degrees, 0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * t / n)),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * t / n))) for t in range(n + 1)]


STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(140, 140, 60, 95, 0, 360, 40)],
    1: [[(120, 75), (150, 45), (150, 240)]],
    2: [_arc(140, 95, 55, 50, 200, 360) + _arc(140, 95, 55, 50, 0, 50) + [(85, 235), (200, 235)]],
    3: [_arc(135, 92, 55, 45, 210, 450), _arc(135, 182, 60, 52, 270, 510)],
    4: [[(170, 240), (170, 45), (75, 175), (205, 175)]],
    5: [[(195, 50), (100, 50), (92, 128)] + _arc(135, 170, 62, 62, 225, 500)],
    6: [[(180, 50), (120, 120)] + _arc(140, 180, 55, 55, 200, 560)],
    7: [[(75, 55), (205, 55), (125, 240)]],
    8: [_arc(140, 92, 48, 45, 0, 360, 32), _arc(140, 185, 58, 52, 0, 360, 32)],
    9: [_arc(140, 100, 55, 52, 0, 360, 32), [(195, 100), (180, 240)]],
}


def sample_canvas(digit: int, width: int = 20) -> np.ndarray:
    """Digit ``digit`` drawn white on a black 280x280 RGBA canvas (uint8)."""
    from PIL import Image, ImageDraw

    if digit not in STROKES:
        raise CatalogError("engine.sample_digit", value=repr(digit)[:20])
    img = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 255))
    draw = ImageDraw.Draw(img)
    for line in STROKES[digit]:
        draw.line(line, fill=(255, 255, 255, 255), width=width, joint="curve")
    return np.asarray(img).copy()

"""Sample pictures for the filter lab, generated here (no third-party images in the repo).

Each is an ``(H, W, 3)`` uint8 RGB array, deterministic (fixed seeds), chosen to show
something about filters: edges in every direction (shapes), a high-frequency pattern
(checkerboard), thin strokes (text), smooth ramps (gradients) and noise to smooth away.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SAMPLES: tuple[str, ...] = ("shapes", "checkerboard", "text", "gradient", "noise")
"""Sample names (the page translates them as ``filters.sample_<name>``)."""


def shapes(width: int = 640, height: int = 480) -> np.ndarray:
    """Coloured disc, rectangle, triangle and lines on a light background."""
    img = Image.new("RGB", (width, height), (235, 232, 220))
    d = ImageDraw.Draw(img)
    w, h = width, height
    d.ellipse([0.08 * w, 0.12 * h, 0.42 * w, 0.58 * h], fill=(200, 40, 40))
    d.rectangle([0.5 * w, 0.1 * h, 0.9 * w, 0.45 * h], fill=(30, 90, 180))
    d.polygon([(0.2 * w, 0.92 * h), (0.45 * w, 0.62 * h), (0.7 * w, 0.92 * h)], fill=(40, 150, 70))
    for i in range(6):
        x = 0.74 * w + i * 0.035 * w
        d.line([(x, 0.55 * h), (x + 0.05 * w, 0.92 * h)], fill=(20, 20, 20), width=max(1, w // 160))
    d.ellipse([0.56 * w, 0.18 * h, 0.66 * w, 0.32 * h], fill=(250, 210, 40))
    return np.asarray(img)


def checkerboard(width: int = 640, height: int = 480, square: int = 40) -> np.ndarray:
    """Black and white squares of ``square`` pixels, with a finer 8-pixel patch."""
    y, x = np.mgrid[0:height, 0:width]
    board = ((y // square + x // square) % 2).astype(np.uint8) * 255
    fine = ((y // 8 + x // 8) % 2).astype(np.uint8) * 255
    ys, xs = slice(height // 3, 2 * height // 3), slice(width // 3, 2 * width // 3)
    board[ys, xs] = fine[ys, xs]
    return np.repeat(board[..., None], 3, axis=2)


def text(width: int = 640, height: int = 480) -> np.ndarray:
    """Dark text at several sizes, drawn with Pillow's built-in default font."""
    img = Image.new("RGB", (width, height), (250, 250, 245))
    d = ImageDraw.Draw(img)
    lines = [("ConvViz", 72), ("Sobel Gx / Gy", 44), ("Gauss 1/273", 36), ("abc 0123456789", 24), ("CNN filters are learned", 16)]
    y = 0.05 * height
    for line, size in lines:
        size = max(8, int(size * height / 480))
        try:
            font = ImageFont.load_default(size=size)
        except TypeError:  # very old Pillow: fixed-size bitmap font
            font = ImageFont.load_default()
        d.text((0.05 * width, y), line, fill=(20, 20, 30), font=font)
        y += size * 1.35
    return np.asarray(img)


def gradient(width: int = 640, height: int = 480) -> np.ndarray:
    """A horizontal red ramp, a vertical green ramp and a radial blue bump."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / max(1, width - 1)
    g = 255 * y / max(1, height - 1)
    dist2 = ((x - width / 2) ** 2 + (y - height / 2) ** 2) / (0.3 * min(width, height)) ** 2
    b = 255 * np.exp(-dist2)
    return np.clip(np.rint(np.stack([r, g, b], axis=2)), 0, 255).astype(np.uint8)


def noise(width: int = 640, height: int = 480, seed: int = 5, sigma: float = 40.0) -> np.ndarray:
    """Stripes and a disc with Gaussian noise (std ``sigma`` grey levels, fixed ``seed``)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = 128 + 60 * np.sin(2 * np.pi * x / 64.0)
    disc = (x - 0.65 * width) ** 2 + (y - 0.5 * height) ** 2 < (0.25 * height) ** 2
    base = np.where(disc, 220.0, base)
    rng = np.random.default_rng(seed)
    rgb = base[..., None] + rng.normal(0.0, sigma, size=(height, width, 3))
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def sample(name: str, width: int = 640, height: int = 480) -> np.ndarray:
    """The sample called ``name`` (one of :data:`SAMPLES`)."""
    makers = {"shapes": shapes, "checkerboard": checkerboard, "text": text, "gradient": gradient, "noise": noise}
    if name not in makers:
        raise KeyError(f"unknown sample {name!r}; choose one of {SAMPLES}")
    return makers[name](width, height)

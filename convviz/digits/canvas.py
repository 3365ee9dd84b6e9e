"""Drawn or photographed digits -> MNIST-style 28x28 inputs, and the shipped classifier.

MNIST digits were made by scaling each digit's bounding box to fit 20x20 pixels (keeping the
aspect ratio, with anti-aliasing) and placing it in a 28x28 field so that its centre of mass
lies at the centre (measured on the MNIST files: mean centre of mass (13.99, 14.00) in
row/column pixel indices). :func:`preprocess_canvas` does the same to a canvas drawing:

1. grayscale from the RGB channels (the canvas alpha is 255 everywhere, so it is ignored);
2. stroke width brought back towards MNIST's (median 2.6 px of a 20 px digit; estimated as
   2 * ink area / boundary length) by a disk dilation or erosion when it is far outside
   1.4-4.6 px (measured: 96% of MNIST digits, blown up onto a canvas, stay untouched);
3. crop to the ink's bounding box;
4. resize so the longest side is 20 px, keeping the aspect ratio (Lanczos), and stretch the
   intensities so the brightest stroke pixel is 255;
5. paste into 28x28 with the centre of mass at pixel (14, 14).

A blank canvas (no pixel brighter than ``INK_LEVEL``) gives ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convviz.errors import DataError, Numbers

INK_LEVEL = 40  # gray level (0..255) above which a canvas pixel counts as ink
BOX = 20  # MNIST's digit box
SIZE = 28  # MNIST's image size
CENTRE = 14.0  # where MNIST puts the centre of mass (row and column index)
STROKE_RANGE = (1.4, 4.6)  # stroke widths (px, at the 20 px scale) left as drawn
STROKE_TARGET = 2.6  # median MNIST stroke width at the 20 px scale
MODEL_PATH = Path(__file__).resolve().parents[2] / "assets" / "digit_cnn.npz"


@dataclass
class PreprocessSteps:
    """Every intermediate image of :func:`preprocess_steps` (for the page to show)."""

    gray: np.ndarray  # (H, W) uint8, the canvas as gray levels
    adjusted: np.ndarray  # (H, W) uint8, after the stroke-width adjustment
    box: tuple[int, int, int, int]  # top, left, bottom, right (exclusive) of the ink
    cropped: np.ndarray  # the ink's bounding box
    resized: np.ndarray  # longest side 20 px, uint8
    image: np.ndarray  # (28, 28) uint8, the network's input
    stroke_width: float  # estimated stroke width at the 20 px scale, before adjustment
    stroke_change_px: float  # radius of the dilation (+) or erosion (-) applied, canvas pixels


def to_gray(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 3) or (H, W, 4) -> (H, W) uint8 gray = mean of R, G, B (alpha ignored)."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = arr[..., :3].astype(np.float32).mean(axis=2)
    elif arr.ndim != 2:
        raise DataError("engine.image_shape", shape=Numbers(arr.shape, 0))
    if arr.size == 0:
        raise DataError("engine.image_empty")
    if np.issubdtype(arr.dtype, np.floating) and arr.max(initial=0) <= 1.0 and arr.dtype != np.float32:
        arr = arr * 255.0
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def stroke_width(mask: np.ndarray) -> float:
    """Stroke width of a binary drawing: 2 * area / number of boundary pixels."""
    from scipy import ndimage

    area = int(mask.sum())
    if area == 0:
        return 0.0
    boundary = int((mask & ~ndimage.binary_erosion(mask)).sum())
    return 2.0 * area / max(boundary, 1)


def _disk(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (yy * yy + xx * xx) <= radius * radius + 1e-9


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _adjust_stroke(gray: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Dilate or erode so the stroke width at the 20 px scale is in STROKE_RANGE."""
    from scipy import ndimage

    mask = gray > 127
    if not mask.any():
        mask = gray > INK_LEVEL
    top, left, bottom, right = _bbox(gray > INK_LEVEL)
    scale = BOX / max(bottom - top, right - left)
    width = stroke_width(mask) * scale
    lo, hi = STROKE_RANGE
    if lo <= width <= hi or width == 0:
        return gray, width, 0.0
    radius = (STROKE_TARGET - width) / 2.0 / scale  # canvas pixels to add on each side
    if abs(radius) < 0.5:
        return gray, width, 0.0
    footprint = _disk(abs(radius))
    if radius > 0:
        return ndimage.grey_dilation(gray, footprint=footprint), width, radius
    eroded = ndimage.grey_erosion(gray, footprint=footprint)
    if (eroded > 127).sum() < 0.2 * mask.sum():  # would erase the digit: keep it as drawn
        return gray, width, 0.0
    return eroded, width, radius


def _resize(img: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    pil = Image.fromarray(img.astype(np.float32), mode="F")
    out = np.asarray(pil.resize((width, height), Image.Resampling.LANCZOS), dtype=np.float32)
    return np.clip(out, 0, None)


def preprocess_steps(image: np.ndarray) -> PreprocessSteps | None:
    """Canvas image (white strokes on black; RGBA, RGB or gray) -> every MNIST-style step.

    Returns ``None`` when there is no ink.
    """
    gray = to_gray(image)
    if int(gray.max()) <= INK_LEVEL:
        return None
    adjusted, width, change = _adjust_stroke(gray)
    top, left, bottom, right = _bbox(adjusted > INK_LEVEL)
    cropped = adjusted[top:bottom, left:right]
    h, w = cropped.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    resized = _resize(cropped, new_h, new_w)
    peak = float(resized.max())
    if peak <= 0:
        return None
    resized = np.clip(resized * (255.0 / peak), 0, 255)
    total = resized.sum()
    rows, cols = np.arange(new_h), np.arange(new_w)
    com_r = float((resized.sum(axis=1) * rows).sum() / total)
    com_c = float((resized.sum(axis=0) * cols).sum() / total)
    off_r = int(round(CENTRE - com_r))
    off_c = int(round(CENTRE - com_c))
    big = np.zeros((3 * SIZE, 3 * SIZE), np.float32)  # room for any offset, then crop
    big[SIZE + off_r : SIZE + off_r + new_h, SIZE + off_c : SIZE + off_c + new_w] = resized
    out = np.rint(big[SIZE : 2 * SIZE, SIZE : 2 * SIZE]).astype(np.uint8)
    return PreprocessSteps(
        gray=gray,
        adjusted=adjusted,
        box=(top, left, bottom, right),
        cropped=cropped,
        resized=np.rint(resized).astype(np.uint8),
        image=out,
        stroke_width=float(width),
        stroke_change_px=float(change),
    )


def preprocess_canvas(rgba: np.ndarray) -> np.ndarray | None:
    """Canvas image (H x W x 4 uint8, white on black) -> (28, 28) uint8 MNIST-style, or None if blank."""
    steps = preprocess_steps(rgba)
    return None if steps is None else steps.image


def photo_to_canvas(image: np.ndarray, max_side: int = 560) -> np.ndarray:
    """A photo or scan of a handwritten digit -> white-on-black gray image like the canvas.

    Dark ink on light paper is inverted (decided by the median brightness); the paper level
    (the median) is subtracted, the contrast stretched so the darkest ink becomes 255, and
    faint specks below 25% of it are cleared.
    """
    from PIL import Image

    gray = to_gray(image).astype(np.float32)
    h, w = gray.shape
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        pil = Image.fromarray(gray, mode="F").resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BOX)
        gray = np.asarray(pil, dtype=np.float32)
    if np.median(gray) > 127:
        gray = 255.0 - gray
    ink = np.clip(gray - np.median(gray), 0, None)
    peak = float(np.percentile(ink, 99.9)) if ink.size > 1000 else float(ink.max())
    if peak < 30:  # no contrast: nothing written
        return np.zeros(gray.shape, np.uint8)
    ink = np.clip(ink * (255.0 / peak), 0, 255)
    ink[ink < 0.25 * 255] = 0
    return ink.astype(np.uint8)


def load_classifier(path: str | Path | None = None):  # -> convviz.nn.Sequential
    """The shipped digit CNN (``assets/digit_cnn.npz``) with ``predict_proba(images)``."""
    from convviz.nn import Sequential

    path = Path(path) if path is not None else MODEL_PATH
    if not path.is_file():
        raise ValueError(f"{path}: model file not found (train one with `convviz train-digits`)")
    return Sequential.load(path)

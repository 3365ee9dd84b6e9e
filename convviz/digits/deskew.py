"""Deskewing: straighten a slanted digit with its image moments.

Writers slant their digits by different amounts; a classifier then has to learn every slant.
Deskewing, a preprocessing step of many classifiers on LeCun's MNIST page, takes the slant
out before the network sees the digit. For an image I with ink centre (c_y, c_x),

    slant  alpha = mu_11 / mu_02 = sum I (x - c_x)(y - c_y) / sum I (y - c_y)^2,

the column shift per row of the line that best follows the ink (alpha > 0: the bottom leans
right, as rows grow downwards). Deskewing shears every row back about the centre row:

    output(y, x) = I(y, x + alpha (y - c_y))     (bilinear, 0 outside the image),

so a stroke x = c_x + alpha (y - c_y) becomes the vertical x = c_x and the ink centre stays
where it was. The slant is clipped to +-``MAX_SLANT`` (45 degrees); an empty image or one
whose ink lies in a single row keeps slant 0.
"""

from __future__ import annotations

import numpy as np

from convviz.digits.augment import resample

MAX_SLANT = 1.0  # |alpha| at most: a 45-degree lean
_FLAT = 1e-3  # mu_02 / mass below this: all the ink in one row, no slant to measure


def _moments(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(c_y, alpha) per image of a float stack (N, H, W)."""
    n, h, w = images.shape
    ys = np.arange(h, dtype=np.float64)[None, :, None]
    xs = np.arange(w, dtype=np.float64)[None, None, :]
    mass = images.sum(axis=(1, 2))
    safe = np.where(mass > 0, mass, 1.0)
    cy = (images * ys).sum(axis=(1, 2)) / safe
    cx = (images * xs).sum(axis=(1, 2)) / safe
    dy = ys - cy[:, None, None]
    mu02 = (images * dy**2).sum(axis=(1, 2)) / safe
    mu11 = (images * dy * (xs - cx[:, None, None])).sum(axis=(1, 2)) / safe
    alpha = np.where((mass > 0) & (mu02 > _FLAT), mu11 / np.maximum(mu02, _FLAT), 0.0)
    return cy, np.clip(alpha, -MAX_SLANT, MAX_SLANT)


def slant(images: np.ndarray) -> np.ndarray:
    """The slant alpha = mu_11 / mu_02 of each image of (N, H, W) or (H, W); (N,) or a float."""
    arr = np.asarray(images, dtype=np.float64)
    alpha = _moments(arr.reshape((-1, *arr.shape[-2:])))[1]
    return alpha if arr.ndim == 3 else float(alpha[0])


def deskew(images: np.ndarray) -> np.ndarray:
    """Deskewed copies of uint8 images (N, H, W) or (H, W), same shape, uint8 (rounded)."""
    arr = np.asarray(images)
    stack = arr.reshape((-1, *arr.shape[-2:])).astype(np.float32)
    n, h, w = stack.shape
    if n == 0:
        return np.asarray(images, dtype=np.uint8).copy()
    cy, alpha = _moments(stack)
    oy, ox = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij")
    ix = ox[None] + (alpha[:, None, None] * (oy[None] - cy[:, None, None])).astype(np.float32)
    return np.clip(resample(stack, oy, ix) + 0.5, 0, 255).astype(np.uint8).reshape(arr.shape)


def unskew_box(image: np.ndarray, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A half-open box (top, left, bottom, right) of ``deskew(image)`` -> the box of ``image``
    that holds the same pixels: the rows stay, and the columns of each row y move back by
    alpha (y - c_y), so the box spans the sheared parallelogram's extent over its rows."""
    arr = np.asarray(image, dtype=np.float64)
    cy, alpha = _moments(arr[None])
    top, left, bottom, right = (float(v) for v in box)
    # pixel centres of the first and last row; columns as half-open edges
    shifts = [float(alpha[0]) * (row - float(cy[0])) for row in (top, bottom - 1)]
    return top, left + min(shifts), bottom, right + max(shifts)


__all__ = ["MAX_SLANT", "deskew", "slant", "unskew_box"]

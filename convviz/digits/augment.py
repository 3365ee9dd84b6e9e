"""Data augmentation for 28x28 digits: random shifts, rotations, scaling, slant, stroke
thickness and elastic distortion.

Every output pixel o of an augmented image samples the original at
``x = c + A^-1 (o - c - t) + d(o)``, its column then moved by ``k (y - c_y)``, where
``A = s R(theta)`` (scale s, rotation theta about the centre c), ``k`` a slant (a shear of the
rows, as writers slant their digits: k > 0 leans the top to the right; 0 unless ``max_shear``
is set), ``t`` a shift and ``d`` an elastic displacement field (Simard, Steinkraus
and Platt, 2003: uniform noise in [-1, 1] per pixel and axis, smoothed by a Gaussian of
width ``elastic_sigma`` and multiplied by ``elastic_alpha``; zero when alpha is 0). The whole
batch is resampled in one ``scipy.ndimage.map_coordinates`` call (bilinear). Stroke
thickness changes with a grey dilation (thicker) or erosion (thinner, kept only when enough
ink survives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from convviz.errors import CatalogError


@dataclass(frozen=True)
class AugmentConfig:
    max_shift: float = 2.5  # pixels
    max_rotation: float = 12.0  # degrees
    scale_range: tuple[float, float] = (0.85, 1.15)
    thicker_prob: float = 0.2
    thinner_prob: float = 0.15
    stretch: float = 0.05  # extra independent scaling of each axis, +-
    max_shear: float = 0.0  # slant k, uniform in [-k, k] (0.3 leans a vertical stroke by 17 deg)
    elastic_alpha: float = 0.0  # elastic distortion strength (Simard et al. use 34 with sigma 4)
    elastic_sigma: float = 4.0  # smoothness of the elastic field, pixels


ELASTIC = AugmentConfig(elastic_alpha=34.0, elastic_sigma=4.0)
SLANT = AugmentConfig(max_shear=0.3)
AUGMENTATIONS: dict[str, AugmentConfig] = {"basic": AugmentConfig(), "elastic": ELASTIC, "slant": SLANT}


def augment_batch(
    images: np.ndarray, rng: np.random.Generator, config: AugmentConfig | None = None
) -> np.ndarray:
    """Randomly transformed copies of uint8 images (N, H, W); returns uint8 (N, H, W)."""
    cfg = config or AugmentConfig()
    imgs = np.asarray(images, dtype=np.float32)
    n, h, w = imgs.shape
    if n == 0:
        return np.asarray(images, dtype=np.uint8).copy()
    imgs = _thickness(imgs, rng, cfg)
    theta = np.deg2rad(rng.uniform(-cfg.max_rotation, cfg.max_rotation, n))
    scale = rng.uniform(*cfg.scale_range, n) * rng.uniform(1 - cfg.stretch, 1 + cfg.stretch, (2, n))  # slight anisotropy
    shift = rng.uniform(-cfg.max_shift, cfg.max_shift, (2, n))
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    oy, ox = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij")
    # o - c - t, per image
    dy = oy[None] - cy - shift[0][:, None, None]
    dx = ox[None] - cx - shift[1][:, None, None]
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    sy, sx = scale[0][:, None, None], scale[1][:, None, None]
    # inverse of diag(sy, sx) @ R(theta): R(-theta) @ diag(1/sy, 1/sx)
    iy = (cos * dy / sy - sin * dx / sx) + cy
    ix = (sin * dy / sy + cos * dx / sx) + cx
    if cfg.max_shear > 0:  # drawn only then: the other presets' random streams stay as they were
        ix = ix + rng.uniform(-cfg.max_shear, cfg.max_shear, n)[:, None, None] * (iy - cy)
    if cfg.elastic_alpha > 0:
        iy, ix = iy + _elastic(rng, n, h, w, cfg), ix + _elastic(rng, n, h, w, cfg)
    return np.clip(resample(imgs, iy, ix) + 0.5, 0, 255).astype(np.uint8)


def resample(images: np.ndarray, iy: np.ndarray, ix: np.ndarray) -> np.ndarray:
    """Read each image of a float stack (N, H, W) at its own real coordinates (``iy``, ``ix``,
    broadcastable to (N, H, W)): bilinear, 0 outside, in one ``map_coordinates`` call."""
    n, h, w = images.shape
    iy, ix = np.broadcast_to(iy, (n, h, w)), np.broadcast_to(ix, (n, h, w))
    iz = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None], (n, h, w))
    return ndimage.map_coordinates(images, [iz, iy, ix], order=1, mode="constant", cval=0.0)


def _elastic(rng: np.random.Generator, n: int, h: int, w: int, cfg: AugmentConfig) -> np.ndarray:
    """One axis of Simard's displacement field for each image: alpha * G_sigma * U(-1, 1)."""
    noise = rng.uniform(-1.0, 1.0, (n, h, w)).astype(np.float32)
    smooth = ndimage.gaussian_filter(noise, sigma=(0, cfg.elastic_sigma, cfg.elastic_sigma), mode="constant")
    return cfg.elastic_alpha * smooth


def _thickness(imgs: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    u = rng.random(len(imgs))
    thick = u < cfg.thicker_prob
    thin = (u >= cfg.thicker_prob) & (u < cfg.thicker_prob + cfg.thinner_prob)
    out = imgs.copy()
    if thick.any():
        out[thick] = ndimage.grey_dilation(imgs[thick], size=(1, 2, 2))
    if thin.any():
        eroded = ndimage.grey_erosion(imgs[thin], size=(1, 2, 2))
        ink_before = imgs[thin].sum(axis=(1, 2))
        ink_after = eroded.sum(axis=(1, 2))
        keep = ink_after >= 0.45 * ink_before
        idx = np.flatnonzero(thin)[keep]
        out[idx] = eroded[keep]
    return out


def augmented_copies(image: np.ndarray, n: int, seed: int, config: AugmentConfig | None = None) -> np.ndarray:
    """``n`` augmented copies (uint8, (n, H, W)) of one uint8 image, by :func:`augment_batch`
    (what the Training lab trains on) with a generator seeded with ``seed``."""
    if not 1 <= n <= MAX_COPIES:
        raise CatalogError("engine.augment_copies", max_copies=MAX_COPIES)
    img = np.asarray(image, dtype=np.uint8)
    return augment_batch(np.repeat(img[None], n, axis=0), np.random.default_rng(seed), config)


def rotate_digit(image: np.ndarray, degrees: float) -> np.ndarray:
    """``image`` rotated by ``degrees`` (counter-clockwise as seen) about its centre, bilinear,
    zero outside: the rotation of :func:`augment_batch` alone (no scale, shift or thickness)."""
    img = np.asarray(image, dtype=np.float32)
    out = ndimage.rotate(img, float(degrees), reshape=False, order=1, mode="constant", cval=0.0)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


MAX_COPIES = 64
"""Most augmented copies drawn at once (a grid of 8 x 8 digits)."""

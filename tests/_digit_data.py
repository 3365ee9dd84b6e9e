"""Shared test data: a few hundred MNIST digits from ../shared/data/mnist when present,
otherwise generated digit-like images (ten classes of oriented strokes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def have_mnist() -> bool:
    try:
        from convviz.digits.mnist import find_files

        find_files(MNIST_DIR, "t10k")
        return True
    except ValueError:
        return False


def generated_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n 28x28 uint8 images in ten classes: class k is a thick bar at angle 18k degrees,
    randomly shifted and lengthened (learnable, not trivially separable by one pixel)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, 28, 28), np.uint8)
    for i, k in enumerate(labels):
        img = Image.new("L", (28, 28), 0)
        angle = np.deg2rad(18 * k + rng.normal(0, 3))
        length = rng.uniform(7, 10)
        cx, cy = 14 + rng.uniform(-2, 2), 14 + rng.uniform(-2, 2)
        dx, dy = np.cos(angle) * length, np.sin(angle) * length
        ImageDraw.Draw(img).line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=255, width=int(rng.integers(2, 4)))
        images[i] = np.asarray(img)
    return images, labels.astype(np.uint8)


def some_digits(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    if have_mnist():
        from convviz.digits.mnist import load_mnist

        x, y = load_mnist(MNIST_DIR, "t10k")
        return x[:n], y[:n]
    return generated_digits(n)


WIDE_MODEL = ROOT / "tests" / "data" / "wide_digit_cnn.npz"


def wide_model():  # -> convviz.nn.Sequential
    """A trained two-stage digit CNN of fixed layout for the engine and figure tests: the
    "wide" net shipped from issue 15's second round to its fourth (conv 5x5 24, pool, conv 5x5
    48, pool, Linear 1200->128, Dropout, Linear 128->10; the same bytes as that
    ``assets/digit_cnn.npz``, so git stores it once). Tests that hard-code layer indices use
    it; tests of the shipped model read its layout from the model."""
    from convviz.nn import Sequential

    return Sequential.load(WIDE_MODEL)

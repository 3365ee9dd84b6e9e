"""Pen-drawn synthetic digits (convviz.digits.pen): seeded, balanced, drawn with a round pen,
and close enough to real handwriting that real MNIST digits recognise them (nearest
neighbours in pixel space, no model involved)."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.digits.pen import STYLES, draw_strokes, pen_digits
from tests._digit_data import MNIST_DIR, have_mnist

needs_mnist = pytest.mark.skipif(not have_mnist(), reason="MNIST files not in ../shared/data/mnist")


def test_seeded_balanced_mnist_format() -> None:
    x, y = pen_digits(60, seed=3)
    assert x.shape == (60, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == [6] * 10
    x2, y2 = pen_digits(60, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, pen_digits(60, seed=4)[0])
    assert pen_digits(0)[0].shape == (0, 28, 28)


def test_mnist_box_and_centre() -> None:
    """Like MNIST: the ink fits a 20 x 20 box (one side 20 px) and its centre of mass sits
    within a pixel or so of the image centre."""
    x, _ = pen_digits(50, seed=1)
    for img in x:
        rows, cols = np.flatnonzero(img.any(axis=1)), np.flatnonzero(img.any(axis=0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 in (19, 20, 21)
        ys, xs = np.nonzero(img)
        w = img[ys, xs].astype(float)
        assert abs((ys * w).sum() / w.sum() - 13.5) < 1.6 and abs((xs * w).sum() / w.sum() - 13.5) < 1.6


@pytest.mark.parametrize("width", [3.0, 6.0, 9.0])
def test_the_pen_is_round_and_as_wide_as_asked(width: float) -> None:
    """A horizontal stroke is ``width`` rows thick, and its ends are half discs: the ink
    reaches width / 2 beyond each end point."""
    img = draw_strokes([[(0.25, 0.5), (0.75, 0.5)]], width) > 127
    rows = np.flatnonzero(img.any(axis=1))
    assert abs(len(rows) - width) <= 1.01
    cols = np.flatnonzero(img.any(axis=0))
    left, right = 8 + 0.25 * 48, 8 + 0.75 * 48  # the unit box maps to the canvas with a margin of 8
    assert abs(cols[0] - (left - width / 2)) <= 1.01 and abs(cols[-1] - (right - width / 2 + width)) <= 1.01


def test_every_style_stays_on_the_canvas() -> None:
    rng = np.random.default_rng(0)
    for digit, style in STYLES.items():
        for _ in range(50):
            pts = np.array([p for stroke in style(rng) for p in stroke])
            assert pts.min() >= 0.0 and pts.max() <= 1.0, digit


@needs_mnist
def test_real_digits_recognise_pen_digits() -> None:
    """Each pen digit's nearest real MNIST digit (Euclidean distance on the pixels, all
    10,000 t10k digits) has the same label for most of them: they look like handwriting of
    their class, judged by real handwriting alone."""
    from convviz.digits.mnist import load_mnist

    real, labels = load_mnist(MNIST_DIR, "t10k")
    r = real.reshape(len(real), -1).astype(np.float32)
    x, y = pen_digits(300, seed=7)
    p = x.reshape(len(x), -1).astype(np.float32)
    d = (p**2).sum(1)[:, None] - 2 * p @ r.T + (r**2).sum(1)[None]
    nearest = labels[d.argmin(axis=1)]
    agree = nearest == y
    assert agree.mean() >= 0.85
    assert all(agree[y == k].mean() >= 0.6 for k in range(10))  # every class, not only the easy ones

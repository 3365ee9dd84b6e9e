"""Deskewing (convviz.digits.deskew) against pixel loops, and the models that deskew."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convviz.digits.deskew import MAX_SLANT, deskew, slant, unskew_box
from convviz.nn import Sequential, TrainConfig, Trainer, build_model


def _loop_slant(img: np.ndarray) -> tuple[float, float]:
    """(c_y, alpha) by explicit sums over the pixels."""
    mass = sy = sx = 0.0
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            mass += img[y, x]
            sy += img[y, x] * y
            sx += img[y, x] * x
    cy, cx = sy / mass, sx / mass
    m02 = m11 = 0.0
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            m02 += img[y, x] * (y - cy) ** 2
            m11 += img[y, x] * (y - cy) * (x - cx)
    return cy, max(-MAX_SLANT, min(MAX_SLANT, m11 / m02))


def _loop_deskew(img: np.ndarray) -> np.ndarray:
    """Each output pixel (y, x) interpolates the input linearly along its row at x + alpha (y - c_y)."""
    cy, alpha = _loop_slant(img.astype(float))
    h, w = img.shape
    out = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            src = x + alpha * (y - cy)
            left = math.floor(src)
            frac = src - left
            for col, weight in ((left, 1 - frac), (left + 1, frac)):
                if 0 <= col < w:
                    out[y, x] += weight * img[y, col]
    return out


def _slanted_bar(lean: float, shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """A 3 px wide bar from row 4 to 23 whose column moves by ``lean`` per row."""
    img = np.zeros(shape, np.uint8)
    for y in range(4, 24):
        centre = 14 + lean * (y - 13.5)
        for x in range(shape[1]):
            img[y, x] = int(255 * max(0.0, min(1.0, 2.0 - abs(x - centre))))
    return img


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    from tests._digit_data import some_digits

    return some_digits()[0][:12]


def test_slant_matches_pixel_sums(digits: np.ndarray) -> None:
    expected = [_loop_slant(d.astype(float))[1] for d in digits]
    np.testing.assert_allclose(slant(digits), expected, rtol=1e-9, atol=1e-12)
    assert slant(digits[0]) == pytest.approx(expected[0])


def test_deskew_matches_the_pixel_loop(digits: np.ndarray) -> None:
    out = deskew(digits)
    assert out.dtype == np.uint8 and out.shape == digits.shape
    for got, img in zip(out, digits, strict=True):
        assert np.abs(got.astype(float) - _loop_deskew(img)).max() <= 0.51  # rounding to uint8
    np.testing.assert_array_equal(deskew(digits[3]), out[3])


@pytest.mark.parametrize("lean", [-0.5, -0.2, 0.3, 0.6])
def test_a_slanted_bar_comes_out_upright(lean: float) -> None:
    bar = _slanted_bar(lean)
    assert slant(bar) == pytest.approx(lean, abs=0.03)
    straight = deskew(bar)
    assert abs(slant(straight)) < 0.03
    cols = np.arange(28)
    for row in (5, 13, 22):  # every row's ink sits in the same columns
        profile = straight[row].astype(float)
        assert (profile * cols).sum() / profile.sum() == pytest.approx(14.0, abs=0.3)


def test_the_ink_centre_stays(digits: np.ndarray) -> None:
    ys, xs = np.mgrid[:28, :28]
    for img, out in zip(digits.astype(float), deskew(digits).astype(float), strict=True):
        for grid in (ys, xs):
            assert (out * grid).sum() / out.sum() == pytest.approx((img * grid).sum() / img.sum(), abs=0.35)


def test_blank_flat_and_extreme_images() -> None:
    blank = np.zeros((28, 28), np.uint8)
    assert slant(blank) == 0.0
    np.testing.assert_array_equal(deskew(blank), blank)
    row = blank.copy()
    row[10, 5:20] = 200  # ink in one row: nothing to straighten
    assert slant(row) == 0.0
    np.testing.assert_array_equal(deskew(row), row)
    assert slant(_slanted_bar(3.0)) == MAX_SLANT  # clipped at 45 degrees
    assert deskew(np.zeros((0, 28, 28), np.uint8)).shape == (0, 28, 28)


def test_a_deskewing_model_sees_the_deskewed_digit(digits: np.ndarray, tmp_path) -> None:
    plain = build_model("small", seed=3)
    straight = build_model("small", seed=3, deskew=True)
    assert "deskew" not in plain.architecture()  # older model files keep their content keys
    np.testing.assert_array_equal(straight.prepare(digits), deskew(digits))
    np.testing.assert_array_equal(plain.prepare(digits), digits)
    np.testing.assert_allclose(straight.predict_proba(digits), plain.predict_proba(deskew(digits)), atol=1e-7)
    for (name, a), (_, b) in zip(straight.activations(digits[0]), plain.activations(deskew(digits[0])), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(straight.input_gradient(digits[0])[1], plain.input_gradient(deskew(digits[0]))[1], atol=1e-6)
    straight.save(tmp_path / "m.npz")
    again = Sequential.load(tmp_path / "m.npz")
    assert again.deskew and not Sequential.load(_saved(plain, tmp_path)).deskew
    np.testing.assert_allclose(again.predict_proba(digits), straight.predict_proba(digits), atol=1e-7)


def _saved(model: Sequential, folder) -> str:
    path = folder / "plain.npz"
    model.save(path)
    return str(path)


def test_training_steps_on_the_deskewed_digits(digits: np.ndarray) -> None:
    """One epoch of a deskewing model on digits = one epoch of the same plain model on the
    deskewed digits (no augmentation, same seed): the same weights after."""
    labels = np.arange(len(digits)) % 10
    config = TrainConfig(epochs=1, batch_size=4, seed=5)
    straight = build_model("small", seed=1, deskew=True)
    plain = build_model("small", seed=1)
    Trainer(straight, config).fit(digits, labels)
    Trainer(plain, config).fit(deskew(digits), labels)
    for key, value in plain.params().items():
        np.testing.assert_allclose(straight.params()[key], value, atol=1e-6, err_msg=key)
    assert not np.allclose(straight.params()["layers.0.weight"], build_model("small", seed=1).params()["layers.0.weight"])


@pytest.mark.parametrize("lean", [-0.4, 0.5])
def test_a_box_of_the_deskewed_digit_maps_back_to_the_same_ink(lean: float) -> None:
    bar = _slanted_bar(lean)
    straight = deskew(bar)
    for row in (5, 12, 20):
        box = (row, 12, row + 3, 17)  # a piece of the upright bar
        top, left, bottom, right = unskew_box(bar, box)
        assert (top, bottom) == (row, row + 3)
        ink = bar[row : row + 3].astype(float)
        inside = ink[:, max(0, math.floor(left)) : math.ceil(right)].sum()
        assert inside >= 0.95 * ink.sum()  # the slanted bar's ink of those rows is inside
        assert right - left < 5 + 2 * abs(lean) + 0.01  # and the box is no wider than the shear needs
        assert straight[row : row + 3, 12:17].sum() >= 0.95 * straight[row : row + 3].sum()
    assert unskew_box(np.zeros((28, 28)), (1, 2, 3, 4)) == (1, 2, 3, 4)

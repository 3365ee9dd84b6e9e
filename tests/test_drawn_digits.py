"""The shipped digit model on digits drawn with the mouse in Chromium.

``tests/data/drawn_digits.npz`` holds our own drawings (not MNIST), made by
``tests/data/make_drawn_digits.py``: Playwright drew every digit 0-9 in two handwriting
styles on the "Draw a digit" page's canvas (160 drawings, 172 KB) with stroke widths 6-40 px, small (50-100 px) or
large (100-230 px), off-centre, tilted up to 20 degrees and sheared, and kept the canvas
pixels the component returns (2x downsampled) and the page's 28x28 preprocessing of them.
The thresholds are the accuracy the previous shipped model (issue 10's, 98.44 % on new
MNIST writers) reached on the same drawings: a new model must read drawings at least as well.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from convviz.digits import load_classifier, preprocess_canvas

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "drawn_digits.npz"
MODEL = ROOT / "assets" / "digit_cnn.npz"

# accuracy of issue 10's model (assets/digit_cnn.npz before issue 15) on the 160 drawings:
# 158 right both from the stored 28x28 images and from re-preprocessing the stored canvases
# (the wide model shipped in issue 15's second round reads all 160 both ways)
OLD_MODEL_ACC = {"images": 158 / 160, "canvas": 158 / 160}

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="assets/digit_cnn.npz not trained yet")


@pytest.fixture(scope="module")
def drawn() -> dict[str, np.ndarray]:
    with np.load(FIXTURE) as data:
        return {k: data[k] for k in data.files}


def test_fixture_covers_digits_strokes_and_sizes(drawn: dict[str, np.ndarray]) -> None:
    n = len(drawn["label"])
    assert drawn["image"].shape == (n, 28, 28) and drawn["canvas"].shape == (n, 140, 140)
    assert sorted(set(drawn["label"].tolist())) == list(range(10))
    assert drawn["stroke"].min() <= 6 and drawn["stroke"].max() >= 40
    assert drawn["height"].min() <= 70 and drawn["height"].max() >= 200
    assert np.abs(drawn["tilt"]).max() >= 15


def upsampled(canvas: np.ndarray) -> np.ndarray:
    """The 140x140 stored canvas back at the page's 280x280 (each pixel repeated 2x2)."""
    return np.repeat(np.repeat(canvas, 2, axis=0), 2, axis=1)


def test_stored_canvases_still_preprocess_to_the_stored_images(drawn: dict[str, np.ndarray]) -> None:
    """Today's preprocessing of the (downsampled) drawings matches what the page produced."""
    corr = [np.corrcoef(preprocess_canvas(upsampled(c)).ravel().astype(float), img.ravel().astype(float))[0, 1]
            for c, img in zip(drawn["canvas"], drawn["image"], strict=True)]
    assert np.median(corr) > 0.95 and min(corr) > 0.5  # 2x downsampling blurs the thinnest small strokes


def test_shipped_model_reads_mouse_drawn_digits(drawn: dict[str, np.ndarray]) -> None:
    model = load_classifier()
    acc_images = float((model.predict(drawn["image"]) == drawn["label"]).mean())
    again = np.stack([preprocess_canvas(upsampled(c)) for c in drawn["canvas"]])
    acc_canvas = float((model.predict(again) == drawn["label"]).mean())
    assert acc_images >= OLD_MODEL_ACC["images"] - 1e-9, acc_images
    assert acc_canvas >= OLD_MODEL_ACC["canvas"] - 1e-9, acc_canvas

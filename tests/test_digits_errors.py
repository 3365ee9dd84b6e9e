"""The digits tools' refusals (the Training lab's settings, the pooling-shift study, the
augmentation copies, the sample drawings) are catalog errors: a page shows them in the
user's language, never an English-only ValueError."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from convviz.digits import augment, samples, shift
from convviz.digits.curves import LabSettings, preset
from convviz.errors import ConvVizError

CASES: dict[str, Callable[[], object]] = {
    "size": LabSettings(size="huge").validate,
    "optimizer": LabSettings(optimizer="lbfgs").validate,
    "batch_mode": LabSettings(batch_mode="half").validate,
    "lr": LabSettings(lr=float("nan")).validate,
    "batch_size": LabSettings(batch_size=0).validate,
    "full_batch": LabSettings(batch_mode="full", n_train=5000).validate,
    "epochs": LabSettings(epochs=0).validate,
    "examples": LabSettings(n_val=0).validate,
    "dropout": LabSettings(dropout=1.0).validate,
    "patience": LabSettings(early_stopping=True, patience=0).validate,
    "init_scale": LabSettings(init_scale=0.0).validate,
    "pattern": lambda: preset("nope"),
    "window": lambda: shift.max_pool(np.zeros((1, 1)), 2),
    "direction": lambda: shift.pooling_shift_study(np.zeros((8, 8)), direction="up"),
    "shift_range": lambda: shift.pooling_shift_study(np.zeros((8, 8)), k=7),
    "copies": lambda: augment.augmented_copies(np.zeros((28, 28), np.uint8), 0, 0),
    "sample": lambda: samples.sample_canvas(11),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refusals_are_catalog_errors_in_both_languages(case: str) -> None:
    with pytest.raises(ConvVizError) as info:
        CASES[case]()
    english, spanish = info.value.localized("en"), info.value.localized("es")
    assert english == str(info.value) and spanish != english
    assert "{" not in english and "{" not in spanish  # every value filled in


def test_numbers_in_the_messages_use_the_languages_separators() -> None:
    with pytest.raises(ConvVizError) as info:
        LabSettings(batch_mode="full", n_train=5000).validate()
    assert "N ≤ 1,000" in info.value.localized("en") and "N ≤ 1.000" in info.value.localized("es")

"""Float sliders (issue 16): select_sliders labelled in the language's number format (0,1 in
Spanish, not the browser's 0.1), and a link's value between two options snaps to the nearest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_url_state import open_with_query  # noqa: E402

CONVERTED = [  # page, query string that shows the widgets, keys
    ("pages/filter_lab.py", {"f": "gaussian"}, ["flt_sigma"]),
    ("pages/filter_lab.py", {"concept": "sep"}, ["flt_sep_sigma"]),
    ("pages/concepts.py", {"sec": "activations"}, ["concepts_act_alpha", "concepts_act_z"]),
    ("pages/concepts.py", {"sec": "norm"}, ["concepts_bn_gamma", "concepts_bn_beta"]),
    ("pages/concepts.py", {"sec": "dropout"}, ["concepts_drop_p"]),
    ("pages/concepts.py", {"sec": "augment"}, ["concepts_aug_shift", "concepts_aug_rot", "concepts_aug_scale_lo",
                                               "concepts_aug_scale_hi", "concepts_aug_thick", "concepts_aug_thin"]),
    ("pages/concepts.py", {"sec": "descent"}, ["concepts_gd_noise"]),
    ("pages/training_lab.py", {}, ["train_dropout"]),
]


def _open(page: str, query: dict[str, str], lang: str = "en") -> AppTest:
    return open_with_query(page, query, lang=lang)


@pytest.mark.parametrize(("page", "query", "keys"), CONVERTED)
def test_float_sliders_write_the_languages_decimal_mark(page: str, query: dict[str, str], keys: list[str]) -> None:
    at = _open(page, query, "es")
    for key in keys:
        options = at.select_slider(key=key).options
        fractions = [o for o in options if not o.lstrip("-").isdigit()]
        assert fractions or key == "concepts_aug_rot", (key, options)  # whole degrees: 0 to 180
        assert all("," in o and "." not in o for o in fractions), (key, fractions[:5])
    english = _open(page, query)
    for key in keys:
        fractions = [o for o in english.select_slider(key=key).options if not o.lstrip("-").isdigit()]
        assert all("." in o and "," not in o for o in fractions), (key, fractions[:5])


def test_a_links_value_between_options_snaps_to_the_nearest() -> None:
    at = _open("pages/filter_lab.py", {"f": "gaussian", "sigma": "1.23"}, "es")
    slider = at.select_slider(key="flt_sigma")
    assert slider.value == 1.2 and slider.format_func(slider.value) == "1,2"
    assert at.session_state["flt_name"] == "gaussian"
    at = _open("pages/concepts.py", {"sec": "norm", "gamma": "0.77", "beta": "-3.14159"})
    assert at.select_slider(key="concepts_bn_gamma").value == 0.8
    assert at.select_slider(key="concepts_bn_beta").value == -3.1
    at.select_slider(key="concepts_bn_beta").set_value(-0.5).run()
    assert not at.exception and at.query_params["beta"] in ("-0.5", ["-0.5"])


def test_a_new_language_keeps_a_float_sliders_value() -> None:
    at = _open("pages/filter_lab.py", {"f": "gaussian"})
    at.select_slider(key="flt_sigma").set_value(2.7).run()
    at.session_state["lang"] = "es"  # what the sidebar switch writes
    at.run()
    assert not at.exception
    slider = at.select_slider(key="flt_sigma")
    assert slider.value == 2.7 and slider.format_func(slider.value) == "2,7"

"""AppTest of the Concepts page's pooling-shift, augmentation, gradient-descent and Adam
sections in both languages, with extreme and hostile values (URL and widgets); the Training
lab's links to them; the lecture's parameter rule on Layer arithmetic."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz.i18n import catalog
from tests.apptest_helpers import open_page, plotly_array
from tests.test_url_state import open_with_query

VIEWS = ("pool_shift", "augment", "descent", "adam")
NEW_KEYS = [k for k in catalog("en") if k.startswith(("concepts.shift_", "concepts.aug_", "concepts.gd_",
                                                      "concepts.adam_"))]


def _open(section: str, lang: str = "en") -> AppTest:
    at = open_page("pages/concepts.py", lang)
    at.session_state["concepts_section"] = section
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _text(at: AppTest) -> str:
    parts = [m.value for m in (*at.markdown, *at.caption, *at.warning, *at.info, *at.header, *at.latex)]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    for chart in at.get("plotly_chart"):
        parts.append(chart.proto.spec)
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("section", VIEWS)
def test_each_view_renders_in_both_languages(section: str, lang: str) -> None:
    at = _open(section, lang)
    assert at.get("plotly_chart"), section
    text = _text(at)
    if lang == "es":  # no English sentence of the new views reaches the Spanish page
        english = catalog("en")
        spanish = catalog("es")
        leaked = [k for k in NEW_KEYS if len(english[k]) > 12 and english[k] != spanish[k]
                  and english[k] in text]
        assert not leaked, leaked


def test_pooling_shift_shows_four_shifts_and_their_changes() -> None:
    at = _open("pool_shift")
    maps, change = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    assert len(maps["data"]) == 8  # input and pooled map for shifts 0..3
    assert plotly_array(maps["data"][1]["z"]).size == 14 * 14  # 28x28 pooled 2x2
    table = at.dataframe[0].value
    assert len(table) == 4 and table.iloc[0, 1] == "0.00"
    assert [float(v) for v in plotly_array(change["data"][0]["x"])] == [0, 1, 2, 3]
    at.radio(key="concepts_shift_pool").set_value(4).run()
    _ok(at)
    maps = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert plotly_array(maps["data"][1]["z"]).size == 7 * 7


def test_pooling_shift_in_spanish_writes_decimal_commas() -> None:
    at = _open("pool_shift", "es")
    table = at.dataframe[0].value
    assert table.iloc[1, 1].count(",") == 1 and "." not in table.iloc[1, 1]
    assert "desplazada" in _text(at)


def test_augmentation_starts_from_the_training_labs_settings_and_resets() -> None:
    at = _open("augment")
    assert "the settings the Training lab trains with" in _text(at)
    assert "rotate a 6 a lot, it could become a 9" in _text(at)
    assert "reads 9" in _text(at)  # the shipped classifier reads the 6 turned 180 degrees as a 9
    grid = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(grid["data"]) == 16
    for key, value in (("concepts_aug_rot", 180.0), ("concepts_aug_shift", 6.0), ("concepts_aug_scale_lo", 0.5),
                       ("concepts_aug_scale_hi", 1.5), ("concepts_aug_thick", 1.0), ("concepts_aug_thin", 1.0)):
        at.select_slider(key=key).set_value(value)
    at.run()
    _ok(at)
    assert "Changed here only" in _text(at)
    at.button(key="concepts_aug_reset").click().run()
    _ok(at)
    assert at.select_slider(key="concepts_aug_rot").value == 12.0
    assert "the settings the Training lab trains with" in _text(at)


def test_descent_draws_four_paths_and_reports_divergence() -> None:
    at = _open("descent")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t.get("name") for t in fig["data"]]
    assert {"Batch gradient descent", "SGD (noisy gradient)", "SGD with momentum 0.9", "Adam"} <= set(names)
    assert not at.warning
    at.select_slider(key="concepts_gd_lr").set_value(1.0)
    at.slider(key="concepts_gd_steps").set_value(300)
    at.select_slider(key="concepts_gd_noise").set_value(5.0).run()
    _ok(at)
    assert at.warning and "left every bound" in at.warning[0].value
    assert "diverged at step" in at.dataframe[0].value.to_string()
    at.radio(key="concepts_gd_surface").set_value("saddle").run()
    _ok(at)
    assert "saddle point" in _text(at)


def test_descent_in_spanish() -> None:
    at = _open("descent", "es")
    text = _text(at)
    assert "E = 0,1·w₁² + 2·w₂²" in text and "β₁ = 0,9" in text  # decimal commas
    assert at.radio(key="concepts_gd_surface").options == ["Cuenco alargado", "Punto de silla"]
    at.select_slider(key="concepts_gd_lr").set_value(1.0).run()
    _ok(at)
    assert "diverge en el paso" in at.dataframe[0].value.to_string()


def test_adam_shows_sgd_and_adam_steps_with_the_formula() -> None:
    at = _open("adam")
    table = at.dataframe[0].value
    assert len(table) == 4
    assert "1,000-fold" in _text(at)  # SGD's steps differ as the gradients (100 ... 0.1)
    assert r"\sqrt{\hat v_i}" in _text(at)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    adam = plotly_array(bars["data"][1]["y"])
    assert np.allclose(adam, 0.01, rtol=1e-6)  # Adam's first step is eta for every weight
    at.slider(key="concepts_adam_t").set_value(100)
    at.select_slider(key="concepts_adam_lr").set_value(1.0).run()
    _ok(at)
    es = _open("adam", "es")
    assert "1.000 veces" in _text(es)


def test_hostile_links_fall_back_to_defaults() -> None:
    query = {"sec": "descent", "gdlr": "1e9", "gdsteps": "99999", "gdnoise": "-3", "gds": "cliff",
             "gdseed": "x", "alr": "nan", "at": "100000", "shk": "7", "arot": "720", "ad": "12"}
    at = open_with_query("pages/concepts.py", query)
    _ok(at)
    state = at.session_state
    assert state["concepts_section"] == "descent"
    assert state["concepts_gd_lr"] == 0.1 and state["concepts_gd_steps"] == 100
    assert state["concepts_gd_noise"] == 0.3 and state["concepts_gd_surface"] == "bowl"


def test_link_settings_travel() -> None:
    query = {"sec": "augment", "ad": "9", "arot": "90", "aseed": "42"}
    at = open_with_query("pages/concepts.py", query)
    _ok(at)
    assert at.selectbox(key="concepts_aug_digit").value == 9
    assert at.select_slider(key="concepts_aug_rot").value == 90.0
    at = open_with_query("pages/concepts.py", {"sec": "descent", "gds": "saddle", "gdlr": "0.3", "gdsteps": "200"})
    _ok(at)
    assert at.radio(key="concepts_gd_surface").value == "saddle"
    assert at.select_slider(key="concepts_gd_lr").value == 0.3


@pytest.mark.parametrize("lang", ["en", "es"])
def test_training_lab_links_to_the_views(lang: str) -> None:
    at = open_page("pages/training_lab.py", lang)
    links = [link.proto for link in at.get("page_link") if link.proto.page == "concepts"]
    queries = {q for link in links for q in link.query_string.split("&")}
    assert "sec=descent" in queries and "sec=augment" in queries and f"lang={lang}" in queries


@pytest.mark.parametrize("lang", ["en", "es"])
def test_layer_arithmetic_fills_in_the_lecture_parameter_rule(lang: str) -> None:
    at = open_with_query("pages/layer_arithmetic.py", {"h": "16", "w": "16", "ph": "1", "pw": "1", "cin": "3",
                                                       "cout": "10", "lang": lang})
    latex = "\n".join(m.value for m in at.latex)
    assert r"(3 \cdot 3 \cdot 3 + 1) \cdot 10 = 28 \cdot 10 = 280" in latex
    at.checkbox(key="arith_bias").uncheck()
    at.number_input(key="arith_cin").set_value(4)
    at.number_input(key="arith_groups").set_value(2).run()
    latex = "\n".join(m.value for m in at.latex)
    assert r"(3 \cdot 3 \cdot \frac{4}{2}) \cdot 10 = 18 \cdot 10 = 180" in latex
    at.segmented_control(key="arith_op").set_value("maxpool").run()
    assert not at.exception
    assert "C_{out}" not in "\n".join(m.value for m in at.latex)

"""AppTest of the Concepts page: every section in both languages, the lecture's numbers,
interactive normalisation, bad input handled with messages (never a traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.apptest_helpers import figures, plotly_array  # noqa: E402

SECTIONS = ("activations", "fc_conv", "norm", "dropout", "softmax")


def _open(lang: str = "en", section: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/concepts.py").run()
    if section:
        _section(at, section)
    return at


def _section(at: AppTest, section: str) -> None:
    # set through the session state: the radio's labels are translated in the page's language
    at.session_state["concepts_section"] = section
    at.run()


def _texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_section_renders_in_both_languages(lang: str) -> None:
    at = _open(lang)
    assert at.title[0].value == ("Concepts" if lang == "en" else "Conceptos")
    for section in SECTIONS:
        _section(at, section)
        assert not at.exception, (section, [e.value for e in at.exception])
        assert not at.error, section
        assert at.get("plotly_chart"), f"{section} draws nothing"


def test_fc_vs_conv_shows_the_lecture_numbers() -> None:
    at = _open(section="fc_conv")
    text = _texts(at)
    assert "28×28×6" in text
    assert "456 parameters" in text
    assert "14,455,392 parameters" in text  # (32·32·3 + 1) · 28·28·6
    # the lecture's invalid case: 7x7 input, 3x3 filter, stride 3
    at.number_input(key="concepts_fc_h").set_value(7)
    at.number_input(key="concepts_fc_w").set_value(7)
    at.number_input(key="concepts_fc_k").set_value(3)
    at.number_input(key="concepts_fc_stride").set_value(3).run()
    assert not at.exception
    assert at.error and "cannot be built" in at.error[0].value
    assert at.number_input(key="concepts_fc_filters").value == 6  # other settings survive


def test_sparse_connectivity_names_the_inputs_of_h3() -> None:
    at = _open(section="fc_conv")
    assert "h3 depends on x2, x3, x4 only" in _texts(at)
    at.slider(key="concepts_sparse_k").set_value(5).run()
    assert "h3 depends on x1, x2, x3, x4, x5 only" in _texts(at)
    at.slider(key="concepts_sparse_n").set_value(3).run()  # kernel 5 > 3 inputs
    assert not at.exception and at.warning


@pytest.mark.parametrize("kind,expected", [("batch", lambda n, c, hw: n * hw), ("layer", lambda n, c, hw: c * hw),
                                           ("instance", lambda n, c, hw: hw), ("group", lambda n, c, hw: c // 2 * hw)])
def test_normalisation_cube_highlights_the_right_number_of_values(kind: str, expected) -> None:
    at = _open(section="norm")
    at.radio(key="concepts_norm_kind").set_value(kind)
    at.slider(key="concepts_norm_n").set_value(3)
    at.slider(key="concepts_norm_c").set_value(4)
    at.slider(key="concepts_norm_hw").set_value(2).run()
    if kind == "group":
        at.select_slider(key="concepts_norm_groups").set_value(2).run()
    assert not at.exception
    cube = next(f for f in figures(at) if f["data"] and f["data"][0]["type"] == "mesh3d")
    highlighted = cube["data"][0]
    cells = len(plotly_array(highlighted["x"])) // 8  # 8 corners per cube
    assert cells == expected(3, 4, 4)
    assert f"{cells} of the 48 values" in _texts(at)


def test_batchnorm_steps_and_bad_values() -> None:
    at = _open(section="norm")
    at.text_input(key="concepts_bn_values").set_value("1, 2, 3, 6").run()
    table = at.dataframe[-1].value
    assert list(table["x_i − μ"]) == ["-2", "-1", "0", "3"]  # μ = 3
    at.text_input(key="concepts_bn_values").set_value("1, two, 3").run()
    assert not at.exception and at.error
    assert at.radio(key="concepts_norm_kind").value == "batch"


def test_linear_stack_collapse_messages() -> None:
    at = _open(section="activations")
    assert at.success  # without a non-linearity: identical
    at.checkbox(key="concepts_lin_relu").check().run()
    assert not at.exception and (at.warning or at.info)
    at.multiselect(key="concepts_act_names").set_value([]).run()
    assert at.warning


def test_dropout_next_iteration_changes_the_drawing() -> None:
    at = _open(section="dropout")
    first = _texts(at)
    at.button(key="concepts_drop_next").click().run()
    assert at.number_input(key="concepts_drop_iter").value == 2
    assert not at.exception and "Iteration 2" in _texts(at) and _texts(at) != first


def test_softmax_temperature_and_bad_logits() -> None:
    at = _open(section="softmax")
    at.select_slider(key="concepts_soft_t").set_value(0.05).run()
    fig = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    sharp = plotly_array(fig["data"][1]["y"]).astype(float)
    assert sharp.max() > 0.99  # a low temperature puts almost everything on the top logit
    at.text_input(key="concepts_soft_logits").set_value("5").run()
    assert not at.exception and at.error  # one logit is not a distribution over classes
    assert at.select_slider(key="concepts_soft_t").value == 0.05


def test_softmax_sum_is_shown_and_t1_is_drawn_once() -> None:
    at = _open(section="softmax")
    assert "Σᵢ pᵢ = 1.0000" in _texts(at)
    bars = [f for f in figures(at) if f["data"][0]["type"] == "bar"][0]
    assert len(bars["data"]) == 1  # T = 1: no second, identical series
    assert bars["layout"]["xaxis"]["type"] == "category"  # class names, no 0.5, 1.5… ticks
    at.select_slider(key="concepts_soft_t").set_value(2.0).run()
    bars = [f for f in figures(at) if f["data"][0]["type"] == "bar"][0]
    assert len(bars["data"]) == 2


def test_batchnorm_formulas_print_signs_and_epsilon_as_maths() -> None:
    at = _open(section="norm")
    at.text_input(key="concepts_bn_values").set_value("-1, -2, -6").run()
    at.select_slider(key="concepts_bn_beta").set_value(-0.5).run()
    body = "\n".join(e.value for e in at.latex)
    assert "x_i + 3" in body  # μ = −3: not "x_i--3"
    assert r"10^{-5}" in body and "1e-05" not in body  # ε, not KaTeX's "1e − 05"
    assert r"\hat x_i - 0.5" in body  # β = −0.5: not "+-0.5"


def test_vectors_are_written_with_commas() -> None:
    at = _open(section="activations")
    text = _texts(at)
    assert "x = [0, −3]" in text and "[−11, −16]" in text  # seed 1 (numpy printed "[ 0. -3.]")
    _section(at, "dropout")
    assert "the inputs [0.5, 1.2, 0.8, 2, 0.3, 1.5]" in _texts(at)


def test_fc_vs_conv_counts_in_the_users_number_format() -> None:
    """32x32x3, six 5x5 filters: 28x28x6 = 4,704 outputs; fully connected 4,704 x (3,072 + 1)
    = 14,455,392 parameters, written with the separators of the language picked."""
    at = _open("es", "fc_conv")
    text = _texts(at)
    assert "14.455.392" in text and "4.704" in text and "3.072" in text
    assert "14,455,392" not in text
    at = _open("en", "fc_conv")
    assert "14,455,392" in _texts(at)


def test_spanish_numbers_use_the_decimal_comma() -> None:
    """Spanish: vectors [0,5; 1,2; …], table cells, the softmax summary and the figures (plotly
    separators ",.") use the decimal comma; the values read back equal the computed ones."""
    at = _open("es", "activations")
    text = _texts(at)
    assert "x = [0; −3]" in text and "[−11; −16]" in text  # seed 1, as in English [0, −3]
    table = at.dataframe[0].value  # sigmoid at z = 2: σ = 0,8808, σ' = 0,105
    assert list(table["f(z)"])[0] == "0,8808" and list(table["f'(z)"])[0] == "0,105"
    figs = figures(at)
    assert figs and all(f["layout"].get("separators") == ",." for f in figs)
    _section(at, "dropout")
    assert "[0,5; 1,2; 0,8; 2; 0,3; 1,5]" in _texts(at)
    _section(at, "softmax")  # logits 2, 1, 0.1, −1 at T = 1
    z = np.array([2.0, 1.0, 0.1, -1.0])
    p = np.exp(z) / np.exp(z).sum()
    text = _texts(at)
    assert f"p = {p.max():.3f}".replace(".", ",") in text and "Σᵢ pᵢ = 1,0000" in text
    assert list(at.dataframe[0].value["p_i"]) == [f"{v:.4f}".replace(".", ",") for v in p]
    bars = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert bars["layout"]["separators"] == ",."
    assert [float(t.replace(",", ".")) for t in bars["data"][0]["text"]] == pytest.approx(p, abs=5e-4)
    _section(at, "fc_conv")
    bar = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert list(bar["data"][0]["text"]) == ["456", "14.455.392"]
    _section(at, "norm")
    at.text_input(key="concepts_bn_values").set_value("1; 2; 4").run()  # μ = 7/3, σ² = 14/9
    at.select_slider(key="concepts_bn_beta").set_value(-0.5).run()
    body = "\n".join(e.value for e in at.latex)
    assert r"=2{,}333" in body and r"=1{,}556" in body and r"\hat x_i - 0{,}5" in body  # KaTeX decimal comma
    assert list(at.dataframe[-1].value["x_i − μ"]) == ["-1,333", "-0,3333", "1,667"]


def test_english_numbers_and_figures_are_unchanged() -> None:
    at = _open("en", "softmax")
    assert "p = 0.638" in _texts(at)  # softmax(2, 1, 0.1, −1)₁ = e² / (e² + e + e^0.1 + e^−1) = 0.6381
    assert all(f["layout"].get("separators", ".,") == ".," for f in figures(at))  # plotly's default marks
    _section(at, "fc_conv")
    bar = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert list(bar["data"][0]["text"]) == ["456", "14,455,392"]


def test_a_vector_copied_from_the_spanish_page_reads_back_the_same() -> None:
    """The Spanish page writes [0,5; 1,2; −3]: typed back, ";" separates and "," is the decimal."""
    at = _open("es", "softmax")
    at.text_input(key="concepts_soft_logits").set_value("0,5; 1,2; −3").run()
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value["z_i"]) == ["0,5", "1,2", "-3"]
    at.text_input(key="concepts_soft_logits").set_value("2, 1, 0.5").run()  # commas between numbers
    assert list(at.dataframe[0].value["z_i"]) == ["2", "1", "0,5"]

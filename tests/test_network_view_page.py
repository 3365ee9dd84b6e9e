"""The overview and the unit inspector on "Draw a digit", in AppTest, in English and Spanish.

Values shown are compared with the model's own activations (``model.activations``), and the
layer arithmetic with the engine's summary (the Architecture page's numbers)."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests._numbers import numbers_in, parse_number  # noqa: E402

pytestmark = pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")


@pytest.fixture(autouse=True)
def stub_canvas(monkeypatch: pytest.MonkeyPatch):
    module = types.ModuleType("streamlit_drawable_canvas")
    module.st_canvas = lambda **kwargs: types.SimpleNamespace(image_data=None, json_data=None)
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", module)
    yield


@pytest.fixture(scope="module")
def model():
    from convviz.digits import load_classifier

    return load_classifier()


def _open(lang: str, state: dict | None = None, digit: int = 7) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page("pages/draw_digit.py").run()
    at.radio(key="digit_source").set_value("sample").run()
    if digit != 7:
        at.selectbox(key="digit_sample").set_value(digit).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _image(digit: int) -> np.ndarray:
    from convviz.digits import preprocess_canvas
    from convviz.digits.samples import sample_canvas

    return preprocess_canvas(sample_canvas(digit))


def _heading_value(at: AppTest, lang: str) -> tuple[str, float]:
    word = "Layer" if lang == "en" else "Capa"
    text = next(m.value for m in at.markdown if m.value.startswith(word) and "**" in m.value)
    return text, parse_number(re.search(r"\*\*(.+?)\*\*", text).group(1).replace("−", "-"), lang)


def _overview(at: AppTest) -> dict:
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        if any(str(t.get("name", "")).startswith("hit_") for t in fig["data"]):
            return fig
    raise AssertionError("no overview figure")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_overview_and_conv_inspector(model, lang: str) -> None:
    at = _open(lang)
    assert at.metric[0].value == "7"
    fig = _overview(at)
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert len(heat) == len(model.layers) + 1
    assert fig["layout"]["separators"] == (",." if lang == "es" else ".,")
    # the default pick is the second convolution (it reads the first one's maps), its middle map and unit
    acts = model.activations(_image(7))
    text, value = _heading_value(at, lang)
    (channels, side, _), middle = acts[3][1].shape, acts[3][1].shape[1] // 2  # side 10 (wide net), 14 (deep)
    assert "3 · Conv2d" in text and f"({channels // 2}, {middle}, {middle})" in text
    assert value == pytest.approx(float(acts[3][1][channels // 2, middle, middle]), abs=6e-5)
    bias_line = next(m.value for m in at.markdown if m.value.startswith("Plus the bias" if lang == "en" else "Más el bias"))
    pre = parse_number(re.search(r"\*\*(.+?)\*\*", bias_line).group(1).replace("−", "-"), lang)
    assert pre == pytest.approx(value)
    # the arithmetic: the engine's numbers, written the user's way
    import convviz

    row = convviz.summarize(model.to_spec()).layers[3]
    arith = " ".join(m.value for m in at.markdown)
    found = numbers_in(arith, lang)
    assert row.params in found and row.macs in found
    from convviz.explain import layer_arithmetic

    ar = layer_arithmetic(model, 3)
    for how in (ar.params_how, ar.macs_how):  # code spans: a bare "*" would become markdown italics
        assert "*" in how and f"`{how}`" in arith, how
    if lang == "es":
        assert f"{row.params:,}".replace(",", ".") in arith and "Parámetros" in arith  # 12.832 for the medium net
    assert any(f"\\right\\rfloor + 1 = {side}" in x.value for x in at.get("latex"))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_layer_kind_in_the_inspector(model, lang: str) -> None:
    at = _open(lang, digit=3)
    acts = model.activations(_image(3))
    phrases = {"MaxPool2d": ("Max pooling", "El max pooling"), "ReLU": ("ReLU: max(0", "ReLU: máx(0"),
               "Flatten": ("Flatten lays", "Flatten coloca"), "Dropout": ("Dropout is switched off", "El dropout se desactiva")}
    last = {layer.type_name: i for i, layer in enumerate(model.layers)}  # the shipped model's layout
    words = {last[kind]: pair for kind, pair in phrases.items()}  # the last layer of each kind
    words.update({i: (f"Sum of all {layer.in_features}", f"Suma de las {layer.in_features}")
                  for i, layer in enumerate(model.layers) if layer.type_name == "Linear"})  # every Linear
    assert len(words) == 6, words
    for layer, pair in words.items():
        at.selectbox(key="xp_layer").set_value(layer).run()
        assert not at.exception, [e.value for e in at.exception]
        at.number_input(key="xp_channel").set_value(3).run()
        text, value = _heading_value(at, lang)
        want = acts[layer][1]
        unit = (3, at.session_state["xp_row"], at.session_state["xp_col"]) if want.ndim == 3 else (3,)
        assert value == pytest.approx(float(want[unit]), abs=6e-5), (layer, text)
        assert any(m.value.startswith(pair[lang == "es"]) for m in at.markdown), layer
    # the output layer shows logits then softmax; digit 3's probability matches the model's
    probs = model.predict_proba(_image(3)[None])[0]
    out = next(m.value for m in at.markdown if "softmax" in m.value and "p = exp" in m.value)
    shown = re.search(r"\*\*(.+?)\*\*", out).group(1).replace("\u00a0", " ").rstrip(" %")
    assert parse_number(shown, lang) == pytest.approx(100 * probs[3], abs=0.006)


def test_unit_widgets_and_bad_state_do_not_crash(model) -> None:
    at = _open("en", state={"xp_layer": 99, "xp_channel": -4, "xp_row": 500})
    assert at.session_state["xp_layer"] == 0
    at.number_input(key="xp_row").set_value(27).run()
    at.number_input(key="xp_col").set_value(0).run()
    assert not at.exception
    text, value = _heading_value(at, "en")
    assert "(" in text and value == pytest.approx(float(model.activations(_image(7))[0][1][at.session_state["xp_channel"], 27, 0]), abs=6e-5)
    field = next(m.value for m in at.markdown if m.value.startswith("Rows"))
    assert "columns 0–2" in field  # the 5x5 field of column 0 cut at the border: -2..2 -> 0..2


def test_a_layer_the_engine_cannot_explain_is_a_message(monkeypatch) -> None:
    from convviz import explain

    def refuse(*args, **kwargs):
        raise ValueError("explaining a Mystery layer is not supported yet")

    monkeypatch.setattr(explain, "explain_unit", refuse)
    import pages.ui.network_view as view

    monkeypatch.setattr(view, "explain_unit", refuse)
    at = _open("en")
    assert not at.exception
    assert any("cannot be explained" in e.value and "Mystery" in e.value for e in at.error)


def test_overview_colour_scale_is_labelled_in_spanish() -> None:
    fig = _overview(_open("es"))
    bar = next(t for t in fig["data"] if t.get("showscale"))
    assert bar["colorbar"]["ticktext"] == ["−máx", "0", "+máx"]
    assert "valor" in bar["colorbar"]["title"]["text"]


def test_an_uploaded_photo_opens_the_network_view() -> None:
    """The third input: a photo (dark ink on light paper) -> the overview, the inspector and the
    receptive field drawn on the 28x28 input and on the photo itself."""
    import io

    from PIL import Image, ImageDraw

    paper = Image.new("RGB", (400, 500), (240, 236, 228))
    ImageDraw.Draw(paper).line([(90, 90), (310, 90), (170, 430)], fill=(20, 20, 40), width=22, joint="curve")
    buf = io.BytesIO()
    paper.save(buf, format="PNG")
    at = _open("en")
    at.radio(key="digit_source").set_value("upload").run()
    at.file_uploader(key="digit_upload").set_value(("seven.png", buf.getvalue(), "image/png")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == "7"
    _overview(at)
    assert _heading_value(at, "en")[0].startswith("Layer 3 · Conv2d")
    field = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
                 if any(a.get("text") == "your drawing" for a in json.loads(el.proto.spec)["layout"].get("annotations", [])))
    assert [t["type"] for t in field["data"]] == ["heatmap", "heatmap"] and len(field["layout"]["shapes"]) == 2

"""The "Draw a digit" page in AppTest, with the canvas module replaced by a stub.

The stub's ``st_canvas`` returns whatever RGBA image the test puts in ``CANVAS["image"]``
(None = nothing drawn yet), so the page runs exactly as with a real drawing.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from convviz.nn import build_model  # noqa: E402
from tests._numbers import numbers_in, parse_number  # noqa: E402
from tests.apptest_helpers import figures, plotly_array  # noqa: E402

CANVAS: dict[str, object] = {"image": None, "calls": []}

pytestmark = pytest.mark.skipif(
    not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="assets/digit_cnn.npz not trained yet"
)


@pytest.fixture(autouse=True)
def stub_canvas(monkeypatch: pytest.MonkeyPatch):
    module = types.ModuleType("streamlit_drawable_canvas")

    def st_canvas(**kwargs):
        CANVAS["calls"].append(kwargs)
        return types.SimpleNamespace(image_data=CANVAS["image"], json_data=None)

    module.st_canvas = st_canvas
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", module)
    CANVAS["image"] = None
    CANVAS["calls"] = []
    yield


def drawing(points: list[tuple[int, int]], width: int = 20) -> np.ndarray:
    img = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(img).line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
    return np.asarray(img).copy()


ONE = [(140, 40), (140, 240)]
SEVEN = [(70, 50), (210, 50), (120, 240)]


def _open(lang: str = "en", state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page("pages/draw_digit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_blank_canvas_asks_for_a_drawing() -> None:
    at = _open()
    assert at.title[0].value == "Draw a digit"
    assert any("Draw a digit on the black canvas" in i.value for i in at.info)
    call = CANVAS["calls"][-1]
    assert call["return_image_data"] is True and call["width"] == 280 and call["height"] == 280
    assert call["stroke_color"] == "#FFFFFF" and call["background_color"] == "#000000"


def test_drawn_one_is_predicted_and_explained() -> None:
    CANVAS["image"] = drawing(ONE)
    at = _open("es")
    assert at.title[0].value == "Dibuja un dígito"
    metric = at.metric[0]
    assert metric.value == "1"
    figs = figures(at)
    # probabilities, one figure per layer, the filters, the saliency, the curves
    n_layers = len(json.loads((ROOT / "assets" / "digit_cnn.spec.json").read_text())["layers"]) \
        if (ROOT / "assets" / "digit_cnn.spec.json").exists() else None
    assert len(figs) >= 4 + (n_layers or 0)
    bars = figs[0]["data"][0]
    assert [str(x) for x in bars["x"]] == [str(i) for i in range(10)]
    assert not at.error


def test_spanish_numbers_on_the_page() -> None:
    """Confidence, parameter counts and totals are written the Spanish way (71,3 %, 1.234)
    and equal the model's own numbers."""
    import convviz
    from convviz.digits import load_classifier

    CANVAS["image"] = drawing(ONE)
    at = _open("es")
    model = load_classifier()
    probs = plotly_array(figures(at)[0]["data"][0]["y"]).tolist()
    top = max(probs)
    confidence = at.metric[0].proto.delta  # "confianza 99,8 %"
    shown = next(w for w in confidence.split() if w[0].isdigit())
    assert "," in shown or top in (0.0, 1.0)
    assert confidence.endswith("\u00a0%")
    assert abs(parse_number(shown, "es") - 100 * top) <= 0.05 + 1e-9
    text = " ".join(m.value for m in at.markdown)
    assert model.n_params() in numbers_in(text, "es")
    summary = convviz.summarize(model.to_spec())
    totals = " ".join(c.value for c in at.caption)
    found = numbers_in(totals, "es")
    assert summary.total_params in found and summary.total_macs in found
    if summary.total_macs >= 1000:
        assert f"{summary.total_macs:,}".replace(",", ".") in totals
    table = at.dataframe[0]
    formats = [c["type_config"]["format"] for c in json.loads(table.proto.columns).values() if "type_config" in c]
    assert formats == ["%'.,d", "%'.,d"]
    assert list(table.value.iloc[:, 3]) == [r.params for r in summary.layers]


def test_stroke_width_slider_and_upload_errors_keep_settings() -> None:
    CANVAS["image"] = drawing(SEVEN, width=20)
    at = _open()
    at.slider(key="digit_stroke").set_value(35).run()
    assert CANVAS["calls"][-1]["stroke_width"] == 35
    at.radio(key="digit_source").set_value("upload").run()
    assert not at.exception
    assert any("Upload a photo" in i.value for i in at.info)
    at.radio(key="digit_source").set_value("draw").run()
    assert at.slider(key="digit_stroke").value == 35  # the setting survived


def test_trained_model_choice() -> None:
    CANVAS["image"] = drawing(ONE)
    mine = build_model("small", seed=3)  # untrained: its answer differs from the shipped model's
    at = _open(state={"trained_model": mine})
    radio = at.radio(key="digit_model_choice")
    assert radio.value == "shipped"
    radio.set_value("mine").run()
    assert not at.exception
    assert any("Training lab" in i.value for i in at.info)  # curves live on the lab page
    # something that is not a digit model is rejected with a warning, not a crash
    at2 = _open(state={"trained_model": "not a model"})
    assert at2.warning


def test_bad_upload_is_explained_in_spanish() -> None:
    at = _open("es")
    at.radio(key="digit_source").set_value("upload").run()
    at.file_uploader(key="digit_upload").set_value(("roto.png", b"\x89PNG\r\n\x1a\n basura", "image/png")).run()
    assert not at.exception
    message = at.error[0].value
    assert "la imagen está truncada o dañada (el contenido del archivo no es una imagen" in message, message
    assert "cannot identify" not in message


def test_bad_upload_is_a_value_error_with_a_message() -> None:
    from pages.ui import digit_widgets as W

    with pytest.raises(ValueError) as info:
        W.photo_to_gray.__wrapped__(b"this is not an image", "en")
    assert str(info.value)


def test_photo_upload_path_reads_a_seven() -> None:
    """A photo (dark ink on light paper, PNG bytes) goes through the page's decoder and the
    preprocessing to the right prediction."""
    import io

    from convviz.digits import load_classifier, preprocess_canvas
    from pages.ui import digit_widgets as W

    paper = Image.new("RGB", (400, 500), (240, 236, 228))
    ImageDraw.Draw(paper).line([(90, 90), (310, 90), (170, 430)], fill=(20, 20, 40), width=22, joint="curve")
    buf = io.BytesIO()
    paper.save(buf, format="PNG")
    gray = W.photo_to_gray.__wrapped__(buf.getvalue(), "en")
    image = preprocess_canvas(gray)
    assert int(load_classifier().predict(image[None])[0]) == 7


@pytest.mark.parametrize("n_val", [1500, 0])
def test_training_log_text_with_and_without_held_out_digits(monkeypatch: pytest.MonkeyPatch, n_val: int) -> None:
    """A log with held-out digits names them and their accuracy; a model trained on every digit
    for a fixed number of epochs says so (no validation accuracy to quote)."""
    import pages.ui.digit_widgets as W

    log = {"train_loss": [0.5] * 12, "train_acc": [0.9] * 12, "val_loss": [0.1] * (12 if n_val else 0),
           "val_acc": [0.99] * (12 if n_val else 0), "best_epoch": 7 if n_val else None,
           "meta": {"n_train": 8500 if n_val else 10000, "n_val": n_val, "final_val_acc": 0.99 if n_val else None}}
    monkeypatch.setattr(W, "training_log", lambda path=None: log)
    CANVAS["image"] = drawing(ONE)  # the curves come after the analysis of a drawing
    at = _open()
    text = " ".join(m.value for m in at.markdown)
    if n_val:
        assert "Trained on 8,500 MNIST digits" in text and "1,500 other digits were held out" in text
        assert "epoch 7 of 12" in text
    else:
        assert "Trained on all 10,000 digits" in text and "12 epochs" in text and "held out" in text
        assert "training accuracy is measured on the distorted digits" in " ".join(c.value for c in at.caption)


def _page_with_log(monkeypatch: pytest.MonkeyPatch, lang: str, **meta: object) -> tuple[str, str]:
    """The Draw page's text and captions for a 30-epoch log trained on every digit (no
    validation) with label smoothing 0.1, font digits and ``meta``."""
    import pages.ui.digit_widgets as W

    log = {"train_loss": [0.5] * 30, "train_acc": [0.9] * 30, "val_loss": [], "val_acc": [], "best_epoch": None,
           "meta": {"n_val": 0, "n_generated": 5000, "final_val_acc": None, "crossed_sevens": 0.5,
                    "config": {"label_smoothing": 0.1}, **meta}}
    monkeypatch.setattr(W, "training_log", lambda path=None: log)
    CANVAS["image"] = drawing(ONE)
    at = _open(lang)
    return " ".join(m.value for m in at.markdown), " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_training_log_text_with_generated_font_digits(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """A model trained on every MNIST digit plus generated font digits names both counts."""
    text, captions = _page_with_log(monkeypatch, lang, n_train=15000)
    if lang == "en":
        assert "Trained on all 10,000 digits of MNIST's test split and 5,000 digits generated" in text
        assert "30 epochs" in text
        # label smoothing 0.1: targets 0.91 / 0.01, a perfect fit's loss is the entropy 0.50
        assert "label smoothing 0.1: 0.91 for the right digit, 0.01 for each" in captions
        assert "a loss of 0.50, not 0" in captions
        assert "sevens, 50% carry a bar across" in captions
        assert "drawn by a program" not in captions  # no pen digits in this log
    else:
        assert "Entrenado con los 10.000 dígitos" in text and "5.000 dígitos generados" in text
        assert "label smoothing 0,1: 0,91 para el dígito correcto" in captions and "pérdida de 0,50" in captions
        assert "el 50\u00a0% lleva una barra" in captions  # a no-break space before %


@pytest.mark.parametrize("lang", ["en", "es"])
def test_training_log_text_with_pen_digits(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Pen-drawn digits are counted apart: the MNIST count excludes them and a caption names them."""
    text, captions = _page_with_log(monkeypatch, lang, n_train=20000, n_pen=5000)
    if lang == "en":
        assert "Trained on all 10,000 digits of MNIST's test split and 5,000 digits generated" in text
        assert "Also 5,000 digits drawn by a program with a round pen" in captions
    else:
        assert "Entrenado con los 10.000 dígitos" in text
        assert "También 5.000 dígitos dibujados por un programa" in captions


def test_pen_digits_are_named_with_held_out_digits_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A validated run with pen digits: the MNIST count excludes them and the caption names them,
    in Spanish number format."""
    text, captions = _page_with_log(monkeypatch, "es", n_train=13500, n_val=1500, final_val_acc=0.99,
                                    n_generated=0, n_pen=5000)
    assert "Entrenado con 8.500 dígitos de MNIST" in text and "otros 1.500 dígitos" in text
    assert "También 5.000 dígitos dibujados por un programa" in captions
    assert "lleva una barra" not in captions  # no font digits, so no crossed font sevens


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_deskewing_model_shows_its_straightened_input(lang: str) -> None:
    """A model trained on deskewed digits: the steps end with the deskewed 28x28 input, the
    caption gives the slant in the page's number format, and the saliency map is drawn over
    the deskewed digit (the one its gradient is about)."""
    from convviz.digits import preprocess_canvas
    from convviz.digits.deskew import deskew, slant
    from convviz.i18n import fmt_number, translate

    CANVAS["image"] = drawing([(110, 40), (175, 240)])  # a 1 whose foot lies to the right
    image = preprocess_canvas(CANVAS["image"])
    alpha = slant(image)
    assert alpha > 0.2  # the column grows with the row: a positive slant
    for deskews, n_steps in ((False, 4), (True, 5)):
        at = _open(lang, state={"trained_model": build_model("small", seed=3, deskew=deskews)})
        at.radio(key="digit_model_choice").set_value("mine").run()
        assert not at.exception
        captions = [img.caption for el in at.get("image") for img in el.proto.imgs]
        assert len(captions) == n_steps, captions
        said = " ".join(c.value for c in at.caption)
        assert (translate("digit.deskew_caption", lang, a=fmt_number(alpha, lang, 2)) in said) == deskews
        pictures = [plotly_array(f["data"][0]["z"]) for f in figures(at)
                    if [t["type"] for t in f["data"]] == ["heatmap", "heatmap"] and f["data"][0].get("zmax") == 255]
        # the saliency figure (the input beside its gradient) and the inspector's receptive
        # field (the input beside the drawing) both show the network's input
        assert len(pictures) == 2
        for shown in pictures:
            np.testing.assert_array_equal(shown, deskew(image) if deskews else image)
        named = [translate(k, lang) in json.dumps(figures(at), ensure_ascii=False)
                 for k in ("explain.col_input_deskewed", "explain.input28_deskewed")]
        assert named == [deskews, deskews]  # the overview's and the field's input say so

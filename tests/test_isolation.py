"""Two visitors of one server: nothing one uploads, edits or trains is visible to the other.

Two AppTest sessions in one process share everything a server shares (st.cache_data,
st.cache_resource, module globals); each has its own session state, as two browser tabs.
(tests/test_load_nginx.py checks the same through real websockets and nginx.)
"""

from __future__ import annotations

import io
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

from convviz.arithmetic.presets import get_preset  # noqa: E402
from convviz.nn import build_model  # noqa: E402

CANVAS: dict[str, object] = {"image": None}


def _open(page: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "markdown", "info", "subheader")
                     for e in getattr(at, kind))


def _png(width: int, height: int) -> bytes:
    img = np.zeros((height, width, 3), np.uint8)
    img[:, width // 2:] = 255
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def test_an_uploaded_image_stays_in_its_session() -> None:
    a, b = _open("pages/filter_lab.py"), _open("pages/filter_lab.py")
    a.radio(key="flt_source").set_value("upload").run()
    a.file_uploader(key="flt_upload").set_value(("mine.png", _png(1000, 1200), "image/png")).run()
    assert "1000 x 1200 pixels" in _texts(a)
    b.radio(key="flt_source").set_value("upload").run()
    assert any("No file uploaded yet" in i.value for i in b.info)
    assert "1000 x 1200" not in _texts(b)
    assert not b.session_state["flt_upload"]


def test_an_edited_network_stays_in_its_session() -> None:
    a, b = _open("pages/architecture.py"), _open("pages/architecture.py")
    before_b = b.session_state["arch_spec"]
    a.selectbox(key="arch_preset").set_value("lenet5").run()
    a.button(key="arch_reload").click().run()
    a.selectbox(key="arch_layer").set_value("layers.0").run()
    area = next(t for t in a.text_area if t.key.startswith("arch_args_"))
    args = json.loads(area.value)
    args["out_channels"] = 13
    area.input(json.dumps(args)).run()
    a.button(key="arch_apply").click().run()
    assert a.session_state["arch_spec"]["layers"][0]["out_channels"] == 13
    b.run()
    assert b.session_state["arch_spec"] == before_b
    assert b.session_state["arch_spec"] != a.session_state["arch_spec"]
    assert get_preset("lenet5")["layers"][0]["out_channels"] != 13  # the shared preset is untouched


@pytest.fixture
def stub_canvas(monkeypatch: pytest.MonkeyPatch):
    module = types.ModuleType("streamlit_drawable_canvas")
    module.st_canvas = lambda **kwargs: types.SimpleNamespace(image_data=CANVAS["image"], json_data=None)
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", module)
    img = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(img).line([(140, 40), (140, 240)], fill=(255, 255, 255, 255), width=20)
    CANVAS["image"] = np.asarray(img).copy()


def _probabilities(at: AppTest) -> list:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [(t.get("x"), t.get("y")) for s in specs for t in s["data"] if t.get("type") == "bar"][:1]


@pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="assets/digit_cnn.npz not trained yet")
def test_a_trained_model_stays_in_its_session(stub_canvas) -> None:
    mine = build_model("small", seed=3)  # a model as the Training lab leaves it in session state
    a = _open("pages/draw_digit.py", {"trained_model": mine})
    shipped_answer = _probabilities(a)
    assert shipped_answer and shipped_answer[0][1]  # a bar chart of the answer is there
    a.radio(key="digit_model_choice").set_value("mine").run()
    assert not a.exception
    assert _probabilities(a) != shipped_answer  # A sees its own model's answer
    b = _open("pages/draw_digit.py")
    assert "trained_model" not in b.session_state
    assert not [r for r in b.radio if r.key == "digit_model_choice"]  # nothing to choose
    assert _probabilities(b) == shipped_answer  # B's analysis is the shipped model's, not A's


def test_a_models_cache_key_is_its_content_not_its_id() -> None:
    from pages.ui.digit_widgets import model_key

    model = build_model("small", seed=3)
    key = model_key(model)
    assert model_key(build_model("small", seed=3)) == key  # same content, other object: same
    last = list(model.params().values())[-2]
    last[...] += 0.5  # another model in the same object (same id, same first weights)
    assert model_key(model) != key
    # the same weights behind a deskewing input are another model: other answers, other figures
    assert model_key(build_model("small", seed=3, deskew=True)) != key

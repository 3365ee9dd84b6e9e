"""The Receptive-field page in AppTest: each preset loads and shows the engine's field for the
chosen unit; a grid click picks the unit; dilation inputs are validated; the ERF is shown for
small networks and refused with a message for large ones."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import convviz  # noqa: E402
from convviz.arithmetic.presets import list_presets  # noqa: E402
from tests._numbers import parse_number  # noqa: E402
from tests.apptest_helpers import open_page, plotly_array  # noqa: E402


@pytest.fixture(scope="module")
def at() -> AppTest:
    return open_page("pages/receptive_field.py")


def _expect(app: AppTest, name: str, lang: str = "en") -> None:
    """The metrics and the sentence give the engine's field, read back in ``lang``'s number
    format (Spanish: start "2,5; 2,5", centre "(centro en 9,5; 13,5)")."""
    summary = convviz.summarize(name)
    row = summary.row(app.session_state["rf_layer"])
    rf = row.receptive_field
    i, j = app.session_state["rf_i"], app.session_state["rf_j"]
    size, jump, start = (m.value for m in app.metric)
    assert [parse_number(v, lang) for v in size.split(" × ")] == list(rf.size)
    assert [parse_number(v, lang) for v in jump.split(" × ")] == list(rf.jump)
    assert [parse_number(v, lang) for v in start.split(", " if lang == "en" else "; ")] == list(rf.start)
    (top, bottom), (left, right) = rf.bounds(i, j)
    text = " ".join(m.value for m in app.markdown)
    assert f"**{top} … {bottom}**" in text and f"**{left} … {right}**" in text
    centre = re.search(r"\((?:centre at|centro en) ([^)]*)\)", text).group(1)  # "9.5, 13.5" / "9,5; 13,5"
    cy, cx = (rf.start[0] + i * rf.jump[0], rf.start[1] + j * rf.jump[1])
    assert [parse_number(v, lang) for v in centre.split(", " if lang == "en" else "; ")] == [cy, cx]


@pytest.mark.parametrize("name", list_presets())
def test_each_preset_shows_the_engine_field(at: AppTest, name: str) -> None:
    at.selectbox(key="rf_net").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    if not at.metric:  # a network without feature maps says so
        assert at.warning
        return
    _expect(at, name)


def test_unit_sliders_and_grid_click_move_the_field(at: AppTest) -> None:
    at.selectbox(key="rf_net").set_value("lenet5").run()
    at.selectbox(key="rf_layer").set_value("layers.3").run()
    at.slider(key="rf_i").set_value(2).run()
    at.slider(key="rf_j").set_value(7).run()
    _expect(at, "lenet5")
    image = json.loads(at.get("plotly_chart")[0].proto.spec)
    rect = [s for s in image["layout"]["shapes"] if s["line"].get("dash") == "dash"][0]
    (top, bottom), (left, right) = convviz.summarize("lenet5").row("layers.3").receptive_field.bounds(2, 7)
    assert (rect["x0"], rect["x1"], rect["y0"], rect["y1"]) == (left - 0.5, right + 0.5, top - 0.5, bottom + 0.5)
    # a click on the grid (a plotly selection event) picks the unit
    at.session_state["rf_grid"] = {"selection": {"points": [{"x": 4, "y": 1}]}}
    at.run()
    assert (at.session_state["rf_i"], at.session_state["rf_j"]) == (1, 4)
    _expect(at, "lenet5")


def test_growth_chart_follows_the_engine(at: AppTest) -> None:
    at.selectbox(key="rf_net").set_value("vgg16").run()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    growth = next(c for c in charts if len(c["data"]) >= 3 and c["data"][0].get("mode") == "lines+markers")
    sizes = [r.receptive_field.size[0] for r in convviz.summarize("vgg16").layers if r.receptive_field is not None]
    assert plotly_array(growth["data"][0]["y"]).tolist() == sizes


def test_dilation_versus_stacking(at: AppTest) -> None:
    at.selectbox(key="rf_net").set_value("lenet5").run()
    at.text_input(key="rf_dil_a").input("1,1,1").run()
    at.text_input(key="rf_dil_b").input("2, 2, 2").run()
    table = next(d.value for d in at.dataframe)
    assert list(table.iloc[:, 3]) == ["7 × 7", "13 × 13"]
    assert list(table.iloc[:, 4]) == [0, 120]
    assert table.iloc[0, 1] == table.iloc[1, 1] == f"{3 * (16 * 16 * 9 + 16):,}"
    assert table.iloc[0, 2] == table.iloc[1, 2]
    assert parse_number(table.iloc[0, 2], "en") == 3 * 16 * 16 * 9 * 64 * 64  # MACs: no bias
    at.text_input(key="rf_dil_b").input("1, zero").run()
    assert any("1, zero" in e.value for e in at.error)
    assert not at.exception
    at.text_input(key="rf_dil_b").input("1, 2, 4").run()
    assert not at.error


def test_erf_for_a_small_network_and_a_message_for_a_large_one(at: AppTest) -> None:
    at.selectbox(key="rf_net").set_value("lenet5").run()
    at.selectbox(key="rf_layer").set_value("layers.3").run()
    at.radio(key="rf_erf_w").set_value("uniform").run()
    heat = [json.loads(c.proto.spec) for c in at.get("plotly_chart")][-1]
    assert heat["data"][0]["type"] == "heatmap"
    assert not at.warning
    at.selectbox(key="rf_net").set_value("vgg16").run()
    assert any("too large" in w.value for w in at.warning)
    assert not at.exception


def test_upload_of_a_bad_file_shows_an_error(at: AppTest) -> None:
    at.selectbox(key="rf_net").set_value("lenet5").run()
    at.file_uploader(key="rf_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert at.error and not at.exception
    assert at.metric  # the rest of the page is still there
    at.file_uploader(key="rf_upload").set_value(None).run()


def test_spanish_ui_writes_numbers_the_spanish_way() -> None:
    app = open_page("pages/receptive_field.py", "es")
    app.selectbox(key="rf_net").set_value("lenet5").run()
    app.selectbox(key="rf_layer").set_value("layers.2").run()  # start 2.5: a decimal comma
    app.slider(key="rf_i").set_value(3).run()
    assert app.metric[2].value == "2,5; 2,5"
    _expect(app, "lenet5", "es")
    table = next(d.value for d in app.dataframe)
    assert table.iloc[0, 1] == "6.960"  # 3 x (16*16*9 + 16) parameters
    assert table.iloc[0, 2] == "28.311.552"  # 3 x 16*16*9 x 64*64 MACs
    assert not app.exception


def test_broken_upload_is_explained_in_spanish() -> None:
    app = open_page("pages/receptive_field.py", "es")
    app.file_uploader(key="rf_upload").set_value(("roto.png", b"\x89PNG\r\n\x1a\n basura", "image/png")).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "la imagen está truncada o dañada (el contenido del archivo no es una imagen que Pillow pueda leer)."]
    assert app.get("plotly_chart")  # the sample image is used instead

"""The animation panel in AppTest: a grid of settings on the Layer-arithmetic page (valid and
invalid), the gallery, the value sources, picks, and the panel on its own with bad settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.animation.gallery import GALLERY  # noqa: E402
from convviz.arithmetic.layer_calc import LayerSettings  # noqa: E402
from pages.ui.layer_widgets import DEFAULTS, layer_from_state, widget_values  # noqa: E402

PAGE = "pages/layer_arithmetic.py"


def _page(**state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at


def _spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no animation figure"
    return json.loads(charts[-1].proto.spec)


def _no_crash(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


GRID = [
    ({"arith_op": "conv", "arith_h": 9, "arith_w": 9}, 49),
    ({"arith_op": "conv", "arith_h": 7, "arith_w": 7, "arith_sh": 2, "arith_sw": 2,
      "arith_ph": 1, "arith_pw": 1}, 16),
    ({"arith_op": "conv", "arith_h": 7, "arith_w": 7, "arith_dh": 2, "arith_dw": 2}, 9),
    ({"arith_op": "conv", "arith_h": 5, "arith_w": 6, "arith_pad_mode": "same"}, 30),
    ({"arith_op": "convt", "arith_h": 3, "arith_w": 3, "arith_sh": 2, "arith_sw": 2,
      "arith_ph": 1, "arith_pw": 1, "arith_oph": 1, "arith_opw": 1}, 9),
    ({"arith_op": "maxpool", "arith_h": 6, "arith_w": 6, "arith_kh": 2, "arith_kw": 2,
      "arith_sh": 2, "arith_sw": 2}, 9),
    ({"arith_op": "avgpool", "arith_h": 5, "arith_w": 5, "arith_kh": 2, "arith_kw": 2,
      "arith_sh": 2, "arith_sw": 2, "arith_ceil": True, "arith_cip": False}, 9),
]


@pytest.mark.parametrize(("state", "frames"), GRID)
def test_grid_of_settings_animates(state, frames) -> None:
    at = _page(**state)
    _no_crash(at)
    spec = _spec(at)
    assert len(spec["frames"]) == frames
    assert len(spec["layout"]["sliders"][0]["steps"]) == frames
    labels = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert "Play" in labels and "Pause" in labels
    assert any(b.key == "anim_download" for b in at.get("download_button"))


def test_9x9_figure_is_under_300_kb() -> None:
    at = _page(arith_op="conv", arith_h=9, arith_w=9)
    assert len(at.get("plotly_chart")[-1].proto.spec) < 300_000


@pytest.mark.parametrize(
    "state",
    [
        {"arith_op": "conv", "arith_h": 20, "arith_w": 20},  # over the animation cap
        {"arith_op": "conv", "arith_kh": 9, "arith_kw": 9, "arith_h": 12, "arith_w": 12},
        {"arith_op": "conv", "arith_h": 3, "arith_w": 3, "arith_kh": 5, "arith_kw": 5},
        {"arith_op": "convt", "arith_h": 16, "arith_w": 16, "arith_kh": 7, "arith_kw": 7,
         "arith_sh": 4, "arith_sw": 4},  # canvas too large to draw
        {"arith_op": "convt", "arith_sh": 2, "arith_sw": 2, "arith_oph": 3, "arith_opw": 3},
        {"arith_op": "maxpool", "arith_kh": 2, "arith_kw": 2, "arith_ph": 2, "arith_pw": 2},
    ],
)
def test_invalid_settings_show_a_message_and_keep_the_settings(state) -> None:
    at = _page(**state)
    _no_crash(at)
    messages = [m.value for m in at.warning] + [m.value for m in at.error]
    assert messages, "no explanation shown"
    for key, value in state.items():
        assert at.session_state[key] == value
    if state.get("arith_h") == 20:
        assert any("16x16" in m for m in messages)
        assert not at.get("plotly_chart")


def test_gallery_buttons_set_the_page_settings() -> None:
    at = _page()
    assert at.button_group(key="anim_gallery").value is None
    at.button_group(key="anim_gallery").set_value("padding_strides_odd_t").run()
    _no_crash(at)
    for key, value in widget_values(GALLERY["padding_strides_odd_t"]).items():
        assert at.session_state[key] == value
    assert len(_spec(at)["frames"]) == 9  # scatter view: one step per input cell (3x3)
    assert any("same 6x6 output" in i.value for i in at.info)
    at.radio(key="anim_view").set_value("direct").run()
    _no_crash(at)
    assert len(_spec(at)["frames"]) == 36
    at.button_group(key="anim_gallery").set_value("same_padding").run()
    assert at.session_state["arith_pad_mode"] == "same" and at.session_state["arith_op"] == "conv"
    assert at.button_group(key="anim_gallery").value is None  # the pick is cleared: a second click works
    _no_crash(at)


def test_lecture_numbers_and_flip() -> None:
    at = _page(arith_op="conv", arith_h=5, arith_w=5)
    spec = _spec(at)
    last = spec["frames"][-1]["data"]
    out_text = last[3]["text"]
    assert out_text == ["4", "3", "4", "2", "4", "3", "2", "3", "4"]
    assert "1×1 + 1×0 + 1×1" in spec["frames"][0]["data"][5]["text"][0]
    at.toggle(key="anim_flip").set_value(True).run()
    _no_crash(at)
    assert "rotated 180" in json.dumps(_spec(at)["layout"]["annotations"])


def test_value_sources_text_grid_random_and_bad_text() -> None:
    at = _page(arith_op="conv", arith_h=4, arith_w=4, arith_kh=2, arith_kw=2)
    at.session_state["anim_values"] = "random"
    at.session_state["anim_seed"] = 7
    at.run()
    _no_crash(at)
    assert len(_spec(at)["frames"]) == 9
    at.session_state["anim_values"] = "text"
    at.run()
    _no_crash(at)
    at.text_area(key="anim_text_in_4x4").set_value("1 2 3 4\n5 6 7 8\n1 1 1 1\n0 0 0 1").run()
    at.text_area(key="anim_text_k_2x2").set_value("1 0\n0 -1").run()
    _no_crash(at)
    first = _spec(at)["frames"][0]["data"][5]["text"][0]
    assert "= -5" in first  # 1×1 + 2×0 + 5×0 + 6×(-1)
    at.text_area(key="anim_text_in_4x4").set_value("1 2 3\n4 5").run()
    _no_crash(at)
    assert any("same number" in e.value for e in at.error)
    assert at.session_state["arith_h"] == 4
    at.text_area(key="anim_text_in_4x4").set_value("1 2 3 4\n5 6 7 8\n1 1 1 1\n0 0 0 1e308").run()
    _no_crash(at)
    assert any("too large" in e.value for e in at.error)  # not an animation of inf values
    at.session_state["anim_values"] = "grid"
    at.run()
    _no_crash(at)
    assert len(_spec(at)["frames"]) == 9


def test_picks_highlight_cells() -> None:
    at = _page(arith_op="conv", arith_h=5, arith_w=5, arith_ph=1, arith_pw=1)
    at.session_state["anim_pick"] = "input"
    at.run()
    _no_crash(at)
    spec = _spec(at)
    assert "is read by 1 output cell" in json.dumps(spec["layout"]["annotations"])  # corner pad
    at.session_state["anim_pick"] = "output"
    at.session_state["anim_pick_or"] = 2
    at.session_state["anim_pick_oc"] = 3
    at.run()
    _no_crash(at)
    spec = _spec(at)
    assert spec["layout"]["sliders"][0]["active"] == 2 * 5 + 3
    # a stale pick beyond the new output is clamped, not a crash
    at.session_state["arith_h"] = 3
    at.session_state["arith_w"] = 3
    at.run()
    _no_crash(at)


def test_spanish_labels() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "es"
    at.run()
    at.switch_page(PAGE).run()
    _no_crash(at)
    spec = _spec(at)
    assert "Reproducir" in [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert "entrada" in json.dumps(spec["layout"]["annotations"])


def test_gallery_cases_in_widget_keys_and_back() -> None:
    """Each gallery layer written into the page's widgets reads back as the same layer
    (channels, groups and bias keep the page's values)."""
    for key, layer in GALLERY.items():
        values = widget_values(layer)
        assert set(values) == {"arith_op", "arith_h", "arith_w", "arith_kh", "arith_kw", "arith_sh",
                               "arith_sw", "arith_ph", "arith_pw", "arith_dh", "arith_dw",
                               "arith_oph", "arith_opw", "arith_ceil", "arith_cip",
                               "arith_pad_mode"}
        assert values["arith_pad_mode"] in ("number", "same", "valid")
        back = layer_from_state(layer.op, {**DEFAULTS, **values})
        assert (back.output_size(), back.padding_pairs()) == (layer.output_size(), layer.padding_pairs()), key
    assert widget_values(GALLERY["same_padding"])["arith_pad_mode"] == "same"


def _standalone(layer) -> None:  # source run by AppTest: no names from this module
    import streamlit as st

    from pages.ui.animation_panel import render_animation

    st.session_state.setdefault("lang", "en")
    render_animation(layer)


@pytest.mark.parametrize(
    "layer",
    [
        LayerSettings(op="conv", h="seven", w=5),
        LayerSettings(op="conv", h=5, w=5, stride=(0, 1)),
        LayerSettings(op="nope", h=5, w=5),
        LayerSettings(op="convt", h=16, w=16, kernel=(7, 7), stride=(5, 5)),
        LayerSettings(op="avgpool", h=2, w=2, kernel=(3, 3), stride=(1, 1)),
    ],
)
def test_render_animation_alone_is_defensive(layer) -> None:
    at = AppTest.from_function(_standalone, args=(layer,), default_timeout=60)
    at.run()
    _no_crash(at)
    assert at.warning or at.error


# ------------------------------------------------------------------ layout (phone / projector)
def _fig(h=5, k=3, **kw):
    from convviz.animation.frames import build_animation
    from convviz.animation.values import lecture_values
    from convviz.figures.animation import build_animation_figure

    x, kern = lecture_values(h, h, k, k)
    anim = build_animation(LayerSettings(op="conv", h=h, w=h, kernel=(k, k)), x, kern)
    return json.loads(build_animation_figure(anim, **kw).to_json())


def _text_px(text: str, size: int) -> float:
    """Width in pixels in DejaVu Sans (wider than the browser's Open Sans / Arial)."""
    from PIL import ImageFont

    return ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size).getlength(text)


@pytest.mark.parametrize(("width_px", "stacked", "h", "k"),
                         [(340, True, 5, 3), (340, True, 9, 3), (340, True, 16, 7),
                          (780, None, 5, 3), (780, None, 9, 3), (780, None, 16, 7)])
def test_figure_fits_its_width_with_no_empty_band(width_px, stacked, h, k) -> None:
    from convviz.figures.animation import BUTTONS_PX, MIN_FONT, SLIDER_PX

    fig = _fig(h, k, width_px=width_px, stacked=stacked)
    lay = fig["layout"]
    x0, x1 = lay["xaxis"]["range"]
    y1, y0 = lay["yaxis"]["range"]
    plot_h = lay["height"] - BUTTONS_PX - SLIDER_PX
    # equal x and y scale: the y span drawn in plot_h pixels at width_px / x-span px per cell
    assert abs((y1 - y0) * width_px / (x1 - x0) - plot_h) <= 2
    # every panel inside the x range
    cells = [t for t in fig["data"] if t.get("fill") == "toself"]
    xs = [v for t in cells for v in t["x"] if v is not None]
    assert x0 <= min(xs) and max(xs) <= x1
    # the step's computation: every line of every frame fits the width; same font size
    eq = [t for t in fig["data"] if t["name"] == "equation"][0]
    size = eq["textfont"]["size"]
    assert size >= 13
    left_px = (eq["x"][0] - x0) * width_px / (x1 - x0)
    for frame in fig["frames"]:
        for line in frame["data"][5]["text"][0].split("<br>"):
            assert left_px + _text_px(line, size) <= width_px, line
    # legible numbers
    assert all(t["textfont"]["size"] >= MIN_FONT for t in fig["data"] if t["name"] == "in_text")
    assert lay["height"] <= (780 if width_px < 500 else 1000) or h == 16


def test_compact_layout_stacks_input_kernel_output() -> None:
    fig = _fig(5, 3, width_px=340, stacked=True)
    ann = fig["layout"]["annotations"]
    assert [a["x"] for a in ann[:3]] == [0.0, 0.0, 0.0]  # one column
    ys = [a["y"] for a in ann[:3]]
    assert ys[0] < ys[1] < ys[2]  # input above kernel above output
    assert ys[1] > 5 and ys[2] > 5 + 3  # below the 5 input rows / the 3 kernel rows
    assert "input 5x5" in ann[0]["text"] and "kernel 3x3" in ann[1]["text"]
    wide = _fig(5, 3, width_px=780)
    assert wide["layout"]["annotations"][2]["x"] > 5 + 3  # side by side
    # many steps: the slider's tick numbers hidden on a phone (they would overlap)
    slider = _fig(9, 3, width_px=340, stacked=True)["layout"]["sliders"][0]
    assert slider["font"]["color"] == "rgba(0,0,0,0)" and slider["currentvalue"]["font"]["color"]


def test_cells_are_clickable_markers() -> None:
    fig = _fig(5, 3, width_px=780)
    hits = {t["name"]: t for t in fig["data"] if t["name"].startswith("hit_")}
    assert len(hits["hit_0"]["customdata"]) == 25 and len(hits["hit_1"]["customdata"]) == 9
    assert [1, 1, 2] in hits["hit_1"]["customdata"]
    # the marker of output (1, 2) sits in the middle of that cell of the output panel
    k = hits["hit_1"]["customdata"].index([1, 1, 2])
    out_x = [a for a in fig["layout"]["annotations"] if "output" in a["text"]][0]["x"]
    assert hits["hit_1"]["x"][k] == out_x + 2.5 and hits["hit_1"]["y"][k] == 1.5


def test_compact_toggle_on_the_page() -> None:
    at = _page(arith_op="conv", arith_h=5, arith_w=5)
    assert at.session_state["anim_compact"] is False  # AppTest has no phone User-Agent
    at.toggle(key="anim_compact").set_value(True).run()
    _no_crash(at)
    ann = _spec(at)["layout"]["annotations"]
    assert [a["x"] for a in ann[:3]] == [0.0, 0.0, 0.0]
    assert any("1×1 + 1×0 + 1×1" in m.value for m in at.markdown)  # every step, on the page


def _click_script(customdata: list) -> None:
    import streamlit as st

    from pages.ui.animation_panel import _on_click

    st.session_state.setdefault("anim_chart_n", 0)
    if "clicked" not in st.session_state:
        st.session_state["fake_chart"] = {"selection": {"points": [{"customdata": customdata}]}}
        _on_click("fake_chart", (1, 1), (6, 6))
        st.session_state["clicked"] = True
    st.write("done")


@pytest.mark.parametrize(("customdata", "expect"), [
    ([1, 3, 4], {"anim_pick": "output", "anim_pick_or": 2, "anim_pick_oc": 3}),  # crop (1, 1)
    ([0, 0, 5], {"anim_pick": "input", "anim_pick_ir": 0, "anim_pick_ic": 5}),
    ([1, 0, 0], {}),  # a cropped canvas cell: nothing picked
])
def test_a_click_on_a_cell_picks_it(customdata, expect) -> None:
    at = AppTest.from_function(_click_script, args=(customdata,), default_timeout=60)
    at.run()
    _no_crash(at)
    for key, value in expect.items():
        assert at.session_state[key] == value
    assert at.session_state["anim_chart_n"] == (1 if expect else 0)
    if not expect:
        assert "anim_pick" not in at.session_state

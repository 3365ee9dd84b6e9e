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

from convviz.frames import GALLERY, apply_gallery_case  # noqa: E402

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
    case = next(c for c in GALLERY if c.key == "padding_strides_odd_t")
    next(b for b in at.button if b.key == f"anim_case_{case.key}").click()
    at.run()
    _no_crash(at)
    for key, value in apply_gallery_case(case).items():
        assert at.session_state[key] == value
    assert len(_spec(at)["frames"]) == 9  # scatter view: one step per input cell (3x3)
    assert any("same 6x6 output" in i.value for i in at.info)
    at.radio(key="anim_view").set_value("direct").run()
    _no_crash(at)
    assert len(_spec(at)["frames"]) == 36
    next(b for b in at.button if b.key == "anim_case_same_padding").click()
    at.run()
    assert at.session_state["arith_pad_mode"] == "same" and at.session_state["arith_op"] == "conv"
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


def _standalone(op: str, settings: dict) -> None:
    import streamlit as st

    from pages._animation_panel import render_animation

    st.session_state.setdefault("lang", "en")
    render_animation(op, settings)


@pytest.mark.parametrize(
    ("op", "settings"),
    [
        ("conv", {"h": "seven", "w": 5, "kh": 3, "kw": 3}),
        ("conv", {"h": 5, "w": 5, "kh": 3, "kw": 3, "sh": 0}),
        ("nope", {"h": 5, "w": 5}),
        ("convt", {"h": 16, "w": 16, "kh": 7, "kw": 7, "sh": 5, "sw": 5}),
        ("avgpool", {"h": 2, "w": 2, "kh": 3, "kw": 3, "sh": 1, "sw": 1}),
    ],
)
def test_render_animation_alone_is_defensive(op, settings) -> None:
    at = AppTest.from_function(_standalone, args=(op, settings), default_timeout=60)
    at.run()
    _no_crash(at)
    assert at.warning or at.error

"""Issue 12 in the pages (AppTest): every hostile value the attack typed or uploaded gets a
message in the page, never an exception; the previous network and settings are kept.

Values are sent with ``set_value`` (not ``input``), so a text longer than the box's
``max_chars`` reaches the page as a hostile client could send it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic import limits as L  # noqa: E402
from convviz.arithmetic.presets import get_preset  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402

DEEP = "[" * 1_000 + "]" * 1_000
DEEPER = "[" * 100_000 + "]" * 100_000
HUGE_INT = "9" * 4_301


def _no_crash(at: AppTest) -> None:
    assert not at.exception, [e.value[:300] for e in at.exception]


def _args_area(app: AppTest):
    return next(t for t in app.text_area if t.key.startswith("arch_args_"))


@pytest.fixture(scope="module")
def arch() -> AppTest:
    return open_page("pages/architecture.py")


@pytest.mark.parametrize("text", [
    '{"output_size": ' + DEEP + "}", '{"output_size": ' + DEEPER + "}",
    '{"out_channels": ' + HUGE_INT + ', "kernel_size": 5}', "x" * (L.MAX_TEXT_CHARS + 1),
    '{"out_channels": 1000000000000000000, "kernel_size": 5}', '{"out_channels": NaN}', '{"\\ud800": 1}',
])
def test_architecture_arguments_box(arch: AppTest, text: str) -> None:
    before = arch.session_state["arch_spec"]
    arch.selectbox(key="arch_layer").set_value("layers.0").run()
    _args_area(arch).set_value(text).run()
    arch.button(key="arch_apply").click().run()
    _no_crash(arch)
    assert arch.error and arch.session_state["arch_spec"] == before
    assert len(arch.error[0].value) < 1_000


def test_architecture_resnet_avgpool_ten_million(arch: AppTest) -> None:
    arch.selectbox(key="arch_preset").set_value("resnet18").run()
    arch.button(key="arch_reload").click().run()
    path = next(f"layers.{i}" for i, layer in enumerate(get_preset("resnet18")["layers"])
                if layer["type"] == "AdaptiveAvgPool2d")
    arch.selectbox(key="arch_layer").set_value(path).run()
    _args_area(arch).set_value('{"output_size": 10000000}').run()
    arch.button(key="arch_apply").click().run()
    _no_crash(arch)
    assert "65,536" in arch.error[0].value
    assert arch.session_state["arch_spec"] == get_preset("resnet18")


def _nested_residuals(depth: int) -> bytes:
    head, tail = '{"type": "Residual", "body": [', "]}"
    return ('{"input": [1, 8, 8], "layers": [' + head * depth + '{"type": "ReLU"}' + tail * depth + "]}").encode()


@pytest.mark.parametrize("data", [
    ('{"input": [1, 8, 8], "layers": ' + DEEPER + "}").encode(), _nested_residuals(250), _nested_residuals(500),
    ('{"input": [1, 8, 8], "layers": [{"type": "Conv2d", "out_channels": ' + HUGE_INT + ', "kernel_size": 1}]}').encode(),
    b'{"input": [1, 100000, 100000], "layers": [{"type": "ReLU"}]}',
    ('{"input": [1, 8, 8], "layers": [' + ", ".join(['{"type": "ReLU"}'] * 100_000) + "]}").encode(),
], ids=["deep-json", "residual-250", "residual-500", "huge-int", "huge-input", "100k-layers"])
def test_architecture_hostile_uploads(arch: AppTest, data: bytes) -> None:
    before = arch.session_state["arch_spec"]
    arch.file_uploader(key="arch_upload").set_value(("net.json", data, "application/json")).run()
    _no_crash(arch)
    assert arch.error and arch.session_state["arch_spec"] == before


def test_lone_surrogates_in_an_upload(arch: AppTest) -> None:
    """``"\\ud800"`` in a spec's name or a layer's type made the page fail while showing it."""
    bad_type = b'{"input": [1, 8, 8], "layers": [{"type": "\\ud800"}]}'
    arch.file_uploader(key="arch_upload").set_value(("t.json", bad_type, "application/json")).run()
    _no_crash(arch)
    assert "\ufffd" in arch.error[0].value
    name = b'{"name": "\\udfff", "input": [1, 8, 8], "layers": [{"type": "ReLU"}]}'
    arch.file_uploader(key="arch_upload").set_value(("n.json", name, "application/json")).run()
    _no_crash(arch)
    assert arch.session_state["arch_spec"]["name"] == "\ufffd"


def test_counts_beyond_int64_are_shown(arch: AppTest) -> None:
    """2^64 multiplications (allowed: the limits bound the work, not the arithmetic) used to
    break the table ("Unable to convert dataframe to Arrow table")."""
    spec = ('{"name": "wide", "input": [65536, 4096, 4096], "layers": [{"type": "Conv2d", '
            '"out_channels": 65536, "kernel_size": 1, "padding": 30000}]}')
    arch.file_uploader(key="arch_upload").set_value(("wide.json", spec.encode(), "application/json")).run()
    _no_crash(arch)
    assert arch.session_state["arch_spec"]["name"] == "wide"
    table = arch.dataframe[0].value
    assert float(table.iloc[0, 4]) == pytest.approx(65536 * 64096**2 * 65536)


def test_receptive_field_page_with_the_largest_input() -> None:
    at = open_page("pages/architecture.py")
    spec = b'{"name": "big", "input": [3, 4096, 4096], "layers": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3}]}'
    at.file_uploader(key="arch_upload").set_value(("big.json", spec, "application/json")).run()
    at.switch_page("pages/receptive_field.py").run()
    _no_crash(at)
    assert at.session_state["rf_net"] == "__current__" or at.selectbox(key="rf_net").set_value("__current__").run()
    _no_crash(at)


@pytest.mark.parametrize("text", [";;;", ";", ",,,", "1 " * (5 * 1024 * 1024), "1;" * 10_000, "1/0", "[[[[",
                                  "1e308 1e308; 1e308 1e308", "-1e13"])
def test_filter_lab_custom_kernel(text: str) -> None:
    at = open_page("pages/filter_lab.py")
    at.selectbox(key="flt_name").set_value("custom").run()
    at.text_area(key="flt_custom").set_value(text).run()
    _no_crash(at)
    assert at.error and len(at.error[0].value) < 1_000


@pytest.mark.parametrize("text", [DEEP, DEEPER, "[[" + HUGE_INT + "]]", "1 " * 1_000_000, ";;;"])
def test_layer_arithmetic_typed_values(text: str) -> None:
    at = open_page("pages/layer_arithmetic.py")
    at.session_state["anim_values"] = "text"
    at.run()
    at.text_area(key="anim_text_in_5x5").set_value(text).run()
    _no_crash(at)
    assert at.error or at.warning


@pytest.mark.parametrize(("section", "key", "text"), [
    ("norm", "concepts_bn_values", "1, " * 1_000_000), ("softmax", "concepts_soft_logits", "9" * 5_000),
    ("softmax", "concepts_soft_logits", "1e308, 1e308"),
])
def test_concepts_number_lists(section: str, key: str, text: str) -> None:
    at = open_page("pages/concepts.py")
    at.radio(key="concepts_section").set_value(section).run()
    at.text_input(key=key).set_value(text).run()
    _no_crash(at)


@pytest.mark.parametrize("text", ["1, " * 1_000_000, "9" * 5_000])
def test_receptive_field_dilations(text: str) -> None:
    at = open_page("pages/receptive_field.py")
    at.text_input(key="rf_dil_b").set_value(text).run()
    _no_crash(at)
    assert at.error and len(at.error[0].value) < 1_000

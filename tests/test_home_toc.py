"""The home page is the lecture's table of contents: every entry is a link that opens its page
set to the lecture's example, and the numbers there are the lecture's (checked against
hand-worked values, not the engine's own formula)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic.presets import get_preset  # noqa: E402
from convviz.i18n import catalog  # noqa: E402
from pages.ui.lecture import toc  # noqa: E402
from pages.ui.registry import PAGES  # noqa: E402
from pages.ui.url_state import query_for  # noqa: E402
from tests.test_url_state import open_with_query  # noqa: E402

SERVED = {file for file, *_ in PAGES}
ENTRIES = [(section, key, page, settings) for section, entries in toc() for key, page, settings in entries]


def test_every_entry_has_a_title_in_both_languages() -> None:
    for lang in ("en", "es"):
        strings = catalog(lang)
        for section, key, _, _ in ENTRIES:
            assert f"home.sec_{section}" in strings and f"home.toc_{key}" in strings, (lang, key)


def test_the_lecture_order_is_kept() -> None:
    sections = [section for section, _ in toc()]
    assert sections[:5] == ["conv", "other", "fc_conv", "activations", "sizes"]
    keys = [key for _, key, _, _ in ENTRIES]
    assert keys.index("stride1") < keys.index("stride2") < keys.index("stride3") < keys.index("padding1") \
        < keys.index("example_16") < keys.index("bottleneck") < keys.index("max_pool") < keys.index("resnet")


def test_every_classic_model_of_the_lecture_has_its_link() -> None:
    """The lecture's "modelos populares", in its order: LeNet-5, AlexNet, VGG, GoogLeNet (and
    its auxiliary outputs), ResNet, ResNeXt, SENet, each opening its Architecture preset."""
    models = dict(toc())["models"]
    assert [key for key, *_ in models] == ["lenet5", "alexnet", "vgg16", "googlenet", "googlenet_aux", "resnet",
                                           "resnext", "senet"]
    assert [settings["preset"] for _, _, settings in models] == [
        "lenet5", "alexnet", "vgg16", "googlenet", "googlenet_aux", "resnet50", "resnext50_32x4d", "seresnet50"]


def test_home_shows_every_served_entry_as_a_link() -> None:
    at = open_with_query("pages/home.py", {}, first={"lang": "es"})
    links = at.get("page_link")
    assert len(links) == sum(1 for *_, page, _ in ENTRIES if page in SERVED)
    first = links[0].proto
    assert first.page == "layer_arithmetic" and "h=5" in first.query_string and "lang=es" in first.query_string
    assert first.label.startswith("Operación lineal a nivel local")


@pytest.mark.parametrize(("section", "key", "page", "settings"), [e for e in ENTRIES if e[2] in SERVED],
                         ids=[e[1] for e in ENTRIES if e[2] in SERVED])
def test_each_link_opens_its_page_without_a_notice(section: str, key: str, page: str, settings: dict) -> None:
    at = open_with_query(page, query_for(page, settings, "en"))
    assert not [w for w in at.warning if "not valid" in str(w.value)]
    for name, value in settings.items():
        if name.startswith(("arith_", "flt_", "concepts_", "train_", "rf_net")):
            assert at.session_state[name] == value, name
        if name == "preset":  # the Architecture page shows that network, unedited
            assert at.session_state["arch_spec"] == get_preset(value), value


def _numbers(at) -> str:  # noqa: ANN001 - an AppTest
    parts = [str(getattr(e, "value", "")) for kind in ("subheader", "markdown", "caption", "metric", "warning")
             for e in at.get(kind)]
    for frame in at.dataframe:
        parts.append(json.dumps(frame.value.astype(str).values.tolist()))
    return "\n".join(parts)


def _open(key: str):  # noqa: ANN202
    _, _, page, settings = next(e for e in ENTRIES if e[1] == key)
    return open_with_query(page, query_for(page, settings, "en"))


@pytest.mark.parametrize(("key", "shape", "params"), [
    ("stride1", "1 x 5 x 5", None), ("stride2", "1 x 3 x 3", None), ("stride3", "1 x 2 x 2", None),
    ("padding1", "1 x 7 x 7", None),
    # 10 filters * (3*3*3 weights + 1 bias) = 280, not the slide's 270
    ("example_16", "10 x 16 x 16", "280"),
    # 6 * (5*5*3 + 1) = 456
    ("six_filters", "6 x 28 x 28", "456"),
    ("max_pool", "1 x 2 x 2", "0"), ("transposed", "1 x 6 x 6", None), ("dilation", "1 x 3 x 3", None),
])
def test_layer_links_show_the_lecture_numbers(key: str, shape: str, params: str | None) -> None:
    at = _open(key)
    assert shape in at.subheader[0].value
    if params is not None:
        assert at.metric[0].value == params
    if key == "stride3":
        assert any("2.33" in str(w.value) for w in at.warning)


def test_bottleneck_link_compares_the_lecture_costs() -> None:
    text = _numbers(_open("bottleneck"))
    # 28*28*16 * 1*1*192 = 2,408,448 and 28*28*32 * 5*5*16 = 10,035,200: 12,443,648 in all;
    # directly 28*28*32 * 5*5*192 = 120,422,400
    assert "12,443,648" in text and "120,422,400" in text


def test_variable_input_link_keeps_the_parameters() -> None:
    at = _open("variable_input")
    assert at.session_state["arch_spec"]["input"] == [3, 64, 64]
    text = _numbers(at)
    assert "456" in text and "6×60×60" in text.replace(" ", "")

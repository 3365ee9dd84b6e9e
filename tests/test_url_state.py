"""Every view is a link: the query string gives the state, the state gives the query string,
and no query string (random, hostile, huge) breaks a page or leaks into another session."""

from __future__ import annotations

import json
import random
import string
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic.presets import get_preset  # noqa: E402
from convviz.arithmetic.share import MAX_TOKEN_CHARS, TokenError, spec_from_token, spec_token  # noqa: E402
from pages.ui.registry import PAGES  # noqa: E402
from pages.ui.url_fields import PAGE_FIELDS, Network  # noqa: E402
from pages.ui.url_state import apply_query, page_query  # noqa: E402

PAGE_FILES = [file for file, *_ in PAGES if (ROOT / file).exists()]
DERIVED = {"pages/receptive_field.py": {"layer", "i", "j"}}
"""Settings the page derives from its data on the first visit (the last layer, the middle
unit): written once the page has chosen them."""


def open_with_query(page: str, query: dict[str, str], first: dict[str, str] | None = None,
                    lang: str | None = None) -> AppTest:
    """app.py run once (with ``first`` as its query string, in ``lang`` when given), then
    ``page`` opened with ``query``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang is not None:
        at.session_state["lang"] = lang
    at.query_params.update(first or {})
    at.run()
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "metric") for e in at.get(kind)
             if isinstance(getattr(e, "value", None), str)]
    return "\n".join(parts)


# ------------------------------------------------------------------ the engine's token
def test_token_round_trip_and_size() -> None:
    spec = get_preset("resnet18")
    token = spec_token(spec)
    assert spec_from_token(token) == spec
    assert len(token) < MAX_TOKEN_CHARS
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")


@pytest.mark.parametrize("bad", ["", "!!!", "a" * (MAX_TOKEN_CHARS + 1), "eJw", spec_token({"layers": 1}),
                                 spec_token([1, 2]), "QUJD"])
def test_token_refuses_junk(bad: str) -> None:
    with pytest.raises(TokenError):
        spec_from_token(bad)


def test_token_refuses_a_zip_bomb() -> None:
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 2_000_000, 9)).decode().rstrip("=")
    assert len(bomb) <= MAX_TOKEN_CHARS
    with pytest.raises(TokenError):
        spec_from_token(bomb)


# ------------------------------------------------------------------ fields, without Streamlit
def _hostile_values(rng: random.Random) -> list[str]:
    return [
        "", " ", "-1", "0", "1e309", "nan", "inf", "-inf", "9" * 5000, "1" * 13, "0x10", "1_000",
        "<script>alert(1)</script>", "'; DROP TABLE x;--", "\x00\x01", "é" * 70, "..", "%00",
        "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 80))),
        str(rng.randint(-10**6, 10**6)), repr(rng.uniform(-1e3, 1e3)), "true", "1,2,3", "[]", "{}",
    ]


@pytest.mark.parametrize("page", sorted(PAGE_FIELDS))
def test_every_field_refuses_hostile_values_without_raising(page: str) -> None:
    rng = random.Random(13)
    fields = PAGE_FIELDS[page]
    for value in _hostile_values(rng):
        for f in fields:
            state: dict[str, object] = {}
            query = {name: value for name in f.params()}
            refused, unknown = apply_query(fields, query, state)
            assert unknown == 0
            out = page_query(fields, state, "en")  # whatever went in, what comes out is valid
            again: dict[str, object] = {}
            assert apply_query(fields, out, again)[0] == [], (f.param, value, out)


def test_out_of_range_and_unknown_give_the_default() -> None:
    fields = PAGE_FIELDS["pages/layer_arithmetic.py"]
    state: dict[str, object] = {"arith_h": 9}
    refused, unknown = apply_query(fields, {"h": "5000", "kh": "3", "zz": "1", "op": "hack"}, state)
    assert sorted(refused) == ["h", "op"] and unknown == 1
    assert state["arith_h"] == 5 and state["arith_op"] == "conv" and state["arith_kh"] == 3


def test_state_to_query_to_state_round_trip() -> None:
    fields = PAGE_FIELDS["pages/layer_arithmetic.py"]
    state = {"arith_op": "convt", "arith_h": 7, "arith_w": 9, "arith_sh": 2, "arith_bias": False,
             "anim_speed": "fast", "arith_kh": 3}
    query = page_query(fields, state, "es")
    assert query == {"lang": "es", "op": "convt", "h": "7", "w": "9", "sh": "2", "bias": "0", "speed": "fast"}
    back: dict[str, object] = {}
    apply_query(fields, query, back)
    assert {k: back[k] for k in state} == state


def test_network_field_round_trip_edited_and_preset() -> None:
    net = Network()
    edited = get_preset("lenet5")
    edited["layers"] = edited["layers"][:3]
    query = net.dump({"arch_spec": edited})
    assert set(query) == {"net"}
    state: dict[str, object] = {}
    assert net.load(query, state) == []
    assert state["arch_spec"] == edited and state["arch_preset"] == "__scratch__"
    assert net.dump({"arch_spec": get_preset("vgg16")}) == {"preset": "vgg16"}
    assert net.dump({"arch_spec": get_preset("lenet5")}) == {}  # the default network
    broken = dict(edited, layers=[{"type": "Conv2d", "out_channels": 4, "kernel_size": 99}])
    assert net.load({"net": spec_token(broken)}, {}) == ["net"]  # the engine refuses it


def test_too_large_network_is_not_written() -> None:
    net = Network()
    rng = random.Random(0)
    spec = {"name": "wide", "input": [3, 32, 32],
            "layers": [{"type": "Conv2d", "out_channels": 3, "kernel_size": 1, "padding": 0,
                        "name": "".join(rng.choice(string.ascii_letters) for _ in range(40))}
                       for i in range(400)]}
    assert net.dump({"arch_spec": spec}) == {}
    assert net.too_large({"arch_spec": spec}) > MAX_TOKEN_CHARS


# ------------------------------------------------------------------ pages in AppTest
@pytest.mark.parametrize("page", PAGE_FILES)
def test_page_at_its_defaults_writes_only_the_language(page: str) -> None:
    at = open_with_query(page, {})
    at.run()  # settings a page derives on its first run are written on the next
    extra = set(at.query_params) - {"lang"} - DERIVED.get(page, set())
    assert not extra, {k: at.query_params[k] for k in extra}


def test_url_gives_the_layer_arithmetic_state() -> None:
    at = open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7", "sh": "2", "sw": "2"})
    assert at.session_state["arith_h"] == 7 and at.session_state["arith_sw"] == 2
    assert "3 x 3" in at.subheader[0].value  # (7 - 3)/2 + 1 = 3
    at = open_with_query("pages/layer_arithmetic.py", {"op": "conv", "h": "16", "w": "16", "cin": "3",
                                                       "cout": "10", "ph": "1", "pw": "1"})
    assert "10 x 16 x 16" in at.subheader[0].value
    assert "280" in [m.value for m in at.metric]


def test_state_gives_the_url() -> None:
    at = open_with_query("pages/layer_arithmetic.py", {})
    at.number_input(key="arith_h").set_value(12).run()
    at.segmented_control(key="arith_op").set_value("maxpool").run()
    assert at.query_params["h"] == "12" and at.query_params["op"] == "maxpool"
    at = open_with_query("pages/filter_lab.py", {})
    at.selectbox(key="flt_name").set_value("sobel_y").run()
    assert at.query_params["f"] == "sobel_y"


def test_a_lagging_url_does_not_undo_a_widget_change() -> None:
    """Quick widget changes: a rerun may carry the URL the page wrote one change ago (the
    browser lags behind). That echo is not a new link; the widget keeps its new value."""
    at = open_with_query("pages/layer_arithmetic.py", {"h": "9"})
    at.number_input(key="arith_h").set_value(12).run()
    stale = dict(at.query_params)
    at.number_input(key="arith_h").set_value(14).run()
    assert at.query_params["h"] == "14"
    at.query_params.clear()
    at.query_params.update(stale)  # h=12, written by the page itself one run ago
    at.run()
    assert at.number_input(key="arith_h").value == 14
    at.query_params.clear()
    at.query_params.update({"h": "9"})  # the link that opened the page comes back too
    at.run()
    assert at.number_input(key="arith_h").value == 14
    at.query_params.clear()
    at.query_params.update({"h": "11"})  # a link never seen in this session is applied
    at.run()
    assert at.number_input(key="arith_h").value == 11


def test_url_gives_the_architecture_network() -> None:
    at = open_with_query("pages/architecture.py", {"preset": "vgg16"})
    assert at.session_state["arch_spec"] == get_preset("vgg16")
    edited = get_preset("lecture_16x16x3")
    edited["layers"].append({"type": "ReLU"})
    at = open_with_query("pages/architecture.py", {"net": spec_token(edited)})
    assert at.session_state["arch_spec"] == edited
    assert at.query_params["net"] == spec_token(edited)
    assert "280" in _texts(at)


def test_url_gives_the_receptive_field_current_network() -> None:
    spec = get_preset("lecture_32x32x3")
    at = open_with_query("pages/receptive_field.py", {"net": spec_token(spec)})
    assert at.session_state["rf_net"] == "__current__" and at.session_state["arch_spec"] == spec


def test_lang_in_the_url_picks_the_language() -> None:
    at = open_with_query("pages/concepts.py", {"sec": "fc_conv"}, first={"lang": "es"})
    assert at.title[0].value == "Conceptos" or "Conceptos" in at.title[0].value
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "xx"
    at.run()
    assert not at.exception and at.title[0].value.startswith("ConvViz")


def test_the_browser_language_decides_without_lang() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context = {"locale": "es-AR"}
    at.run()
    assert not at.exception
    assert at.session_state["lang"] == "es"


def _random_query(rng: random.Random, names: list[str]) -> dict[str, str]:
    values = _hostile_values(rng)
    query = {rng.choice(names): rng.choice(values) for _ in range(rng.randint(1, 6))}
    if rng.random() < 0.3:
        query["".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 20)))] = "x"
    return query


@pytest.mark.parametrize("page", PAGE_FILES)
def test_random_and_hostile_queries_never_raise(page: str) -> None:
    rng = random.Random(page)
    names = [n for f in PAGE_FIELDS.get(page, ()) for n in f.params()] + ["lang"]
    at = open_with_query(page, {})
    for _ in range(6):
        query = _random_query(rng, names)
        at.query_params.clear()
        at.query_params.update(query)
        at.run()
        assert not at.exception, (query, [e.value for e in at.exception])
        json.dumps(dict(at.query_params))  # what is written back is plain text


def test_two_sessions_do_not_share_a_link() -> None:
    a = open_with_query("pages/layer_arithmetic.py", {"h": "11"})
    b = open_with_query("pages/layer_arithmetic.py", {})
    assert a.session_state["arith_h"] == 11 and b.session_state["arith_h"] == 5


def test_training_choices_match_the_page() -> None:
    """The Training lab's select-slider options, as the page declares them, are the link's choices."""
    import ast

    from pages.ui.url_fields import TRAIN

    tree = ast.parse((ROOT / "pages" / "training_lab.py").read_text(encoding="utf-8"))
    lists = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
             and node.targets[0].id in ("LR_VALUES", "BATCH_SIZES", "N_TRAIN", "INIT_SCALES")}
    by_param = {f.param: list(getattr(f, "options", ())) for f in TRAIN}
    assert by_param["lr"] == lists["LR_VALUES"] and by_param["b"] == lists["BATCH_SIZES"]
    assert by_param["n"] == lists["N_TRAIN"] and by_param["init"] == lists["INIT_SCALES"]

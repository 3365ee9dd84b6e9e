"""The "Layer arithmetic" page in AppTest: numbers equal the brute-force reference,
impossible settings give a message (never an exception) and keep the user's settings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests import reference as ref
from tests.apptest_helpers import open_page

PAGE = "pages/layer_arithmetic.py"


@pytest.fixture()
def at() -> AppTest:
    return open_page(PAGE)


def _set(at: AppTest, **values: object) -> AppTest:
    for key, value in values.items():
        at.session_state[f"arith_{key}"] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _reference_shape(op: str, h: int, w: int, k: int, s: int, p: int, d: int, ceil: bool = False) -> tuple[int, int]:
    x = np.ones((1, h, w))
    if op == "conv":
        return ref.conv2d(x, np.ones((1, 1, k, k)), stride=(s, s), padding=(p, p, p, p), dilation=(d, d)).shape[1:]
    if op == "convt":
        return ref.conv_transpose2d(x, np.ones((1, 1, k, k)), stride=(s, s), padding=(p, p), dilation=(d, d)).shape[1:]
    return ref.pool2d(x, "max", (k, k), (s, s), (p, p), (d, d), ceil_mode=ceil).shape[1:]


def test_default_page_shows_shape_formula_and_costs(at: AppTest) -> None:
    # the default is the lecture's example: a 5x5 image, a 3x3 kernel, output 3x3
    assert "1 x 3 x 3" in at.subheader[0].value
    # height and width have the same numbers: one block, the lecture's form above PyTorch's
    block, rule = at.get("latex")  # the size formula, then the lecture's parameter rule
    assert r"\frac{N - F}{S} + 1 = \frac{5 - 3}{1} + 1 = 3" in block.value and r"\lfloor" in block.value
    assert r"(3 \cdot 3 \cdot 1 + 1) \cdot 1 = 10 \cdot 1 = 10" in rule.value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == "10"  # 1*1*3*3 weights + 1 bias
    assert metrics["Multiplications"] == "81"  # 3*3 outputs * 9 taps


@pytest.mark.parametrize(
    ("op", "h", "k", "s", "p", "d", "ceil"),
    [
        (op, h, k, s, p, d, ceil)
        for op, h, k, s, p, d, ceil in itertools.product(
            ["conv", "convt", "maxpool"], [5, 8], [2, 3], [1, 2, 3], [0, 1], [1, 2], [False, True]
        )
        if (op == "maxpool" or not ceil) and (op != "maxpool" or p <= k // 2)
        and d * (k - 1) + 1 <= h + 2 * p
    ][::3],
)
def test_output_shape_matches_reference(at: AppTest, op: str, h: int, k: int, s: int, p: int, d: int, ceil: bool) -> None:
    _set(at, op=op, h=h, w=h, kh=k, kw=k, sh=s, sw=s, ph=p, pw=p, dh=d, dw=d, oph=0, opw=0, ceil=ceil)
    if at.error:  # e.g. transposed output too small: the reference must agree it is empty
        assert op == "convt"
        return
    oh, ow = _reference_shape(op, h, h, k, s, p, d, ceil)
    assert f"x {oh} x {ow}" in at.subheader[0].value


def test_lecture_stride_3_warns_with_the_numbers(at: AppTest) -> None:
    _set(at, op="conv", h=7, w=7, kh=3, kw=3, sh=3, sw=3, ph=0, pw=0)
    assert "1 x 2 x 2" in at.subheader[0].value
    text = " ".join(w.value for w in at.warning)
    assert "2.33" in text and "never read" in text


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"op": "conv", "h": 5, "w": 5, "kh": 6, "kw": 6}, "does not fit"),
        ({"op": "convt", "sh": 2, "sw": 2, "oph": 2, "opw": 0}, "output_padding"),
        ({"op": "maxpool", "kh": 4, "kw": 4, "ph": 3, "pw": 3}, "more than half"),
        ({"op": "conv", "cin": 6, "groups": 4}, "divisible"),
        ({"op": "conv", "pad_mode": "same", "sh": 2}, "stride"),
    ],
)
def test_impossible_settings_explain_and_keep_the_rest(at: AppTest, settings: dict, fragment: str) -> None:
    _set(at, h=9, w=11, cout=8)
    _set(at, **settings)
    assert at.error, "an impossible layer must show a message"
    assert fragment in at.error[0].value
    assert at.session_state["arith_w"] == settings.get("w", 11)
    assert at.session_state["arith_cout"] == 8


def test_spanish_page() -> None:
    at = open_page(PAGE, lang="es")
    _set(at, op="conv", h=5, w=5, kh=6, kw=6)
    assert "no cabe" in at.error[0].value
    at.session_state["arith_kh"] = 3
    at.session_state["arith_kw"] = 3
    at.run()
    assert "Salida" in at.subheader[0].value

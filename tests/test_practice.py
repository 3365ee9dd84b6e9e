"""Practice exercises: the engine's answers against brute-force counts (window positions,
weight arrays, dependency sets), answer parsing, and the page judging answers in AppTest."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.practice import KINDS, LEVELS, check, exercise_set, parse_answer  # noqa: E402
from tests.test_url_state import open_with_query  # noqa: E402

SETS = [(seed, level) for level in LEVELS for seed in range(40)]


def windows(n: int, f: int, s: int, p: int, d: int) -> int:
    """How many placements of a dilated window fit in the zero-padded input, stepping by s."""
    padded = n + 2 * p
    span = d * (f - 1) + 1
    return len(range(0, padded - span + 1, s))


def pool_windows(n: int, f: int, s: int, ceil: bool) -> int:
    if not ceil:
        return len(range(0, n - f + 1, s))
    # ceil_mode: one more window whenever the previous one did not reach the end, starting inside
    starts = [0]
    while starts[-1] + f < n and starts[-1] + s < n:
        starts.append(starts[-1] + s)
    return len(starts)


def field_width(layers: list[dict]) -> int:
    """Input positions one deep unit depends on, found by walking the windows back."""
    positions = {0}
    for layer in reversed(layers):
        f, s, d = layer["f"], layer["s"], layer["d"]
        positions = {o * s + t * d for o in positions for t in range(f)}
    return max(positions) - min(positions) + 1


def transposed_length(n: int, f: int, s: int, p: int, op: int) -> int:
    """Scatter every input cell's kernel into a long row, crop p each side, add output_padding."""
    touched = np.zeros((n - 1) * s + f + 10, dtype=bool)
    for i in range(n):
        touched[i * s: i * s + f] = True
    full = int(np.flatnonzero(touched).max()) + 1
    return full - 2 * p + op


@pytest.mark.parametrize(("seed", "level"), SETS)
def test_answers_match_brute_force(seed: int, level: str) -> None:
    for ex in exercise_set(seed, level):
        v, answer = ex.values, ex.answer[0]
        if ex.kind == "output_size":
            assert answer == windows(v["n"], v["f"], v["s"], v["p"], v["d"])
        elif ex.kind == "same_padding":
            assert [p for p in range(40) if windows(v["n"], v["f"], 1, p, v["d"]) == v["n"]] == [answer]
        elif ex.kind == "tiling_strides":
            last_row = v["n"] + 2 * v["p"] - 1
            expect = [s for s in (1, 2, 3, 4)
                      if (windows(v["n"], v["f"], s, v["p"], 1) - 1) * s + v["f"] - 1 == last_row]
            assert list(ex.answer) == expect
        elif ex.kind == "params":
            weights = np.zeros((v["cout"], v["cin"], v["f"], v["f"]))
            assert answer == weights.size + v["cout"]
        elif ex.kind == "mults":
            side = windows(v["n"], v["f"], v["s"], v["p"], 1)
            assert answer == side * side * v["cout"] * np.zeros((v["cin"], v["f"], v["f"])).size
        elif ex.kind == "receptive_field":
            assert answer == field_width(ex.worked["layers"])
        elif ex.kind == "transposed":
            assert answer == transposed_length(v["n"], v["f"], v["s"], v["p"], v["op"])
        elif ex.kind == "pooling":
            assert answer == pool_windows(v["n"], v["f"], v["s"], bool(v["ceil"]))
        else:
            n = v["n"]
            reduce = n * n * v["mid"] * np.zeros(v["cin"]).size
            conv = n * n * v["cout"] * np.zeros((v["mid"], v["f"], v["f"])).size
            assert answer == reduce + conv


def test_lecture_bottleneck_numbers() -> None:
    from convviz.practice import _conv, _summary

    # the lecture: 28x28x192 -> 1x1 to 16 -> 5x5 to 32: ~2.4M + ~10M = ~12.4M multiplications
    s = _summary([192, 28, 28], [_conv(16, 1), _conv(32, 5, p=2)])
    assert [r.macs for r in s.layers] == [2_408_448, 10_035_200] and s.total_macs == 12_443_648


def test_a_seed_gives_the_same_set_and_sets_differ() -> None:
    assert exercise_set(12, "hard") == exercise_set(12, "hard")
    assert [e.kind for e in exercise_set(3, "easy")] == list(KINDS)
    assert len({tuple(e.answer for e in exercise_set(seed, "medium")) for seed in range(20)}) > 15


@pytest.mark.parametrize(("text", "many", "value"), [
    ("28", False, (28,)), (" 12,443,648 ", False, (12443648,)), ("12.443.648", False, (12443648,)),
    ("12 443 648", False, (12443648,)), ("2.33", False, None), ("abc", False, None), ("", False, None),
    ("1,2", False, None), ("3, 1", True, (1, 3)), ("1 2 4", True, (1, 2, 4)), ("1.5", True, None), ("x", True, None),
    ("9" * 200, False, None),
])
def test_parse_answer(text: str, many: bool, value: tuple[int, ...] | None) -> None:
    assert parse_answer(text, many) == value


def test_check_right_wrong_unreadable() -> None:
    ex = exercise_set(1, "easy")[0]
    assert check(ex, str(ex.answer[0])) is True
    assert check(ex, str(ex.answer[0] + 1)) is False
    assert check(ex, "many") is None


def _submit(at, ident: str, text: str):  # noqa: ANN001, ANN202 - AppTest
    at.text_input(key=f"practice_answer_{ident}").input(text)
    form_buttons = [b for b in at.button if b.proto.is_form_submitter and ident in b.proto.form_id]
    form_buttons[0].click()
    return at.run()


def test_page_judges_answers_against_the_engine() -> None:
    at = open_with_query("pages/practice.py", {"seed": "42", "level": "hard"})
    exercises = exercise_set(42, "hard")
    first, second, tiling = exercises[0], exercises[1], exercises[2]
    _submit(at, f"42:hard:{first.kind}", str(first.answer[0]))
    assert not at.exception
    assert any(str(first.answer[0]) in s.value for s in at.success)
    _submit(at, f"42:hard:{second.kind}", str(second.answer[0] + 1))
    assert any(str(second.answer[0]) in e.value for e in at.error)
    _submit(at, f"42:hard:{tiling.kind}", ", ".join(map(str, reversed(tiling.answer))))
    assert at.metric[0].value == "2 / 3"
    _submit(at, f"42:hard:{exercises[3].kind}", "lots")
    assert at.warning and at.metric[0].value == "2 / 3"
    # the worked solution links to the page that shows it, with its numbers
    links = [e for e in at.get("page_link") if e.proto.page == "layer_arithmetic"]
    assert links and f"h={first.values['n']}" in links[0].proto.query_string


def test_solution_link_opens_the_page_with_the_answer() -> None:
    from urllib.parse import parse_qsl

    at = open_with_query("pages/practice.py", {"seed": "5", "level": "medium"})
    ex = exercise_set(5, "medium")[0]
    _submit(at, f"5:medium:{ex.kind}", "0")
    link = next(e for e in at.get("page_link") if e.proto.page == "layer_arithmetic")
    shown = open_with_query("pages/layer_arithmetic.py", dict(parse_qsl(link.proto.query_string)))
    assert f"x {ex.answer[0]} x {ex.answer[0]}" in shown.subheader[0].value


def test_page_in_spanish() -> None:
    at = open_with_query("pages/practice.py", {"seed": "1"}, first={"lang": "es"})
    assert at.title[0].value == "Práctica"
    assert "¿Cuál es el tamaño de salida" in at.markdown[0].value

"""The lecture's output-size form, filled in, against the lecture's own worked numbers and a
brute-force count of window positions."""

from __future__ import annotations

from convviz.arithmetic.lecture_forms import lecture_form, lecture_value


def positions(n: int, k: int, s: int, p: int, d: int) -> int:
    span = d * (k - 1) + 1
    return len(range(0, n + 2 * p - span + 1, s))


def test_the_lecture_slides() -> None:
    # "N = 7, F = 3: stride 1 => 5, stride 2 => 3, stride 3 => 2.33"; padding 1 keeps 7x7
    assert lecture_form(7, 3, 1).endswith("= 5") and lecture_form(7, 3, 2).endswith("= 3")
    assert lecture_form(7, 3, 3).endswith("= 2.33") and lecture_form(7, 3, 3, lang="es").endswith("= 2{,}33")
    assert r"\frac{N - F}{S}" in lecture_form(7, 3, 1)
    assert r"\frac{N + 2P - F}{S}" in lecture_form(7, 3, 1, p=1) and lecture_form(7, 3, 1, p=1).endswith("= 7")
    # the 16x16x3 example: (16 + 2*1 - 3)/1 + 1 = 16
    assert lecture_form(16, 3, 1, p=1).endswith("= 16")


def test_agrees_with_the_window_count_when_the_windows_tile() -> None:
    for n in range(1, 20):
        for k in range(1, 6):
            for s in range(1, 5):
                for p in range(0, 3):
                    for d in (1, 2):
                        if d * (k - 1) + 1 > n + 2 * p:
                            continue
                        value = lecture_value(n, k, s, p, d)
                        if value.denominator == 1:
                            assert value == positions(n, k, s, p, d)
                        else:  # PyTorch floors: one window fewer than the fraction suggests
                            assert int(value) == positions(n, k, s, p, d)

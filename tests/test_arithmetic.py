"""Per-axis arithmetic against the brute-force loops of tests/reference.py.

The reference never uses the size formulas: its output size is the number of window
positions that fit (or, for the transposed convolution, the size of the scatter canvas)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convviz import SpecError
from convviz.arithmetic import sizes as ar
from tests import reference as ref

SETTINGS = settings(max_examples=60, deadline=None)
small = st.integers(1, 4)


@st.composite
def conv_case(draw: st.DrawFn) -> dict:
    return {
        "n": (draw(st.integers(1, 9)), draw(st.integers(1, 9))),
        "k": (draw(small), draw(small)),
        "s": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "p": (draw(st.integers(0, 3)), draw(st.integers(0, 3))),
        "d": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
    }


@SETTINGS
@given(conv_case())
def test_conv_shape_matches_the_reference_or_is_rejected(c: dict) -> None:
    x = np.ones((1, *c["n"]))
    w = np.ones((1, 1, *c["k"]))
    y = ref.conv2d(x, w, stride=c["s"], padding=(c["p"][0], c["p"][0], c["p"][1], c["p"][1]),
                   dilation=c["d"])
    for axis in range(2):
        args = (c["n"][axis], c["k"][axis], c["s"][axis], c["p"][axis], c["d"][axis])
        if y.shape[1 + axis] == 0:
            with pytest.raises(SpecError, match="does not fit"):
                ar.conv_out(*args)
        else:
            assert ar.conv_out(*args) == y.shape[1 + axis]


@SETTINGS
@given(conv_case(), st.integers(0, 2), st.integers(0, 2))
def test_transposed_conv_shape_matches_the_reference(c: dict, op_h: int, op_w: int) -> None:
    op = (op_h, op_w)
    legal = all(op[a] < max(c["s"][a], c["d"][a]) for a in range(2))
    x = np.ones((1, *c["n"]))
    w = np.ones((1, 1, *c["k"]))
    full = [(c["n"][a] - 1) * c["s"][a] + c["d"][a] * (c["k"][a] - 1) + 1 + op[a] for a in range(2)]
    if not legal:
        for a in range(2):
            if op[a] >= max(c["s"][a], c["d"][a]):
                with pytest.raises(SpecError, match="output_padding must be smaller"):
                    ar.convt_out(c["n"][a], c["k"][a], c["s"][a], c["p"][a], op[a], c["d"][a])
        return
    if any(full[a] - 2 * c["p"][a] < 1 for a in range(2)):
        with pytest.raises(SpecError):
            for a in range(2):
                ar.convt_out(c["n"][a], c["k"][a], c["s"][a], c["p"][a], op[a], c["d"][a])
        return
    y = ref.conv_transpose2d(x, w, stride=c["s"], padding=c["p"], output_padding=op, dilation=c["d"])
    for a in range(2):
        assert ar.convt_out(c["n"][a], c["k"][a], c["s"][a], c["p"][a], op[a], c["d"][a]) == y.shape[1 + a]


@SETTINGS
@given(conv_case(), st.booleans(), st.booleans())
def test_pool_shape_matches_the_reference_including_ceil_mode(c: dict, ceil: bool, default_stride: bool) -> None:
    k = c["k"]
    p = tuple(min(c["p"][a], k[a] // 2) for a in range(2))
    s = k if default_stride else c["s"]
    x = np.arange(float(np.prod(c["n"]))).reshape(1, *c["n"])
    y = ref.pool2d(x, "max", k, s, p, c["d"], ceil_mode=ceil)
    for a in range(2):
        args = (c["n"][a], k[a], None if default_stride else s[a], p[a], c["d"][a], ceil)
        if y.shape[1 + a] == 0:
            with pytest.raises(SpecError):
                ar.pool_out(*args)
        else:
            assert ar.pool_out(*args) == y.shape[1 + a]


def test_pool_padding_more_than_half_the_window_is_rejected() -> None:
    with pytest.raises(SpecError, match="padding 3 is more than half the pooling window 4"):
        ar.pool_out(10, 4, 2, 3)


@SETTINGS
@given(conv_case(), st.integers(1, 2), st.integers(1, 2), st.data())
def test_transposed_conv_is_the_adjoint_of_conv(c: dict, cin: int, cout: int, data: st.DataObject) -> None:
    """<conv(x), y> = <x, convT(y)> with the guide's shape relation: conv maps n to o and
    convT of o with output_padding (n + 2p - d(k-1) - 1) mod s gives n back."""
    n, k, s, p, d = c["n"], c["k"], c["s"], c["p"], c["d"]
    assume(all(n[a] + 2 * p[a] >= d[a] * (k[a] - 1) + 1 for a in range(2)))
    op = tuple((n[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) % s[a] for a in range(2))
    assume(all(op[a] < max(s[a], d[a]) for a in range(2)))  # else PyTorch has no such convT
    out = tuple(ar.conv_out(n[a], k[a], s[a], p[a], d[a]) for a in range(2))
    assert tuple(ar.convt_out(out[a], k[a], s[a], p[a], op[a], d[a]) for a in range(2)) == n
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((cin, *n))
    w = rng.standard_normal((cout, cin, *k))
    y = rng.standard_normal((cout, *out))
    cx = ref.conv2d(x, w, stride=s, padding=(p[0], p[0], p[1], p[1]), dilation=d)
    # the same weight tensor read as (Cin_of_convT=cout, Cout_of_convT=cin, kh, kw)
    ty = ref.conv_transpose2d(y, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert cx.shape == y.shape and ty.shape == x.shape
    assert np.isclose(np.sum(cx * y), np.sum(x * ty))


def _last_read(n: int, k: int, s: int, p: int, d: int) -> int:
    """Last padded cell any window reads, by walking the windows (no formula)."""
    start, last = 0, -1
    while start + d * (k - 1) < n + 2 * p:
        last = start + d * (k - 1)
        start += s
    return last


@SETTINGS
@given(st.integers(3, 20), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(1, 2))
def test_tiling_check_and_its_suggestions(n: int, k: int, s: int, p: int, d: int) -> None:
    assume(n + 2 * p >= d * (k - 1) + 1)
    tiling = ar.Tiling(n, k, s, 2 * p, d)
    unread = n + 2 * p - 1 - _last_read(n, k, s, p, d)
    assert tiling.exact == (unread == 0)
    assert tiling.unread == unread
    paddings, strides = tiling.suggestions()
    for q in paddings:
        assert _last_read(n, k, s, q, d) == n + 2 * q - 1
    for t in strides:
        assert _last_read(n, k, t, p, d) == n + 2 * p - 1
    note = tiling.note()
    assert (note is None) == tiling.exact


def test_the_lectures_7x7_stride_3_example() -> None:
    assert ar.conv_out(7, 3, 1) == 5
    assert ar.conv_out(7, 3, 2) == 3
    assert ar.conv_out(7, 3, 3) == 2
    note = ar.Tiling(7, 3, 3, 0, 1).note()
    assert note is not None
    text = str(note)
    assert "(7 + 0 - 1*(3-1) - 1)/3 + 1" in text and "2.33" in text and "floors it to 2" in text
    assert "Paddings per side that tile exactly: 1" in text
    assert "strides: 2, 4" in text
    assert "2,33" in note.text("es") or "2.33" in note.text("es")


def test_same_padding_puts_the_odd_cell_after() -> None:
    assert ar.same_padding(3) == (1, 1)
    assert ar.same_padding(4) == (1, 2)
    assert ar.same_padding(4, 2) == (3, 3)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 12))
def test_adaptive_bins_match_the_reference(h: int, w: int, out: int) -> None:
    x = np.arange(float(h * w)).reshape(1, h, w)
    y = ref.adaptive_pool2d(x, "max", (out, out))
    bins_h, bins_w = ar.adaptive_bins(h, out), ar.adaptive_bins(w, out)
    for i, (r0, r1) in enumerate(bins_h):
        for j, (c0, c1) in enumerate(bins_w):
            assert y[0, i, j] == x[0, r0:r1, c0:c1].max()


def test_formulas_fill_in_the_numbers() -> None:
    plain, latex = ar.conv_formula(7, 3, 3, 0)
    assert plain.endswith("= 2") and "floor(4/3)" in plain and r"\left\lfloor" in latex
    plain, _ = ar.convt_formula(4, 3, 2, 1, 1)
    assert plain == "(4-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 8"
    plain, _ = ar.pool_formula(5, 2, 2, 0, ceil_mode=True)
    assert "ceil(3/2) + 1 = 3" in plain


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 20), k=st.integers(1, 6), s=st.integers(1, 5), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_tiling_note_says_whether_real_input_is_skipped(n: int, k: int, s: int, p: int, d: int) -> None:
    """Walk the windows over the padded input: the note says "only padding skipped" exactly
    when every padded cell no window reaches lies in the right padding."""
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        return
    read: set[int] = set()
    start = 0
    while start + span <= n + 2 * p:
        read.update(range(start, start + span))  # cells covered by the window's extent
        start += s
    unread = [i for i in range(n + 2 * p) if i > max(read)]
    note = ar.Tiling(n, k, s, 2 * p, d).note()
    if not unread:
        assert note is None
        return
    assert note is not None
    real_input_skipped = any(i < n + p for i in unread)
    assert (note.key == "engine.tiling") == real_input_skipped
    assert (note.key == "engine.tiling_padding_only") == (not real_input_skipped)

"""Animation frames against the brute-force loops of tests/reference.py, in every mode."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convviz.animation.frames import INPUT, OVER, PAD, ZERO, build_animation, check_layer
from convviz.animation.gallery import GALLERY
from convviz.animation.values import (
    lecture_values,
    parse_matrix,
    parse_values_file,
    random_values,
)
from convviz.arithmetic.layer_calc import LayerSettings
from convviz.errors import SpecError
from tests import reference as ref

LECTURE_OUTPUT = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]  # the lecture's worked example (5x5 image, 3x3 kernel)
HYP = settings(max_examples=60, deadline=None)


def _layer(op, h, w, kh, kw, sh=1, sw=1, ph=0, pw=0, dh=1, dw=1, oph=0, opw=0, **extra):
    """One layer; ``padding="same"`` in ``extra`` replaces the (ph, pw) pair."""
    padding = extra.pop("padding", (ph, pw))
    return LayerSettings(op=op, h=h, w=w, kernel=(kh, kw), stride=(sh, sw), padding=padding,
                         dilation=(dh, dw), output_padding=(oph, opw), **extra)


def _build(layer, seed=0, **kw):
    x, k = random_values(layer.h, layer.w, *layer.kernel, seed, layer.op)
    return layer, x, k, build_animation(layer, x, k, **kw)


def _partial_final(anim):
    """The output assembled from the frames alone (last partial state, cropped)."""
    last = anim.partials[-1]
    if anim.canvas is None:
        return last
    oh, ow = anim.output.shape
    t, left = anim.crop
    return np.nan_to_num(last[t: t + oh, left: left + ow])


# ------------------------------------------------------------------ the lecture example
def test_lecture_example_gives_the_lecture_numbers() -> None:
    x, k = lecture_values(5, 5, 3, 3)
    anim = build_animation(_layer("conv", 5, 5, 3, 3), x, k)
    assert anim.output.tolist() == LECTURE_OUTPUT
    assert anim.n_steps == 9
    text = anim.step_text(0)
    assert text.endswith("= 4") and text.count("×") == 9 and "*" not in text
    assert "1×1 + 1×0 + 1×1 + 0×0 + 1×1 + 1×0 + 0×1 + 0×0 + 1×1 = 4" in text
    # the plain ASCII form (for a terminal) says the same with '*'
    assert anim.step_text(0, times="*") == text.replace("×", "*")
    es = anim.step_text(0, "es")
    assert es.startswith("salida (0, 0)")


# ------------------------------------------------------------------ convolution
conv_cases = st.fixed_dictionaries({
    "h": st.integers(1, 9), "w": st.integers(1, 9), "kh": st.integers(1, 4),
    "kw": st.integers(1, 4), "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "ph": st.integers(0, 3), "pw": st.integers(0, 3), "same": st.booleans(),
    "dh": st.integers(1, 3), "dw": st.integers(1, 3),
    "flip": st.booleans(), "seed": st.integers(0, 1000),
})


@HYP
@given(conv_cases)
def test_conv_frames_equal_the_reference(c) -> None:
    if c["same"]:  # PyTorch's "same": stride 1, d*(k-1) in total, the odd cell after (uneven)
        c["sh"] = c["sw"] = 1
        th, tw = c["dh"] * (c["kh"] - 1), c["dw"] * (c["kw"] - 1)
        pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        layer = _layer("conv", c["h"], c["w"], c["kh"], c["kw"], dh=c["dh"], dw=c["dw"], padding="same")
    else:
        pads = (c["ph"], c["ph"], c["pw"], c["pw"])
        layer = _layer("conv", c["h"], c["w"], c["kh"], c["kw"], c["sh"], c["sw"], c["ph"], c["pw"],
                       c["dh"], c["dw"])
    assume(c["h"] + pads[0] + pads[1] >= c["dh"] * (c["kh"] - 1) + 1)
    assume(c["w"] + pads[2] + pads[3] >= c["dw"] * (c["kw"] - 1) + 1)
    _, x, k, anim = _build(layer, c["seed"], flip=c["flip"])
    assert anim.pad == pads
    kernel = k[::-1, ::-1] if c["flip"] else k
    want = ref.conv2d(x[None], kernel[None, None], stride=(c["sh"], c["sw"]), padding=pads,
                      dilation=(c["dh"], c["dw"]))[0]
    np.testing.assert_allclose(anim.output, want)
    np.testing.assert_allclose(_partial_final(anim), want)
    assert anim.n_steps == want.size
    # each frame: the products of the window cells and the sum of the products
    for step in anim.steps:
        assert len(step.cells) == c["kh"] * c["kw"]
        np.testing.assert_allclose(step.products, np.multiply(step.values, step.weights))
        assert step.result == pytest.approx(want[step.source])
        for (r, q), (u, v), val in zip(step.cells, step.taps, step.values, strict=True):
            assert val == anim.grid[r, q]
            assert step.weights[u * c["kw"] + v] == kernel[u, v]


def test_correlation_and_true_convolution_differ_with_a_non_symmetric_kernel() -> None:
    layer = _layer("conv", 5, 5, 3, 3)
    x, _ = lecture_values(5, 5, 3, 3)
    k = np.array([[1, 2, 0], [0, 0, 0], [0, 0, -1]], float)
    corr = build_animation(layer, x, k)
    conv = build_animation(layer, x, k, flip=True)
    assert not np.array_equal(corr.output, conv.output)
    np.testing.assert_array_equal(conv.kernel, k[::-1, ::-1])
    np.testing.assert_array_equal(conv.user_kernel, k)


def test_dilated_window_has_gaps() -> None:
    _, x, k, anim = _build(_layer("conv", 7, 7, 3, 3, dh=2, dw=2))
    assert anim.output.shape == (3, 3)
    assert anim.steps[0].cells == tuple((r, c) for r in (0, 2, 4) for c in (0, 2, 4))
    want = ref.conv2d(x[None], k[None, None], dilation=(2, 2))[0]
    np.testing.assert_allclose(anim.output, want)


def test_padding_cells_are_zeros_and_marked() -> None:
    _, x, k, anim = _build(_layer("conv", 4, 4, 3, 3, 2, 2, 1, 1))
    assert anim.kinds.shape == (6, 6)
    assert (anim.kinds[0] == PAD).all() and (anim.kinds[:, -1] == PAD).all()
    assert (anim.kinds[1:5, 1:5] == INPUT).all()
    assert (anim.grid[anim.kinds == PAD] == 0).all()
    np.testing.assert_array_equal(anim.grid[1:5, 1:5], x)


def test_same_padding_uneven_pairs() -> None:
    _, x, k, anim = _build(_layer("conv", 5, 6, 4, 2, padding="same"))
    assert anim.pad == (1, 2, 0, 1)
    want = ref.conv2d(x[None], k[None, None], padding=(1, 2, 0, 1))[0]
    assert anim.output.shape == (5, 6)
    np.testing.assert_allclose(anim.output, want)


# ------------------------------------------------------------------ transposed convolution
convt_cases = st.fixed_dictionaries({
    "h": st.integers(1, 6), "w": st.integers(1, 6), "kh": st.integers(1, 4),
    "kw": st.integers(1, 4), "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "ph": st.integers(0, 3), "pw": st.integers(0, 3), "dh": st.integers(1, 3),
    "dw": st.integers(1, 3), "oph": st.integers(0, 2), "opw": st.integers(0, 2),
    "seed": st.integers(0, 1000),
})


@HYP
@given(convt_cases)
def test_transposed_both_views_equal_each_other_and_the_reference(c) -> None:
    assume(c["oph"] < max(c["sh"], c["dh"]) and c["opw"] < max(c["sw"], c["dw"]))
    layer = _layer("convt", c["h"], c["w"], c["kh"], c["kw"], c["sh"], c["sw"], c["ph"], c["pw"],
                   c["dh"], c["dw"], c["oph"], c["opw"])
    try:
        layer.output_size()
    except SpecError:
        assume(False)
    _, x, k, scatter = _build(layer, c["seed"], view="scatter")
    _, _, _, direct = _build(layer, c["seed"], view="direct")
    want = ref.conv_transpose2d(x[None], k[None, None], stride=(c["sh"], c["sw"]),
                                padding=(c["ph"], c["pw"]), output_padding=(c["oph"], c["opw"]),
                                dilation=(c["dh"], c["dw"]))[0]
    np.testing.assert_allclose(scatter.output, want)
    np.testing.assert_allclose(direct.output, want)
    np.testing.assert_allclose(_partial_final(scatter), want)
    np.testing.assert_allclose(_partial_final(direct), want)
    assert scatter.n_steps == c["h"] * c["w"]
    assert direct.n_steps == want.size
    # direct view: kernel rotated 180 degrees, stride-1 windows over the stretched input
    np.testing.assert_array_equal(direct.kernel, k[::-1, ::-1])
    inserted = (direct.kinds == ZERO).sum()
    if c["sh"] == 1 and c["sw"] == 1:
        assert inserted == 0
    # scatter: each step stamps value * kernel at i*s + u*d
    step = scatter.steps[-1]
    i, j = step.source
    assert step.cells[-1] == (i * c["sh"] + (c["kh"] - 1) * c["dh"],
                              j * c["sw"] + (c["kw"] - 1) * c["dw"])
    np.testing.assert_allclose(step.products, x[i, j] * k.ravel())


def test_transposed_direct_view_geometry_dumoulin_visin() -> None:
    # i'=3, k=3, s=2, p=1, op=1: 1 zero between cells, k-p-1 = 1 padding, + 1 bottom/right
    _, x, k, direct = _build(_layer("convt", 3, 3, 3, 3, 2, 2, 1, 1, oph=1, opw=1), view="direct")
    kinds_row = direct.kinds[:, 3]  # a column through input cells
    assert direct.kinds.shape == (1 + 5 + 2, 1 + 5 + 2)
    assert list(direct.rows.kinds) == [PAD, INPUT, ZERO, INPUT, ZERO, INPUT, PAD, PAD]
    assert kinds_row[0] == PAD
    assert direct.output.shape == (6, 6)


def test_transposed_with_padding_beyond_the_kernel_crops_the_stretched_input() -> None:
    layer = _layer("convt", 4, 4, 2, 2, 3, 3, 2, 2)  # d*(k-1) - p = -1
    _, x, k, direct = _build(layer, view="direct")
    want = ref.conv_transpose2d(x[None], k[None, None], stride=(3, 3), padding=(2, 2))[0]
    np.testing.assert_allclose(direct.output, want)
    assert direct.rows.pad_shown == -1


# ------------------------------------------------------------------ pooling
pool_cases = st.fixed_dictionaries({
    "h": st.integers(1, 9), "w": st.integers(1, 9), "kh": st.integers(1, 4),
    "kw": st.integers(1, 4), "sh": st.integers(1, 4), "sw": st.integers(1, 4),
    "ph": st.integers(0, 2), "pw": st.integers(0, 2), "dh": st.integers(1, 2),
    "dw": st.integers(1, 2), "ceil": st.booleans(), "cip": st.booleans(),
    "kind": st.sampled_from(["maxpool", "avgpool"]), "seed": st.integers(0, 1000),
})


@HYP
@given(pool_cases)
def test_pool_frames_equal_the_reference(c) -> None:
    if c["kind"] == "avgpool":
        c["dh"] = c["dw"] = 1
    layer = _layer(c["kind"], c["h"], c["w"], c["kh"], c["kw"], c["sh"], c["sw"], c["ph"], c["pw"],
                   c["dh"], c["dw"], ceil_mode=c["ceil"], count_include_pad=c["cip"])
    try:
        layer.output_size()
    except SpecError:
        assume(False)
    _, x, _, anim = _build(layer, c["seed"])
    want = ref.pool2d(x[None], "max" if c["kind"] == "maxpool" else "avg", (c["kh"], c["kw"]),
                      (c["sh"], c["sw"]), (c["ph"], c["pw"]), (c["dh"], c["dw"]),
                      ceil_mode=c["ceil"], count_include_pad=c["cip"])[0]
    np.testing.assert_allclose(anim.output, want)
    assert anim.n_steps == want.size
    for step in anim.steps:
        if c["kind"] == "maxpool":
            if step.winner is not None:
                r, q = step.winner
                assert anim.kinds[r, q] == INPUT and anim.grid[r, q] == step.result
                # first maximum in reading order
                reals = [v for v, u in zip(step.values, step.used, strict=True) if u]
                first = next(cell for cell, v, u in zip(step.cells, step.values, step.used,
                                                       strict=True) if u and v == max(reals))
                assert first == step.winner
        else:
            kinds = [anim.kinds[r, q] for r, q in step.cells]
            real = sum(k == INPUT for k in kinds)
            pad = sum(k == PAD for k in kinds)
            assert step.divisor == real + (pad if c["cip"] else 0)
            assert OVER not in [k for k, u in zip(kinds, step.used, strict=True) if u]


def test_avg_pool_ceil_mode_overhang_and_count_include_pad() -> None:
    x = np.arange(25, dtype=float).reshape(5, 5)
    for cip in (True, False):
        anim = build_animation(_layer("avgpool", 5, 5, 2, 2, 2, 2, ceil_mode=True, count_include_pad=cip), x)
        assert anim.output.shape == (3, 3)
        assert (anim.kinds[-1] == OVER).all()
        last = anim.steps[-1]
        assert last.divisor == 1  # overhang never counts
        assert last.result == 24
        want = ref.pool2d(x[None], "avg", (2, 2), (2, 2), ceil_mode=True,
                          count_include_pad=cip)[0]
        np.testing.assert_allclose(anim.output, want)
    anim = build_animation(_layer("avgpool", 4, 4, 3, 3, 1, 1, 1, 1, count_include_pad=False), np.ones((4, 4)))
    assert anim.steps[0].divisor == 4 and anim.output[0, 0] == 1
    assert "/ 4 = 1" in anim.step_text(0)


def test_max_pool_winner_and_text() -> None:
    x = np.array([[1, 5, 2, 0], [3, 5, 1, 1], [0, 0, 7, 2], [4, 1, 2, 7]], float)
    anim = build_animation(_layer("maxpool", 4, 4, 2, 2, 2, 2), x)
    assert anim.output.tolist() == [[5, 2], [4, 7]]
    assert anim.steps[0].winner == (0, 1)  # the first 5
    assert anim.steps[3].winner == (2, 2)  # the first 7
    assert anim.step_text(0) == "output (0,0) = max(1, 5, 3, 5) = 5"


# ------------------------------------------------------------------ index map
def test_inverse_map_lists_exactly_the_readers() -> None:
    _, x, k, anim = _build(_layer("conv", 6, 5, 3, 2, 2, 1, 1, 1, 1, 2))
    gh, gw = anim.kinds.shape
    oh, ow = anim.output.shape
    for r in range(gh):
        for c in range(gw):
            readers = {(a, b) for a in range(oh) for b in range(ow)
                       if (r, c) in anim.steps[a * ow + b].cells}
            assert set(anim.output_cells_for_input(r, c)) == readers
    # padding cells are read too
    assert anim.output_cells_for_input(0, 0) == [(0, 0)]
    assert anim.input_cells_for_output(0, 0) == sorted(set(anim.steps[0].cells))


def test_scatter_inverse_map_lists_contributors() -> None:
    _, x, k, anim = _build(_layer("convt", 3, 3, 3, 3, 2, 2, 1, 1), view="scatter")
    canvas = anim.canvas
    for a in range(canvas.shape[0]):
        for b in range(canvas.shape[1]):
            contributors = {st.source for st in anim.steps if (a, b) in st.cells}
            assert set(anim.input_cells_for_output(a, b)) == contributors
    assert len(anim.output_cells_for_input(1, 1)) == 9


def test_frame_counts() -> None:
    assert _build(_layer("conv", 9, 9, 3, 3))[3].n_steps == 49
    assert _build(_layer("conv", 7, 7, 3, 3, 2, 2))[3].n_steps == 9
    assert _build(_layer("convt", 2, 3, 3, 3), view="scatter")[3].n_steps == 6
    assert _build(_layer("convt", 2, 3, 3, 3), view="direct")[3].n_steps == 4 * 5
    assert _build(_layer("maxpool", 8, 8, 2, 2, 2, 2))[3].n_steps == 16


# ------------------------------------------------------------------ limits and bad input
def test_size_cap_and_impossible_settings_give_catalog_messages() -> None:
    with pytest.raises(SpecError) as exc:
        _build(_layer("conv", 17, 5, 3, 3))
    assert "16x16" in str(exc.value) and "any size" in str(exc.value)
    assert "cualquier tamaño" in exc.value.localized("es")
    with pytest.raises(SpecError):
        _build(_layer("conv", 5, 5, 8, 3))
    with pytest.raises(SpecError):  # kernel bigger than the padded input (arithmetic's error)
        _build(_layer("conv", 3, 3, 5, 5))
    with pytest.raises(SpecError):  # stretched grid too large to draw
        _build(_layer("convt", 16, 16, 7, 7, 3, 3), view="direct")
    with pytest.raises(SpecError):
        check_layer(LayerSettings(op="conv", h="x", w=5))
    with pytest.raises(SpecError):
        check_layer(LayerSettings(op="nope", h=5, w=5))
    with pytest.raises(SpecError):  # 'same' needs stride 1, as in PyTorch
        check_layer(_layer("conv", 5, 5, 3, 3, 2, 2, padding="same"))
    layer = _layer("conv", 5, 5, 3, 3)
    with pytest.raises(SpecError):
        build_animation(layer, np.ones((4, 5)), np.ones((3, 3)))
    with pytest.raises(SpecError):
        build_animation(layer, np.ones((5, 5)), np.ones((2, 3)))


def test_parse_matrix_text_csv_json() -> None:
    assert parse_matrix("1 2\n3 4").tolist() == [[1, 2], [3, 4]]
    assert parse_matrix("1,2;3,4").tolist() == [[1, 2], [3, 4]]
    assert parse_matrix("[[1, 2], [3, 4.5]]").tolist() == [[1, 2], [3, 4.5]]
    for bad in ("", "1 2\n3", "1 x", "[[1, 2]", "1 inf"):
        with pytest.raises(SpecError):
            parse_matrix(bad)
    assert parse_matrix("1e12 -1e12").tolist() == [[1e12, -1e12]]  # the largest values taken
    for huge in ("1 1e308", "[[1, -2e12]]"):  # 1e308 * 1e308 would overflow to inf
        with pytest.raises(SpecError, match="too large"):
            parse_matrix(huge)
    x, k = parse_values_file('{"input": [[1,2],[3,4]], "kernel": [[1]]}')
    assert x.shape == (2, 2) and k.tolist() == [[1]]
    x, k = parse_values_file("1,0,1\n0,1,0\n\n1 2\n3 4\n")
    assert x.shape == (2, 3) and k.shape == (2, 2)
    x, k = parse_values_file("1 2\n3 4")
    assert k is None


def test_random_values_are_seeded_and_small() -> None:
    a = random_values(6, 6, 3, 3, seed=4)
    b = random_values(6, 6, 3, 3, seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    x, k = a
    assert x.min() >= 0 and x.max() <= 3 and np.abs(k).max() <= 3
    assert not np.array_equal(k, k[::-1, ::-1])


def test_gallery_cases_all_animate_and_match_their_outputs() -> None:
    expected = {  # conv_arithmetic's outputs
        "lecture": 3, "no_padding_no_strides": 2, "arbitrary_padding": 6, "same_padding": 5,
        "full_padding": 7, "no_padding_strides": 2, "padding_strides": 3,
        "padding_strides_odd": 3, "dilation": 3, "no_padding_no_strides_t": 4,
        "arbitrary_padding_t": 5, "same_padding_t": 5, "full_padding_t": 5,
        "no_padding_strides_t": 5, "padding_strides_t": 5, "padding_strides_odd_t": 6,
        "dilation_t": 7, "max_pool": 2, "avg_pool_ceil": 3,
    }
    assert set(GALLERY) == set(expected)
    for key, layer in GALLERY.items():
        for view in ("direct", "scatter"):
            _, _, _, anim = _build(layer, 1, view=view)
            assert anim.output.shape == (expected[key],) * 2, key
    assert GALLERY["same_padding"].padding == "same"


def test_text_has_no_nan() -> None:
    _, x, k, anim = _build(_layer("avgpool", 5, 5, 3, 3, 2, 2, 1, 1, ceil_mode=True))
    for t in range(anim.n_steps):
        assert "nan" not in anim.step_text(t)
        assert not math.isnan(anim.steps[t].result)

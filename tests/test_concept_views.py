"""Engine of the Concepts page's pooling-shift, augmentation, gradient-descent and Adam views,
and the lecture's parameter rule on Layer arithmetic, each checked against an independent
reference: brute-force loops (tests/reference.py), finite differences, hand-written optimiser
loops, the layer's weight-tensor sizes and PyTorch's own count (when torch is installed)."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from convviz.arithmetic.layer_calc import LayerSettings, calculate
from convviz.arithmetic.lecture_forms import lecture_params_form, params_value
from convviz.digits import shift as S
from convviz.digits.augment import AugmentConfig, augment_batch, augmented_copies, rotate_digit
from convviz.digits.canvas import preprocess_canvas
from convviz.digits.samples import sample_canvas
from convviz.nn import descent as D
from tests import reference as R


def _digit(d: int) -> np.ndarray:
    return preprocess_canvas(sample_canvas(d))


# --------------------------------------------------------------------------- pooling and shifts
@pytest.mark.parametrize("dy, dx", [(0, 0), (1, 0), (0, 3), (2, 2), (-1, 3), (3, -2), (30, 0)])
def test_shift_matches_the_cell_by_cell_loop(dy: int, dx: int) -> None:
    x = np.random.default_rng(abs(dy * 7 + dx)).integers(0, 256, (11, 13)).astype(float)
    assert np.array_equal(S.shift_image(x, dy, dx), R.shift2d(x, dy, dx))


@pytest.mark.parametrize("k", S.POOL_SIZES)
@pytest.mark.parametrize("shape", [(28, 28), (13, 9), (8, 8)])
def test_max_pool_matches_the_window_loop(k: int, shape: tuple[int, int]) -> None:
    x = np.random.default_rng(k).normal(size=shape)
    assert np.allclose(S.max_pool(x, k), R.pool2d(x[None], "max", (k, k), (k, k))[0])


@pytest.mark.parametrize("direction", list(S.DIRECTIONS))
def test_study_measures_the_shifted_maps(direction: str) -> None:
    img = _digit(3).astype(float)
    uy, ux = S.DIRECTIONS[direction]
    rows = S.pooling_shift_study(img, 3, direction)
    assert [r.shift for r in rows] == [0, 1, 2, 3]
    base_pool = R.pool2d(img[None], "max", (3, 3), (3, 3))[0]
    for r in rows:
        moved = R.shift2d(img, uy * r.shift, ux * r.shift)
        pooled = R.pool2d(moved[None], "max", (3, 3), (3, 3))[0]
        assert np.array_equal(r.image, moved) and np.allclose(r.pooled, pooled)
        # relative change as a sum of squares, written out
        want_in = sum((a - b) ** 2 for a, b in zip(moved.ravel(), img.ravel(), strict=True)) ** 0.5 \
            / sum(v * v for v in img.ravel()) ** 0.5
        want_pool = sum((a - b) ** 2 for a, b in zip(pooled.ravel(), base_pool.ravel(), strict=True)) ** 0.5 \
            / sum(v * v for v in base_pool.ravel()) ** 0.5
        assert r.input_change == pytest.approx(want_in) and r.pooled_change == pytest.approx(want_pool)
        ink = (moved != 0) | (img != 0)
        assert r.input_changed == pytest.approx(np.mean(moved[ink] != img[ink]))
    assert rows[0].input_change == rows[0].pooled_change == 0.0


def test_one_pixel_changes_the_pooled_map_less_than_the_input() -> None:
    """What the page shows, measured on every sample digit, window and direction: the pooled
    map changes less in 87 of the 90 cases, about two thirds as much on average; the exceptions
    (the page says so) are the thin vertical 1 moved sideways across a window's border."""
    ratios, exceptions = [], []
    for digit in range(10):
        for k in S.POOL_SIZES:
            for direction in S.DIRECTIONS:
                one = S.pooling_shift_study(_digit(digit), k, direction)[1]
                ratios.append(one.pooled_change / one.input_change)
                if ratios[-1] >= 1:
                    exceptions.append((digit, k, direction))
    assert {(d, direction) for d, _, direction in exceptions} <= {(1, "right"), (1, "diagonal")}
    assert len(exceptions) == 3 and 0.6 < np.mean(ratios) < 0.72  # the numbers the page states


def test_study_refuses_unbounded_requests() -> None:
    with pytest.raises(ValueError):
        S.pooling_shift_study(np.ones((28, 28)), 5)
    with pytest.raises(ValueError):
        S.pooling_shift_study(np.ones((28, 28)), 2, "up-left")
    with pytest.raises(ValueError):
        S.pooling_shift_study(np.ones((28, 28)), 2, "right", max_shift=9)


# --------------------------------------------------------------------------- augmentation
def test_copies_are_the_training_labs_augment_batch() -> None:
    img = _digit(6)
    config = AugmentConfig()
    want = augment_batch(np.repeat(img[None], 5, axis=0), np.random.default_rng(4), config)
    assert np.array_equal(augmented_copies(img, 5, 4, config), want)
    assert not np.array_equal(augmented_copies(img, 5, 4, config), augmented_copies(img, 5, 5, config))
    still = AugmentConfig(max_shift=0, max_rotation=0, scale_range=(1, 1), thicker_prob=0, thinner_prob=0, stretch=0)
    assert np.abs(augmented_copies(img, 3, 0, still).astype(int) - img).max() <= 1
    with pytest.raises(ValueError):
        augmented_copies(img, 10_000, 0)


def test_rotation_by_180_turns_the_picture_over() -> None:
    img = _digit(6)
    assert np.array_equal(rotate_digit(img, 0), img)
    assert np.abs(rotate_digit(img, 180).astype(int) - img[::-1, ::-1]).max() <= 1


# --------------------------------------------------------------------------- gradient descent
@pytest.mark.parametrize("name", D.SURFACES)
def test_gradients_match_finite_differences(name: str) -> None:
    surf = D.surface(name)
    rng = np.random.default_rng(1)
    h = 1e-6
    for _ in range(20):
        w = rng.uniform(-3, 3, 2)
        fd = [(surf.loss(w + h * e) - surf.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
        assert np.allclose(surf.grad(w), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", D.SURFACES)
@pytest.mark.parametrize("method", D.METHODS)
@pytest.mark.parametrize("noise", [0.0, 0.8])
def test_paths_match_the_hand_written_update_loop(name: str, method: str, noise: float) -> None:
    surf = D.surface(name)
    steps, lr, seed = 60, 0.05, 3
    noises = noise * np.random.default_rng(seed).standard_normal((steps, 2)) if method != "gd" else None
    want = R.descend(surf.grad, surf.start, lr, steps, method, noises)
    path = D.descent_path(surf, method, lr, steps, noise, seed)
    assert path.diverged_at is None
    assert np.allclose(path.points, want, rtol=1e-10, atol=1e-12)
    assert np.allclose(path.losses, [surf.loss(p) for p in want])


def test_methods_see_the_same_noise_and_zero_noise_is_batch_gd() -> None:
    gd, sgd, *_ = D.all_paths("bowl", 0.1, 50, 0.0, 7)
    assert np.array_equal(gd.points, sgd.points)
    noisy = D.all_paths("bowl", 0.1, 50, 1.0, 7)
    assert not np.array_equal(noisy[0].points, noisy[1].points)
    assert np.array_equal(noisy[0].points, gd.points)  # batch GD ignores the noise


def test_a_too_large_rate_diverges_and_stops() -> None:
    """On the bowl, GD multiplies w2 by (1 - 4 eta) each step: |1 - 4| = 3 > 1 at eta = 1."""
    path = D.descent_path(D.surface("bowl"), "gd", 1.0, D.MAX_STEPS)
    assert path.diverged_at is not None and np.isfinite(path.points).all()
    assert len(path.points) == path.diverged_at
    assert D.descent_path(D.surface("bowl"), "gd", 0.45, D.MAX_STEPS).diverged_at is None


@pytest.mark.parametrize("lr, steps, noise", [(5.0, 10, 0.0), (0.1, D.MAX_STEPS + 1, 0.0), (0.1, 10, 11.0),
                                              (0.0, 10, 0.0), (0.1, 0, 0.0), (0.1, 10, -1.0)])
def test_descent_refuses_unbounded_settings(lr: float, steps: int, noise: float) -> None:
    with pytest.raises(ValueError):
        D.descent_path(D.surface("saddle"), "adam", lr, steps, noise)


# --------------------------------------------------------------------------- Adam's rate
@pytest.mark.parametrize("t", [1, 2, 7, 40])
@pytest.mark.parametrize("lr", [0.01, 0.3])
def test_adam_step_matches_the_hand_written_loop(t: int, lr: float) -> None:
    c = np.array(D.CURVATURES)
    path = R.descend(lambda w: c * w, np.ones(4), lr, t, "adam")
    rows = D.adam_vs_sgd(lr, t)
    for i, r in enumerate(rows):
        assert r.weight == pytest.approx(path[-2][i])
        assert r.grad == pytest.approx(c[i] * path[-2][i])
        assert r.sgd_step == pytest.approx(-lr * c[i] * path[-2][i])
        assert r.adam_step == pytest.approx(path[-1][i] - path[-2][i], rel=1e-9, abs=1e-15)
        assert r.adam_step == pytest.approx(-r.rate * r.m_hat)


def test_adams_first_step_is_eta_for_every_weight() -> None:
    """At t = 1, m_hat = g and v_hat = g^2: the step is -eta g/(|g| + eps), whatever g's scale."""
    rows = D.adam_vs_sgd(0.01, 1)
    assert [r.adam_step for r in rows] == pytest.approx([-0.01] * 4, rel=1e-6)
    assert [abs(r.sgd_step) for r in rows] == pytest.approx([0.01 * c for c in D.CURVATURES])


# --------------------------------------------------------------------------- (F·F·Cin + 1)·Cout
def _weight_count(op: str, kh: int, kw: int, cin: int, cout: int, g: int, bias: bool) -> int:
    """The sizes of PyTorch's weight and bias tensors, multiplied out."""
    shape = (cout, cin // g, kh, kw) if op == "conv" else (cin, cout // g, kh, kw)
    return int(np.prod(shape)) + (cout if bias else 0)


def test_the_lecture_example_16x16x3() -> None:
    text = lecture_params_form(3, 3, 3, 10)
    assert text.endswith(r"= (3 \cdot 3 \cdot 3 + 1) \cdot 10 = 28 \cdot 10 = 280")
    assert lecture_params_form(5, 5, 3, 6, lang="es").endswith(r"76 \cdot 6 = 456")


def test_the_filled_in_rule_equals_the_engine_for_many_layers() -> None:
    rng = random.Random(16)
    for _ in range(150):
        op = rng.choice(["conv", "convt"])
        g = rng.choice([1, 1, 2, 3, 4])
        cin, cout = g * rng.randint(1, 40), g * rng.randint(1, 40)
        kh, kw = rng.randint(1, 7), rng.randint(1, 7)
        bias = rng.random() < 0.7
        layer = LayerSettings(op=op, h=16, w=16, in_channels=cin, out_channels=cout, kernel=(kh, kw),
                              groups=g, bias=bias)
        engine = calculate(layer).params
        text = lecture_params_form(kh, kw, cin, cout, g, bias, "es" if rng.random() < 0.5 else "en")
        shown = int(re.sub(r"[.,{}]", "", text.rsplit("=", 1)[1]))
        assert shown == engine == params_value(kh, kw, cin, cout, g, bias) \
            == _weight_count(op, kh, kw, cin, cout, g, bias), (op, kh, kw, cin, cout, g, bias)
        assert ("+ 1)" in text) == bias and (r"\frac{C_{in}}{g}" in text) == (g > 1)


def test_the_rule_agrees_with_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for kh, kw, cin, cout, g, bias in [(3, 3, 3, 10, 1, True), (5, 5, 3, 6, 1, True), (3, 1, 8, 12, 4, False),
                                       (1, 1, 192, 16, 1, True), (3, 3, 32, 64, 32, True)]:
        conv = torch.nn.Conv2d(cin, cout, (kh, kw), groups=g, bias=bias)
        convt = torch.nn.ConvTranspose2d(cin, cout, (kh, kw), groups=g, bias=bias)
        for module in (conv, convt):
            assert sum(p.numel() for p in module.parameters()) == params_value(kh, kw, cin, cout, g, bias)

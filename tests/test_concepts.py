"""convviz.concepts against independent references: finite differences, loops, published numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import concepts as c


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("name", c.ACTIVATIONS)
def test_derivatives_match_central_finite_differences(name: str) -> None:
    z = np.linspace(-6, 6, 241)
    z = z[np.abs(z) > 1e-3]  # ReLU kinks at 0
    h = 1e-6
    numeric = (c.activation(name, z + h) - c.activation(name, z - h)) / (2 * h)
    np.testing.assert_allclose(c.activation_derivative(name, z), numeric, atol=1e-6)


def test_activation_values_against_the_lecture_formulas() -> None:
    for z in (-30.0, -2.5, -0.1, 0.0, 0.7, 3.0, 30.0):
        assert c.activation("sigmoid", z) == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-12)
        tanh = (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))
        assert c.activation("tanh", z) == pytest.approx(tanh, abs=1e-12)
        assert c.activation("relu", z) == (z if z > 0 else 0.0)
        assert c.activation("leaky_relu", z, alpha=0.1) == pytest.approx(z if z > 0 else 0.1 * z)
    # sigmoid never overflows and its slope peaks at 1/4 at z = 0
    assert np.isfinite(c.activation("sigmoid", np.array([-1000.0, 1000.0]))).all()
    assert c.activation_derivative("sigmoid", 0.0) == pytest.approx(0.25)
    assert c.activation_derivative("tanh", 0.0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        c.activation("swish", 1.0)


# ------------------------------------------------------------------ linear collapse
def test_linear_stack_equals_one_layer_with_loops_as_reference() -> None:
    rng = np.random.default_rng(1)
    sizes = [4, 5, 3, 2]
    ws = [rng.normal(size=(sizes[k + 1], sizes[k])) for k in range(3)]
    bs = [rng.normal(size=sizes[k + 1]) for k in range(3)]
    col = c.collapse_linear_stack(ws, bs)
    assert col.weight.shape == (2, 4)
    for _ in range(5):
        x = rng.normal(size=4)
        h = list(x)  # plain-Python forward pass, layer by layer
        for w, b in zip(ws, bs, strict=True):
            h = [sum(w[i, j] * h[j] for j in range(len(h))) + b[i] for i in range(w.shape[0])]
        np.testing.assert_allclose(col.single(x), h, atol=1e-12)
        np.testing.assert_allclose(col.stack(x), h, atol=1e-12)
    # with a non-linearity between the layers the single layer no longer matches
    xs = rng.normal(size=(20, 4))
    diffs = [np.abs(col.stack(x, "relu") - col.single(x)).max() for x in xs]
    assert max(diffs) > 1e-3


def test_linear_stack_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError):
        c.collapse_linear_stack([np.ones((3, 2)), np.ones((2, 4))])
    with pytest.raises(ValueError):
        c.collapse_linear_stack([])


# ------------------------------------------------------------------ FC vs conv
def test_lecture_example_456_parameters_and_fc_count() -> None:
    r = c.fc_vs_conv()
    assert r.output_shape == (28, 28, 6)  # lecture: "new image of size 28x28x6"
    assert r.conv_params == 456  # (5*5*3 + 1) * 6
    # FC: every one of 28*28*6 = 4704 outputs sees all 3072 inputs plus a bias
    assert r.fc_weights == 3072 * 4704 == 14_450_688
    assert r.fc_params == 14_455_392
    assert r.conv_inputs_per_output == 75 and r.fc_inputs_per_output == 3072
    assert r.ratio > 30_000


def test_lecture_16x16x3_example_is_280_not_270() -> None:
    r = c.fc_vs_conv(16, 16, 3, filters=10, kernel=3, stride=1, padding=1)
    assert r.output_shape == (16, 16, 10)
    assert r.conv_params == 280  # 3*3*3 + 1 = 28 per filter (the slide's 270 forgets the bias)


def test_conv_output_size_matches_brute_force_positions() -> None:
    for n, f, s, p in [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 1, 1), (9, 4, 1, 2)]:
        positions = [i for i in range(-p, n + p) if i + f <= n + p and (i + p) % s == 0]
        assert c.fc_vs_conv(n, n, 1, 1, f, s, p).output_shape[0] == len(positions)
    with pytest.raises(ValueError):
        c.fc_vs_conv(7, 7, 3, 1, 3, stride=3)  # the lecture's invalid 2.33 case


def test_conv1d_connectivity_is_sparse_and_shared() -> None:
    conn = c.conv1d_connectivity(5, 3)
    assert conn.shape == (3, 5)
    # h_3 (middle output) depends only on x_2, x_3, x_4 (lecture's figure)
    assert list(np.flatnonzero(conn[1] >= 0)) == [1, 2, 3]
    for row in conn:
        assert list(row[row >= 0]) == [0, 1, 2]  # the same three weights in every row
    # the lecture's drawing: 5 inputs, kernel 3, zero padding 1 -> 5 outputs, h_3 sees x_2..x_4
    same = c.conv1d_connectivity(5, 3, padding=1)
    assert same.shape == (5, 5)
    assert list(np.flatnonzero(same[2] >= 0)) == [1, 2, 3]
    assert list(same[0][same[0] >= 0]) == [1, 2]  # the border unit misses the padded weight 0
    # brute force: output i, weight k reads padded input i + k, i.e. real input i + k - P
    for i in range(5):
        for j in range(5):
            k = j - i + 1
            assert same[i, j] == (k if 0 <= k < 3 else -1)


# ------------------------------------------------------------------ normalisation
def _brute_norm(x: np.ndarray, kind: str, groups: int, eps: float) -> np.ndarray:
    n, ch, h, w = x.shape
    out = np.empty_like(x)

    def norm(idx: tuple) -> None:
        vals = x[idx]
        mu = vals.mean()
        var = ((vals - mu) ** 2).mean()
        out[idx] = (vals - mu) / math.sqrt(var + eps)

    if kind == "batch":
        for k in range(ch):
            norm((slice(None), k))
    elif kind == "layer":
        for i in range(n):
            norm((i,))
    elif kind == "instance":
        for i in range(n):
            for k in range(ch):
                norm((i, k))
    else:
        size = ch // groups
        for i in range(n):
            for g in range(groups):
                norm((i, slice(g * size, (g + 1) * size)))
    return out


def _normalize_by_ids(x: np.ndarray, ids: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """(x - mean of its set) / sqrt(var of its set + eps), the sets given by ``ids``."""
    out = np.empty_like(x)
    for k in np.unique(ids):
        members = ids == k
        out[members] = (x[members] - x[members].mean()) / np.sqrt(x[members].var() + eps)
    return out


@pytest.mark.parametrize("kind", c.NORMS)
def test_norm_groups_are_the_sets_of_the_definitions(kind: str) -> None:
    """The sets the page colours normalise exactly like the per-definition loops."""
    x = np.random.default_rng(3).normal(2.0, 3.0, size=(3, 4, 2, 5))
    ids = c.norm_groups(kind, x.shape, 2)
    np.testing.assert_allclose(_normalize_by_ids(x, ids), _brute_norm(x, kind, 2, 1e-5), atol=1e-12)
    assert len(np.unique(ids)) == {"batch": 4, "layer": 3, "instance": 12, "group": 6}[kind]


def test_group_norm_limits_are_layer_and_instance_norm() -> None:
    # Wu & He (2018): GN with G = 1 is LN, with G = C is IN
    shape = (2, 6, 3, 3)
    np.testing.assert_array_equal(c.norm_groups("group", shape, 1), c.norm_groups("layer", shape))
    np.testing.assert_array_equal(c.norm_groups("group", shape, 6), c.norm_groups("instance", shape))
    with pytest.raises(ValueError):
        c.norm_groups("group", (2, 6, 3, 3), groups=4)


def test_batchnorm_steps_on_numbers() -> None:
    x = np.array([1.0, 2.0, 3.0, 6.0])
    s = c.batchnorm_steps(x, gamma=2.0, beta=0.5, eps=0.0001)
    assert s.mean[0] == pytest.approx(3.0)
    assert s.variance[0] == pytest.approx((4 + 1 + 0 + 9) / 4)  # 1/m, not 1/(m-1)
    expected = [2.0 * (v - 3.0) / math.sqrt(3.5 + 0.0001) + 0.5 for v in x]
    np.testing.assert_allclose(s.y[:, 0], expected)
    assert s.x_hat.mean() == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------ dropout
def test_inverted_dropout_keeps_the_expectation() -> None:
    x = np.full(200_000, 3.0)
    y, mask = c.inverted_dropout(x, 0.4, rng=0)
    assert set(np.unique(y)) <= {0.0, 3.0 / 0.6}
    assert mask.mean() == pytest.approx(0.6, abs=0.01)
    assert y.mean() == pytest.approx(3.0, abs=0.03)
    y0, mask0 = c.inverted_dropout(x[:10], 0.0)
    assert mask0.all() and np.array_equal(y0, x[:10])


def test_dropout_masks_change_per_iteration_and_spare_input_output() -> None:
    masks = c.dropout_masks([4, 6, 6, 2], p=0.5, iterations=5, seed=2)
    assert len(masks) == 5
    assert all(m[0].all() and m[-1].all() for m in masks)
    hidden = [np.concatenate(m[1:-1]) for m in masks]
    assert any(not np.array_equal(hidden[0], h) for h in hidden[1:])
    with pytest.raises(ValueError):
        c.dropout_masks([2, 2], p=1.0)


# ------------------------------------------------------------------ softmax
def test_softmax_against_the_lecture_formula_and_temperature_limits() -> None:
    z = np.array([2.0, 1.0, 0.1])
    direct = np.array([math.exp(v) for v in z]) / sum(math.exp(v) for v in z)
    np.testing.assert_allclose(c.softmax(z), direct)
    np.testing.assert_allclose(c.softmax(z, 2.0), direct ** 0.5 / (direct ** 0.5).sum())
    assert c.softmax(z, 0.01)[0] == pytest.approx(1.0)
    np.testing.assert_allclose(c.softmax(z, 1e6), np.full(3, 1 / 3), atol=1e-6)
    assert c.entropy(c.softmax(z, 0.5)) < c.entropy(c.softmax(z, 1)) < c.entropy(c.softmax(z, 3))
    with pytest.raises(ValueError):
        c.softmax(z, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-500, 500), min_size=1, max_size=12),
    st.floats(0.05, 20),
    st.floats(-100, 100),
)
def test_softmax_is_a_distribution_and_shift_invariant(logits: list[float], t: float, shift: float) -> None:
    z = np.array(logits)
    p = c.softmax(z, t)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(c.softmax(z + shift, t), p, atol=1e-9)
    assert p[int(np.argmax(z))] == pytest.approx(p.max(), rel=1e-12)  # the largest logit wins


# ------------------------------------------------------------------ text
def _read_vector(text: str, lang: str) -> list[float]:
    """Parse a written vector back with the language's marks (the reference: plain str ops)."""
    sep, decimal = {"en": (", ", "."), "es": ("; ", ",")}[lang]
    return [float(e.replace("−", "-").replace(decimal, ".")) for e in text.strip("[]").split(sep)]


def test_vectors_are_written_in_the_users_number_format() -> None:
    v = np.array([0.5, 1.2, -3.0, 2.0])
    assert c.format_vector(v, "en") == "[0.5, 1.2, −3, 2]"
    assert c.format_vector(v, "es") == "[0,5; 1,2; −3; 2]"  # ";" keeps the decimal comma unambiguous
    assert c.format_vector(v, "es", ".2f") == "[0,50; 1,20; −3,00; 2,00]"
    rng = np.random.default_rng(3)
    w = rng.normal(0, 50, size=7)
    for lang in ("en", "es"):
        np.testing.assert_allclose(_read_vector(c.format_vector(w, lang, ".3f"), lang), np.round(w, 3), atol=1e-9)

"""convviz.explain against independent references: a forward pass through the plain loops
of tests/reference.py (float64), and the brute-force support of a unit (which input pixels
change it when perturbed)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from convviz.explain import (
    explain_unit,
    feeding_channels,
    forward_trace,
    layer_arithmetic,
    receptive_box,
)
from tests import reference
from tests._digit_data import some_digits

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")


@pytest.fixture(scope="module")
def model():
    from tests._digit_data import wide_model

    return wide_model()  # a trained net of fixed layout: the layer indices below are its


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    x, _ = some_digits(40)
    return x[[0, 7, 13, 21, 33]]


# ------------------------------------------------------------------ independent reference


def reference_trace(model, image: np.ndarray) -> list[np.ndarray]:
    """Every layer's output by loops (float64), from the layers' weights and settings only."""
    x = image.astype(np.float64)[None] / 255.0
    out = [x]
    for layer in model.layers:
        cfg = layer.config()
        kind = cfg["type"]
        if kind == "Conv2d":
            pad, stride = cfg["padding"], cfg["stride"]
            x = reference.conv2d(x, layer.params["weight"].astype(np.float64), layer.params["bias"].astype(np.float64),
                                 stride=(stride, stride), padding=(pad, pad, pad, pad))
        elif kind in ("MaxPool2d", "AvgPool2d"):
            k, stride, pad = cfg["kernel_size"], cfg["stride"], cfg["padding"]
            x = reference.pool2d(x, "max" if kind == "MaxPool2d" else "avg", (k, k), (stride, stride), (pad, pad))
        elif kind == "ReLU":
            x = np.where(x > 0, x, 0.0)
        elif kind == "Flatten":
            x = x.reshape(-1)
        elif kind == "Linear":
            w, b = layer.params["weight"].astype(np.float64), layer.params["bias"].astype(np.float64)
            x = np.array([sum(w[k, n] * x[n] for n in range(len(x))) + b[k] for k in range(w.shape[0])])
        elif kind == "Dropout":
            pass
        else:
            raise AssertionError(f"no reference for {kind}")
        out.append(x)
    return out


def _random_units(shape: tuple[int, ...], rng: np.random.Generator, n: int) -> list[tuple[int, ...]]:
    return [tuple(int(rng.integers(0, s)) for s in shape) for _ in range(n)]


# ------------------------------------------------------------------ values


def test_every_layer_matches_the_reference_forward_pass(model, digits) -> None:
    rng = np.random.default_rng(1)
    shapes = model.output_shapes()
    for image in digits:
        ref = reference_trace(model, image)
        trace = forward_trace(model, image)
        for layer in range(len(model.layers)):
            units = _random_units(shapes[layer], rng, 4)
            if layer in (1, 4):  # a ReLU: include a unit that is switched off and one that is on
                act = ref[layer + 1]
                units += [tuple(int(v) for v in np.argwhere(act == 0)[0]), tuple(int(v) for v in np.argwhere(act > 0)[0])]
            for unit in units:
                ex = explain_unit(model, image, layer, unit, trace=trace if unit != units[0] else None)
                want = ref[layer + 1][unit]
                assert ex.value == pytest.approx(want, rel=1e-4, abs=1e-5), (layer, unit)
                _check_parts(model, ex, ref[layer], want)


def _square(layer) -> tuple[int, int, int]:
    """Kernel, stride and padding of the shipped model's square layers, from the saved config."""
    cfg = layer.config()
    k, s, p = cfg["kernel_size"], cfg.get("stride") or cfg["kernel_size"], cfg.get("padding", 0)
    assert all(isinstance(v, int) for v in (k, s, p)), cfg
    return k, s, p


def _check_parts(model, ex, x_ref: np.ndarray, want: float) -> None:
    layer = model.layers[ex.layer]
    if ex.layer_type == "Conv2d":
        f, i, j = ex.unit
        k, s, p = _square(layer)
        xp = np.pad(x_ref, ((0, 0), (p, p), (p, p)))
        patch = xp[:, i * s : i * s + k, j * s : j * s + k]
        assert ex.patch.shape == ex.weights.shape == (layer.in_channels, k, k)
        np.testing.assert_allclose(ex.patch, patch, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(ex.weights, layer.params["weight"][f])
        for c in range(layer.in_channels):
            assert ex.channel_sums[c] == pytest.approx(float(np.sum(patch[c] * layer.params["weight"][f, c])), abs=1e-5)
        assert ex.channel_sums.sum() + ex.bias == pytest.approx(want, rel=1e-4, abs=1e-5)
        assert ex.pre_activation == pytest.approx(ex.value, rel=1e-5, abs=1e-6)
    elif ex.layer_type == "MaxPool2d":
        c, i, j = ex.unit
        k, s, _ = _square(layer)
        win = x_ref[c, i * s : i * s + k, j * s : j * s + k]
        np.testing.assert_allclose(ex.window, win, rtol=1e-5, atol=1e-6)
        assert ex.window[ex.argmax] == pytest.approx(win.max(), rel=1e-5, abs=1e-6)
        assert ex.window[ex.argmax] == ex.window.max()
    elif ex.layer_type == "Linear":
        (k,) = ex.unit
        w = layer.params["weight"].astype(np.float64)
        np.testing.assert_allclose(ex.contributions, w[k] * x_ref, rtol=1e-4, atol=1e-6)
        assert ex.contributions.sum() + ex.bias == pytest.approx(want, rel=1e-4, abs=1e-5)
    elif ex.layer_type in ("ReLU", "Dropout"):
        assert ex.input_value == pytest.approx(x_ref[ex.unit], rel=1e-4, abs=1e-5)
    elif ex.layer_type == "Flatten":
        assert x_ref[ex.source] == pytest.approx(want, rel=1e-4, abs=1e-6)
    if ex.layer == len(model.layers) - 1:
        logits = x_ref @ layer.params["weight"].astype(np.float64).T + layer.params["bias"]
        e = np.exp(logits - logits.max())
        np.testing.assert_allclose(ex.probabilities, e / e.sum(), rtol=1e-4, atol=1e-6)


def test_average_pooling_unit() -> None:
    from convviz.nn import AvgPool2d, Flatten, Linear, Sequential
    from convviz.nn.layers import Conv2d

    rng = np.random.default_rng(0)
    model = Sequential([Conv2d(1, 3, 3, padding=1, rng=rng), AvgPool2d(3, stride=2, padding=1), Flatten(),
                        Linear(3 * 14 * 14, 10, rng=rng)])
    image = (rng.random((28, 28)) * 255).astype(np.uint8)
    conv = forward_trace(model, image)[1]
    ex = explain_unit(model, image, 1, (2, 0, 5))
    # window rows -1..1, cols 9..11; the padding row counts as zeros in the mean
    win = np.zeros((3, 3))
    win[1:, :] = conv[2, 0:2, 9:12]
    np.testing.assert_allclose(ex.window, win, rtol=1e-6)
    assert ex.pool == "avg" and ex.value == pytest.approx(win.sum() / 9, rel=1e-5)
    assert ex.origin == (-1, 9)


# ------------------------------------------------------------------ receptive fields


def test_box_is_the_engines_receptive_field(model) -> None:
    import convviz

    summary = convviz.summarize(model.to_spec())
    rows = [r for r in summary.layers if r.depth == 0]
    for layer, row in enumerate(rows):
        if len(row.output_shape) != 3:
            continue
        c, h, w = row.output_shape
        for i, j in ((0, 0), (h - 1, w - 1), (h // 2, w // 3)):
            (top, bottom), (left, right) = row.receptive_field.bounds(i, j)
            want = (max(top, 0), max(left, 0), min(bottom + 1, 28), min(right + 1, 28))
            assert receptive_box(model, layer, (c - 1, i, j)) == want
    # field sizes of the shipped network: 5, 6, 14, 16 (conv 5, pool 2, conv 5, pool 2)
    assert [layer_arithmetic(model, i).field_size for i in (0, 2, 3, 5)] == [(5, 5), (6, 6), (14, 14), (16, 16)]


def _support(model, layer: int, base: np.ndarray, delta: float) -> np.ndarray:
    """changed[pixel, unit]: perturbing that input pixel by ``delta`` changes the unit."""
    batch = np.repeat(base[None, None], 28 * 28, axis=0).astype(np.float32)
    batch.reshape(28 * 28, -1)[np.arange(28 * 28), np.arange(28 * 28)] += delta
    x, y = batch, base[None, None].astype(np.float32)
    for lay in model.layers[: layer + 1]:
        x, y = lay.forward(x), lay.forward(y)
    return (np.abs(x - y) > 1e-6 * (1 + np.abs(y))).reshape(28 * 28, -1)


def _bbox(changed: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.divmod(np.flatnonzero(changed), 28)
    return int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1


def test_box_equals_brute_force_support(model) -> None:
    """On a copy with positive weights and biases (every ReLU on, every input can win a max),
    the pixels that change a unit when perturbed span exactly the box."""
    from convviz.nn import Sequential

    pos = Sequential.from_architecture(model.architecture())
    for layer in pos.layers:
        for name, arr in layer.params.items():
            arr[...] = np.abs(model.layers[pos.layers.index(layer)].params[name]) + (0.01 if name == "bias" else 0)
    base = np.random.default_rng(0).random((28, 28))
    rng = np.random.default_rng(2)
    for layer in (0, 2, 3, 5, 6, 7, 10):
        changed = _support(pos, layer, base, 1e3)
        shape = pos.output_shapes()[layer]
        for unit in _random_units(shape, rng, 6):
            flat = int(np.ravel_multi_index(unit, shape))
            assert _bbox(changed[:, flat]) == receptive_box(pos, layer, unit), (layer, unit)


def test_real_model_support_lies_inside_the_box(model, digits) -> None:
    base = digits[0].astype(np.float64) / 255.0
    rng = np.random.default_rng(3)
    for layer in (0, 3, 5):
        changed = _support(model, layer, base, 0.5)
        shape = model.output_shapes()[layer]
        for unit in _random_units(shape, rng, 8):
            hit = changed[:, int(np.ravel_multi_index(unit, shape))]
            if hit.any():
                r0, c0, r1, c1 = receptive_box(model, layer, unit)
                rows, cols = np.divmod(np.flatnonzero(hit), 28)
                assert rows.min() >= r0 and rows.max() < r1 and cols.min() >= c0 and cols.max() < c1


# ------------------------------------------------------------------ arithmetic and errors


def _evaluate(expr: str) -> int:
    assert re.fullmatch(r"[0-9*/+() ]+", expr), expr
    return int(round(eval(expr)))  # noqa: S307 - digits and operators only


def test_layer_arithmetic_is_the_architecture_pages(model) -> None:
    import convviz

    rows = [r for r in convviz.summarize(model.to_spec()).layers if r.depth == 0]
    for i, row in enumerate(rows):
        ar = layer_arithmetic(model, i)
        assert (ar.params, ar.macs, ar.output_shape) == (row.params, row.macs, tuple(row.output_shape))
        assert _evaluate(ar.params_how) == ar.params and _evaluate(ar.macs_how) == ar.macs
    assert layer_arithmetic(model, 0).formulas[0].endswith("= 28")
    assert layer_arithmetic(model, 2).formulas[1].endswith("= 14")
    assert layer_arithmetic(model, 3).formulas[0].endswith("= 10")
    assert layer_arithmetic(model, 1).formulas is None
    assert sum(layer_arithmetic(model, i).params for i in range(len(rows))) == model.n_params()


def test_shipped_model_arithmetic_is_the_architecture_pages_preset() -> None:
    """The Architecture page shows the shipped network as its "digit_cnn" preset: the same
    numbers as the unit inspector's arithmetic, layer by layer."""
    import convviz
    from convviz.arithmetic.presets import digit_cnn
    from convviz.digits import load_classifier

    shipped = load_classifier()
    page = [r for r in convviz.summarize(digit_cnn()).layers if r.depth == 0]
    ours = [layer_arithmetic(shipped, i) for i in range(len(shipped.layers))]
    assert [(r.params, r.macs, tuple(r.output_shape)) for r in page] == [(a.params, a.macs, a.output_shape) for a in ours]
    assert sum(a.params for a in ours) == shipped.n_params()


def test_feeding_channels(model) -> None:
    feed = feeding_channels(model, 3, 5)
    assert sorted(feed) == list(range(model.layers[0].out_channels)) and max(feed.values()) == 1.0
    assert feeding_channels(model, 2, 7) == {7: 1.0}


@pytest.mark.parametrize(
    ("layer", "unit", "match"),
    [
        (11, (0,), "layer must be an index from 0 to 10"),
        (-1, (0,), "layer must be an index"),
        ("conv", (0,), "layer must be an index"),
        (0, (0, 0), r"unit must be \(channel, row, col\)"),
        (0, (99, 0, 0), r"channel 99 is outside 0\.\.\d+"),
        (3, (0, 10, 0), "row 10 is outside 0..9"),
        (7, (128,), "i 128 is outside 0..127"),
        (7, "x", "unit must be"),
    ],
)
def test_invalid_layer_or_unit_is_a_clear_value_error(model, digits, layer, unit, match) -> None:
    with pytest.raises(ValueError, match=match):
        explain_unit(model, digits[0], layer, unit)


def test_wrong_image_shape(model) -> None:
    with pytest.raises(ValueError, match="expected one image of shape"):
        explain_unit(model, np.zeros((14, 14), np.uint8), 0, (0, 0, 0))


# ------------------------------------------------------------------ back onto the drawing


def _ink_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


@pytest.mark.parametrize(("shape", "blobs"), [
    ((300, 260), ((40, 80, 30, 70), (200, 260, 150, 210))),
    ((280, 280), ((20, 60, 200, 260), (180, 250, 30, 60))),
])
def test_drawing_box_lands_on_the_same_ink(shape, blobs) -> None:
    """A drawing of two separate squares: the part of the 28x28 image holding each square, mapped
    back by drawing_box, covers that square of the drawing (to within one image cell), and the
    whole image's ink maps onto the whole drawing's ink."""
    from convviz.digits import preprocess_steps
    from convviz.explain import drawing_box

    gray = np.zeros(shape, np.uint8)
    for r0, r1, c0, c1 in blobs:
        gray[r0:r1, c0:c1] = 255
    steps = preprocess_steps(gray)
    ink = np.asarray(steps.adjusted) > 127  # the drawing after stroke adjustment, as cropped
    image = steps.image > 25  # above the resize's faint ringing
    cell = (steps.box[2] - steps.box[0]) / np.asarray(steps.resized).shape[0]  # drawing px per image cell
    np.testing.assert_allclose(drawing_box(steps, _ink_box(image)), _ink_box(ink), atol=cell)
    rows = np.flatnonzero(image.any(axis=1))
    split = int(rows[np.flatnonzero(np.diff(rows) > 1)[0]]) + 1  # first empty row between the squares
    gap = (blobs[0][1] + blobs[1][0]) // 2  # an empty drawing row between the squares
    for (i0, i1), (d0, d1) in (((0, split), (0, gap)), ((split, 28), (gap, ink.shape[0]))):
        r0, c0, r1, c1 = _ink_box(image[i0:i1])
        s0, t0, s1, t1 = _ink_box(ink[d0:d1])
        np.testing.assert_allclose(drawing_box(steps, (r0 + i0, c0, r1 + i0, c1)), (s0 + d0, t0, s1 + d0, t1), atol=cell)

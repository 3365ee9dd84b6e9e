"""The ERF (input gradient of one unit) against finite differences of a forward pass written
with the reference loops of tests/reference.py, and its support against the theoretical field."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.arithmetic import effective_rf as erf
from convviz.arithmetic import rf_draw
from tests import reference


def _pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def _ref_forward(layers: list[dict], x: np.ndarray, prefix: str, weights: dict) -> np.ndarray:
    """Forward pass of a small spec with the reference loops and the ERF's own weights."""
    for i, layer in enumerate(layers):
        path = f"{prefix}.{i}"
        kind = layer["type"]
        if kind == "Conv2d":
            w, b = weights[path]
            p = _pair(layer.get("padding", 0))
            x = reference.conv2d(
                x, w, b, stride=_pair(layer.get("stride", 1)), padding=(p[0], p[0], p[1], p[1]),
                dilation=_pair(layer.get("dilation", 1)), groups=layer.get("groups", 1),
            )
        elif kind == "ConvTranspose2d":
            w, b = weights[path]
            x = reference.conv_transpose2d(
                x, w, stride=_pair(layer.get("stride", 1)), padding=_pair(layer.get("padding", 0)),
                output_padding=_pair(layer.get("output_padding", 0)), dilation=_pair(layer.get("dilation", 1)),
            ) + (b[:, None, None] if b is not None else 0)
        elif kind in ("MaxPool2d", "AvgPool2d"):
            k = _pair(layer["kernel_size"])
            x = reference.pool2d(
                x, "max" if kind == "MaxPool2d" else "avg", k, _pair(layer["stride"]) if layer.get("stride") else None,
                _pair(layer.get("padding", 0)), _pair(layer.get("dilation", 1)), layer.get("ceil_mode", False),
                layer.get("count_include_pad", True),
            )
        elif kind == "AdaptiveAvgPool2d":
            x = reference.adaptive_pool2d(x, "avg", _pair(layer["output_size"]))
        elif kind == "ReLU":
            x = np.maximum(x, 0)
        elif kind == "Tanh":
            x = np.tanh(x)
        elif kind == "Sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "Residual":
            body = _ref_forward(layer["body"], x, f"{path}.body", weights)
            x = body + _ref_forward(layer.get("shortcut", []), x, f"{path}.shortcut", weights)
        elif kind == "Concat":
            x = np.concatenate([
                _ref_forward(br, x, f"{path}.branches.{b}", weights) for b, br in enumerate(layer["branches"])
            ])
        else:
            raise AssertionError(kind)
    return x


def _ref_to(spec: dict, path: str, x: np.ndarray, weights: dict) -> np.ndarray:
    """Output of the layer at ``path``: the top-level layers before it, then (for a path
    inside a Residual body) the body's layers up to it."""
    parts = path.split(".")
    top = int(parts[1])
    if len(parts) == 2:
        return _ref_forward(spec["layers"][: top + 1], x, "layers", weights)
    assert parts[2] == "body" and len(parts) == 4
    x = _ref_forward(spec["layers"][:top], x, "layers", weights)
    body = spec["layers"][top]["body"][: int(parts[3]) + 1]
    return _ref_forward(body, x, f"layers.{top}.body", weights)


def _finite_difference(spec: dict, result: erf.ERF, eps: float = 1e-6) -> np.ndarray:
    """d y[unit] / d x by central differences, y from the reference forward pass."""
    i, j = result.unit

    def unit_value(x: np.ndarray) -> float:
        y = _ref_to(spec, result.path, x, result.weights)
        return float(y[:, i, j].sum() if result.channel is None else y[result.channel, i, j])

    x0 = result.input
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        xp, xm = x0.copy(), x0.copy()
        xp[idx] += eps
        xm[idx] -= eps
        grad[idx] = (unit_value(xp) - unit_value(xm)) / (2 * eps)
    return grad


NETS = [
    # conv (strided, padded, dilated), relu, max pool, tanh
    {"input": [2, 9, 9], "layers": [
        {"type": "Conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1},
        {"type": "ReLU"},
        {"type": "MaxPool2d", "kernel_size": 2, "stride": 1},
        {"type": "Conv2d", "out_channels": 2, "kernel_size": [3, 2], "dilation": 2, "stride": [1, 2]},
        {"type": "Tanh"},
        {"type": "Conv2d", "out_channels": 2, "kernel_size": 1},
    ], "path": "layers.4", "unit": (1, 1), "channel": 1},
    # avg pool without counting the padding, ceil mode, then a residual and a concat block
    {"input": [1, 8, 8], "layers": [
        {"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
        {"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 1}, {"type": "Sigmoid"}]},
        {"type": "Concat", "branches": [[{"type": "Conv2d", "out_channels": 2, "kernel_size": 1}],
                                         [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 1}]]},
    ], "path": "layers.2", "unit": (2, 1), "channel": None},
    # a unit inside a block, a grouped conv and a transposed conv
    {"input": [2, 6, 6], "layers": [
        {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "groups": 2},
        {"type": "ConvTranspose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
        {"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1}, {"type": "ReLU"}]},
    ], "path": "layers.2.body.0", "unit": (3, 4), "channel": 0},
]


@pytest.mark.parametrize("net", NETS, ids=["conv-pool", "blocks", "nested-convT"])
def test_gradient_equals_finite_differences_of_the_reference(net: dict) -> None:
    result = erf.effective_receptive_field(net, net["path"], net["unit"], net["channel"], weights="random", seed=3)
    fd = _finite_difference(net, result)
    np.testing.assert_allclose(result.grad, fd, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(result.magnitude, np.abs(fd).sum(axis=0), atol=1e-5)
    assert np.abs(result.grad).max() > 0


STACKS = [
    [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3}, {"type": "ReLU"},
     {"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "dilation": 2}],
    [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1}, {"type": "AvgPool2d", "kernel_size": 2},
     {"type": "Conv2d", "out_channels": 1, "kernel_size": [3, 1], "stride": 2, "padding": 1}],
    [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 1, "padding": 1},
     {"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 2, "padding": 2},
     {"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 4, "padding": 4}],
]


@pytest.mark.parametrize("layers", STACKS, ids=["dilated", "pooled", "1-2-4"])
def test_uniform_erf_support_is_the_theoretical_field(layers: list[dict]) -> None:
    n = 15 if len(layers) == 3 and layers[2].get("dilation") == 4 else 11
    """With positive weights and a positive input nothing cancels, so the gradient is non-zero
    exactly on the brute-force support (impulse responses through the reference loops) and,
    when the engine is present, on the engine's field rectangle clipped to the image."""
    spec = {"name": "s", "input": [1, n, n], "layers": layers}
    path = f"layers.{len(layers) - 1}"
    first = erf.effective_receptive_field(spec, path, (0, 0), weights="uniform")
    _, out_h, out_w = first.output_shape
    # impulse responses of every unit at once: one reference forward pass per input cell
    brute = np.zeros((n, n, out_h, out_w))
    for r in range(n):
        for c in range(n):
            x = np.zeros((1, n, n))
            x[0, r, c] = 1.0
            brute[r, c] = _ref_forward(layers, x, "layers", first.weights).sum(axis=0)
    try:
        from convviz.arithmetic.summary import summarize

        rf = summarize(spec).layers[-1].receptive_field
        size, jump, start = (rf["size"], rf["jump"], rf["start"]) if isinstance(rf, dict) else (rf.size, rf.jump, rf.start)
    except ImportError:
        size = None
    checked = 0
    for i in range(out_h):
        for j in range(out_w):
            result = erf.effective_receptive_field(spec, path, (i, j), weights="uniform")
            # all-positive linear paths: the impulse response is non-zero where the gradient is
            np.testing.assert_array_equal(result.magnitude > 1e-12, brute[:, :, i, j] > 1e-12)
            if size is None:
                continue
            full = rf_draw.unit_rect(size, jump, start, i, j)
            rect = rf_draw.clip_rect(full, n, n)
            box = erf.support_box(result.magnitude, 1e-12)
            if box is not None:  # never outside the theoretical field
                assert rect.top <= box[0] <= box[2] <= rect.bottom and rect.left <= box[1] <= box[3] <= rect.right
            if min(full.top, full.left) >= 0 and max(full.bottom, full.right) <= n - 1:
                # a field inside the image: no zero padding anywhere on its paths, equal supports
                assert box == (full.top, full.left, full.bottom, full.right)
                checked += 1
    assert size is None or checked >= 1


def test_max_pool_routes_to_one_input_per_window() -> None:
    spec = {"input": [1, 4, 4], "layers": [{"type": "MaxPool2d", "kernel_size": 2}]}
    x = np.arange(16.0).reshape(1, 4, 4)
    result = erf.effective_receptive_field(spec, "layers.0", (0, 1), x=x)
    expected = np.zeros((4, 4))
    expected[1, 3] = 1.0  # the largest of x[0:2, 2:4]
    np.testing.assert_array_equal(result.magnitude, expected)


def test_size_cap_and_bad_requests_give_clear_messages() -> None:
    big = {"input": [3, 224, 224], "layers": [{"type": "Conv2d", "out_channels": 64, "kernel_size": 7, "stride": 2, "padding": 3},
                                            {"type": "Conv2d", "out_channels": 256, "kernel_size": 3, "padding": 1}]}
    with pytest.raises(erf.ERFTooLarge) as info:
        erf.effective_receptive_field(big, "layers.1", (0, 0))
    assert "limit" in str(info.value) and "límite" in info.value.localized("es")
    with pytest.raises(erf.ERFTooLarge):
        erf.effective_receptive_field({"input": [3, 600, 600], "layers": [{"type": "ReLU"}]}, "layers.0", (0, 0))
    small = {"input": [1, 6, 6], "layers": [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3}, {"type": "Flatten"},
                                          {"type": "Linear", "out_features": 3}]}
    with pytest.raises(erf.ERFError):
        erf.effective_receptive_field(small, "layers.0", (4, 0))  # outside the 4 x 4 map
    with pytest.raises(erf.ERFError):
        erf.effective_receptive_field(small, "layers.2", (0, 0))
    with pytest.raises(erf.ERFError):
        erf.effective_receptive_field(small, "layers.9", (0, 0))
    with pytest.raises(erf.ERFError):
        erf.effective_receptive_field(small, "layers.0", (0, 0), weights="gaussian")

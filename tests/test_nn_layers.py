"""Gradient checks (central finite differences) for every layer, and the fast layers against the
naive loops of tests/reference.py (forward and backward)."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.nn.blocks import Concat, Residual
from convviz.nn.layers import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    Layer,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    softmax_cross_entropy,
)
from tests import reference


def _loss(layer: Layer, x: np.ndarray, proj: np.ndarray, train: bool) -> float:
    if isinstance(layer, Dropout):
        layer.rng = np.random.default_rng(123)  # the same mask for every evaluation
    return float((layer.forward(x, train).astype(np.float64) * proj).sum())




def check_layer(layer: Layer, x: np.ndarray, train: bool = True, eps: float = 1e-2, tol: float = 2e-2) -> None:
    rng = np.random.default_rng(7)
    x = x.astype(np.float32)
    y = layer.forward(x, train)
    proj = rng.standard_normal(y.shape)  # L = sum(y * proj), so dL/dy = proj
    _loss(layer, x, proj, train)
    dx = layer.backward(proj.astype(np.float32))
    grads = {k: v.copy() for k, v in layer.grads.items()}
    f = lambda: _loss(layer, x, proj, train)  # noqa: E731
    idx, num = reference.numeric_grad(f, x, eps, 40, rng)
    ana = dx.reshape(-1)[idx]
    np.testing.assert_allclose(ana, num, rtol=tol, atol=tol * max(1.0, np.abs(num).max()) * 0.1)
    for name, p in layer.params.items():
        idx, num = reference.numeric_grad(f, p, eps, 30, rng)
        ana = grads[name].reshape(-1)[idx]
        np.testing.assert_allclose(ana, num, rtol=tol, atol=tol * max(1.0, np.abs(num).max()) * 0.1, err_msg=name)


def _x(shape, seed=0):
    # values spread apart so max-pooling and ReLU have no near-ties within eps
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) / np.prod(shape) * 4 - 2).astype(np.float32)


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 2), (2, 1), (3, 0)])
def test_conv2d_gradients(stride: int, padding: int) -> None:
    layer = Conv2d(3, 4, 3 if stride != 3 else 2, stride=stride, padding=padding, rng=np.random.default_rng(1))
    layer.params["bias"][:] = np.arange(4) * 0.1
    check_layer(layer, _x((2, 3, 7, 8)))


@pytest.mark.parametrize("cls", [MaxPool2d, AvgPool2d])
@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), (3, 1, 0), (2, 2, 0)])
def test_pool_gradients(cls, k, s, p) -> None:
    check_layer(cls(k, s, p), _x((2, 3, 7, 9)), eps=1e-3)


def test_relu_flatten_softmax_gradients() -> None:
    x = _x((3, 2, 4, 5))
    check_layer(ReLU(), x, eps=1e-3)
    check_layer(Flatten(), x)
    check_layer(Softmax(), _x((4, 10)), eps=1e-3)


def test_linear_gradients() -> None:
    check_layer(Linear(12, 5, rng=np.random.default_rng(3)), _x((4, 12)))


def test_dropout_gradients_and_scaling() -> None:
    layer = Dropout(0.4)
    check_layer(layer, _x((4, 50)))
    x = np.ones((200, 500), np.float32)
    y = layer.forward(x, train=True)
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.6)}
    assert abs((y == 0).mean() - 0.4) < 0.01  # p of the units dropped
    np.testing.assert_array_equal(layer.forward(x, train=False), x)  # identity when evaluating


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_gradients(train: bool) -> None:
    layer = BatchNorm2d(3)
    layer.params["weight"][:] = [0.5, 1.5, -1.0]
    layer.params["bias"][:] = [0.1, -0.2, 0.3]
    layer.buffers["running_mean"][:] = [0.1, 0.0, -0.1]
    layer.buffers["running_var"][:] = [0.8, 1.2, 2.0]
    momentum_before = layer.buffers["running_mean"].copy()
    check_layer(layer, _x((4, 3, 3, 3)) * 3 + 1, train=train, eps=1e-2, tol=3e-2)
    if train:
        assert not np.allclose(layer.buffers["running_mean"], momentum_before)


def test_batchnorm_normalises_per_channel() -> None:
    layer = BatchNorm2d(2)
    x = np.random.default_rng(0).normal(5.0, 3.0, (8, 2, 4, 4)).astype(np.float32)
    y = layer.forward(x, train=True)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_softmax_cross_entropy_gradient_and_value() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 10))
    t = rng.integers(0, 10, 5)
    loss, grad = softmax_cross_entropy(z, t)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(5), t]).mean())
    eps = 1e-5
    num = np.zeros_like(z)
    for i in range(5):
        for j in range(10):
            zp, zm = z.copy(), z.copy()
            zp[i, j] += eps
            zm[i, j] -= eps
            num[i, j] = (softmax_cross_entropy(zp, t)[0] - softmax_cross_entropy(zm, t)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, num, atol=1e-5)
    # uniform logits: log(10)
    assert softmax_cross_entropy(np.zeros((3, 10)), np.array([1, 2, 3]))[0] == pytest.approx(np.log(10))


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
def test_label_smoothing_value_and_gradient(smoothing: float) -> None:
    """Loss = -mean_n sum_k q_nk log p_nk with q = (1 - s) onehot + s / K, written out by hand
    per digit and class; the gradient by central differences of that loss."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 10)) * 3
    t = rng.integers(0, 10, 4)

    def by_hand(zz: np.ndarray) -> float:
        total = 0.0
        for i in range(4):
            log_p = zz[i] - np.log(sum(np.exp(v) for v in zz[i]))
            for k in range(10):
                q = (1 - smoothing) * (k == t[i]) + smoothing / 10
                total -= q * log_p[k]
        return total / 4

    loss, grad = softmax_cross_entropy(z, t, smoothing)
    assert loss == pytest.approx(by_hand(z), rel=1e-12)
    num = np.zeros_like(z)
    for i in range(4):
        for j in range(10):
            zp, zm = z.copy(), z.copy()
            zp[i, j] += 1e-5
            zm[i, j] -= 1e-5
            num[i, j] = (by_hand(zp) - by_hand(zm)) / 2e-5
    np.testing.assert_allclose(grad, num, atol=1e-6)
    # uniform logits: log K whatever the smoothing; a perfect one-hot fit is no longer the optimum
    assert softmax_cross_entropy(np.zeros((2, 10)), np.array([0, 5]), smoothing)[0] == pytest.approx(np.log(10))
    assert np.abs(softmax_cross_entropy(np.eye(10)[t] * 50, t, smoothing)[1]).max() > 0.01
    with pytest.raises(ValueError):
        softmax_cross_entropy(z, t, 1.0)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_label_smoothing_floor_is_the_smallest_loss(smoothing: float) -> None:
    """The floor equals scipy's entropy of the target q; logits log q reach it with a zero
    gradient, and random logits stay above it."""
    from scipy.stats import entropy

    from convviz.nn import label_smoothing_floor, smoothed_targets

    right, other = smoothed_targets(smoothing, 10)
    q = np.full(10, other)
    q[3] = right
    assert q.sum() == pytest.approx(1.0)
    floor = label_smoothing_floor(smoothing, 10)
    assert floor == pytest.approx(entropy(q), abs=1e-12)
    if smoothing:
        loss, grad = softmax_cross_entropy(np.log(q)[None], np.array([3]), smoothing)
        assert loss == pytest.approx(floor, abs=1e-12) and np.abs(grad).max() < 1e-7
    rng = np.random.default_rng(4)
    for _ in range(20):
        assert softmax_cross_entropy(rng.standard_normal((1, 10)) * 4, np.array([3]), smoothing)[0] >= floor


def test_label_smoothing_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 10))
    t = rng.integers(0, 10, 6)
    tz = torch.tensor(z, requires_grad=True)
    tloss = torch.nn.functional.cross_entropy(tz, torch.from_numpy(t), label_smoothing=0.1)
    tloss.backward()
    loss, grad = softmax_cross_entropy(z, t, 0.1)
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    np.testing.assert_allclose(grad, tz.grad.numpy(), atol=1e-7)


def _per_sample(fn, *arrays):
    """Run a (C, H, W) reference on every sample of NCHW batches."""
    return np.stack([fn(*items) for items in zip(*arrays, strict=True)])


CONVS = [  # (kernel, stride, padding (top, bottom, left, right), dilation, groups)
    (5, 1, (2, 2, 2, 2), 1, 1), (3, 2, (0, 0, 0, 0), 1, 1), (3, 1, (1, 1, 1, 1), 1, 1), (2, 3, (1, 1, 1, 1), 1, 1),
    ((3, 2), (1, 2), (1, 2, 0, 1), (2, 1), 1), (3, 1, (1, 1, 1, 1), 1, 3), (3, 2, (2, 1, 1, 2), (1, 2), 3),
]


@pytest.mark.parametrize("k,s,pads,d,g", CONVS)
def test_conv_matches_naive_loops(k, s, pads, d, g) -> None:
    """Forward and backward (dx, dW, db) of the im2col convolution equal the loops, with
    strides, uneven padding, dilation and groups."""
    rng = np.random.default_rng(2)
    layer = Conv2d(3, 6, k, stride=s, padding=pads, dilation=d, groups=g, rng=rng)
    layer.params["bias"][:] = rng.standard_normal(6)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    fast = layer.forward(x)
    w, b = layer.params["weight"], layer.params["bias"]
    st, dl = layer.strides, layer.dilations
    slow = _per_sample(lambda xi: reference.conv2d(xi, w, b, st, pads, dl, g), x)
    np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-4)
    assert fast.shape[1:] == layer.output_shape(x.shape[1:])
    dy = rng.standard_normal(fast.shape).astype(np.float32)
    dx = layer.backward(dy)
    refs = [reference.conv2d_backward(xi, w, dyi, st, pads, dl, g) for xi, dyi in zip(x, dy, strict=True)]
    np.testing.assert_allclose(dx, np.stack([r[0] for r in refs]), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.grads["weight"], sum(r[1] for r in refs), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(layer.grads["bias"], sum(r[2] for r in refs), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("k,s,p,op,d,g", [(3, 2, 1, 1, 1, 1), ((2, 3), (2, 1), (0, 1), (1, 0), 1, 1), (3, 1, 0, 0, 2, 3)])
def test_conv_transpose_matches_the_scatter_loops_and_finite_differences(k, s, p, op, d, g) -> None:
    rng = np.random.default_rng(5)
    layer = ConvTranspose2d(3, 6, k, stride=s, padding=p, output_padding=op, groups=g, dilation=d, rng=rng)
    layer.params["bias"][:] = rng.standard_normal(6)
    x = _x((2, 3, 4, 5))
    fast = layer.forward(x)
    w, b = layer.params["weight"], layer.params["bias"]
    slow = _per_sample(lambda xi: reference.conv_transpose2d(
        xi, w, layer.strides, layer.padding, layer.output_padding, layer.dilations, g) + b[:, None, None], x)
    np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-4)
    assert fast.shape[1:] == layer.output_shape(x.shape[1:])
    check_layer(layer, x)


POOLS = [  # (kernel, stride, padding, dilation, ceil_mode, count_include_pad)
    (2, 2, 0, 1, False, True), (3, 2, 1, 1, False, True), (3, 1, 1, 1, False, True), (2, 1, 0, 1, False, True),
    (3, 3, 0, 1, False, True), (3, 2, 1, 1, True, False), ((3, 2), (2, 1), (1, 0), 1, True, True),
    (2, 2, 1, (2, 1), True, True),
]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k,s,p,d,ceil,include", POOLS)
def test_pool_matches_naive_loops(mode, k, s, p, d, ceil, include) -> None:
    d = 1 if mode == "avg" else d  # average pooling has no dilation
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 9, 10)).astype(np.float32)
    x[0, 0, :4, :4] = 0.5  # ties: the gradient goes to the first maximum, like PyTorch
    if mode == "max":
        layer: Layer = MaxPool2d(k, s, p, dilation=d, ceil_mode=ceil)
    else:
        layer = AvgPool2d(k, s, p, ceil_mode=ceil, count_include_pad=include)
    args = (layer.kernel, layer.strides, layer.padding, layer.dilations, ceil, include)
    fast = layer.forward(x)
    slow = _per_sample(lambda xi: reference.pool2d(xi, mode, *args), x)
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)
    dy = rng.standard_normal(fast.shape).astype(np.float32)
    expected = _per_sample(lambda xi, dyi: reference.pool2d_backward(xi, dyi, mode, *args), x, dy)
    np.testing.assert_allclose(layer.backward(dy), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls,kind", [(AdaptiveAvgPool2d, "avg"), (AdaptiveMaxPool2d, "max")])
@pytest.mark.parametrize("size", [(3, 4), (1, 1), (5, None)])
def test_adaptive_pools_match_the_loops_and_finite_differences(cls, kind, size) -> None:
    layer = cls(size)
    x = _x((2, 3, 7, 9))
    out_hw = (size[0], 9 if size[1] is None else size[1])
    np.testing.assert_allclose(layer.forward(x), _per_sample(lambda xi: reference.adaptive_pool2d(xi, kind, out_hw), x),
                               rtol=1e-6, atol=1e-6)
    check_layer(layer, x, eps=1e-3)


def test_elementwise_and_block_gradients() -> None:
    x = _x((2, 3, 5, 4))
    for layer in (LeakyReLU(0.1), Sigmoid(), Tanh(), Identity()):
        check_layer(layer, x, eps=1e-3)
    rng = np.random.default_rng(8)
    res = Residual([Conv2d(3, 3, 3, padding=1, rng=rng), Tanh()], [Conv2d(3, 3, 1, rng=rng)])
    check_layer(res, x, eps=1e-3)
    cat = Concat([[Conv2d(3, 2, 3, padding=(1, 1, 0, 2), rng=rng)], [Identity()]])
    y = cat.forward(x)
    assert y.shape == (2, 5, 5, 4) and cat.output_shape((3, 5, 4)) == (5, 5, 4)
    check_layer(cat, x, eps=1e-3)
    assert set(res.params) == {"body.0.weight", "body.0.bias", "shortcut.0.weight", "shortcut.0.bias"}


def test_dropout2d_drops_whole_channels() -> None:
    layer = Dropout2d(0.5, rng=np.random.default_rng(1))
    y = layer.forward(np.ones((4, 16, 3, 3), np.float32), train=True)
    per_map = y.reshape(4, 16, -1)
    assert np.all(per_map.min(axis=2) == per_map.max(axis=2))  # each map all kept or all dropped
    assert {0.0, 2.0} == set(np.unique(y))


def test_published_shapes() -> None:
    # LeNet-like shapes: 28 -> conv5 pad2 -> 28 -> pool -> 14 -> conv5 -> 10 -> pool -> 5
    conv = Conv2d(1, 6, 5, padding=2)
    assert conv.forward(np.zeros((1, 1, 28, 28))).shape == (1, 6, 28, 28)
    assert MaxPool2d(2).forward(np.zeros((1, 6, 28, 28))).shape == (1, 6, 14, 14)
    assert Conv2d(6, 16, 5).forward(np.zeros((1, 6, 14, 14))).shape == (1, 16, 10, 10)
    # PyTorch drops the incomplete last window (floor mode): 7 -> 3
    assert MaxPool2d(2).forward(np.zeros((1, 1, 7, 7))).shape == (1, 1, 3, 3)


def test_bad_settings_raise_value_error() -> None:
    with pytest.raises(ValueError):
        Conv2d(1, 4, 5).forward(np.zeros((1, 2, 28, 28)))
    with pytest.raises(ValueError):
        Conv2d(1, 4, 9).forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError):
        MaxPool2d(3, padding=2)
    with pytest.raises(ValueError):
        Dropout(1.0)

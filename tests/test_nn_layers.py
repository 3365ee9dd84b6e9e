"""Gradient checks (central finite differences) for every layer, and fast vs naive layers."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.nn import reference
from convviz.nn.layers import (
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
    Softmax,
    softmax_cross_entropy,
)


def _loss(layer: Layer, x: np.ndarray, proj: np.ndarray, train: bool) -> float:
    if isinstance(layer, Dropout):
        layer.rng = np.random.default_rng(123)  # the same mask for every evaluation
    return float((layer.forward(x, train).astype(np.float64) * proj).sum())


def _numeric_grad(f, arr: np.ndarray, eps: float, n_checks: int, rng: np.random.Generator):
    """Central differences of f() with respect to randomly chosen entries of arr (in place)."""
    flat = arr.reshape(-1)
    idx = rng.choice(flat.size, size=min(n_checks, flat.size), replace=False)
    out = []
    for i in idx:
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out.append((up - down) / (2 * eps))
    return idx, np.array(out)


def check_layer(layer: Layer, x: np.ndarray, train: bool = True, eps: float = 1e-2, tol: float = 2e-2) -> None:
    rng = np.random.default_rng(7)
    x = x.astype(np.float32)
    y = layer.forward(x, train)
    proj = rng.standard_normal(y.shape)  # L = sum(y * proj), so dL/dy = proj
    _loss(layer, x, proj, train)
    dx = layer.backward(proj.astype(np.float32))
    grads = {k: v.copy() for k, v in layer.grads.items()}
    f = lambda: _loss(layer, x, proj, train)  # noqa: E731
    idx, num = _numeric_grad(f, x, eps, 40, rng)
    ana = dx.reshape(-1)[idx]
    np.testing.assert_allclose(ana, num, rtol=tol, atol=tol * max(1.0, np.abs(num).max()) * 0.1)
    for name, p in layer.params.items():
        idx, num = _numeric_grad(f, p, eps, 30, rng)
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


@pytest.mark.parametrize("k,s,p", [(5, 1, 2), (3, 2, 0), (3, 1, 1), (2, 3, 1)])
def test_conv_matches_naive_loops(k: int, s: int, p: int) -> None:
    rng = np.random.default_rng(2)
    layer = Conv2d(3, 5, k, stride=s, padding=p, rng=rng)
    layer.params["bias"][:] = rng.standard_normal(5)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    fast = layer.forward(x)
    slow = reference.conv2d(x, layer.params["weight"], layer.params["bias"], s, p)
    np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(fast.shape).astype(np.float32)
    dx = layer.backward(dy)
    dx_ref, dw_ref, db_ref = reference.conv2d_backward(x, layer.params["weight"], dy, s, p)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.grads["weight"], dw_ref, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(layer.grads["bias"], db_ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0), (3, 3, 0)])
def test_pool_matches_naive_loops(mode: str, k: int, s: int, p: int) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 9, 10)).astype(np.float32)
    x[0, 0, :4, :4] = 0.5  # ties: the gradient goes to the first maximum, like PyTorch
    layer = (MaxPool2d if mode == "max" else AvgPool2d)(k, s, p)
    fast = layer.forward(x)
    slow = reference.pool2d(x, k, s, p, mode)
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)
    dy = rng.standard_normal(fast.shape).astype(np.float32)
    np.testing.assert_allclose(layer.backward(dy), reference.pool2d_backward(x, dy, k, s, p, mode), rtol=1e-5, atol=1e-5)


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

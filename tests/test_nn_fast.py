"""The fast paths of the numpy CNN (issue 15): convolution and pooling give the naive loops'
results whatever the memory layout of their inputs (convolutions hand NCHW arrays stored
channel-first, batch-last to the next layer), a whole digit network's gradients equal central
finite differences in float64, and (when PyTorch is installed) one training step of the digit
network equals PyTorch's: logits, every parameter gradient and the Adam update."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.nn import Adam, build_model, softmax_cross_entropy
from convviz.nn.layers import AvgPool2d, Conv2d, MaxPool2d, ReLU
from tests import reference


def _batch_last(a: np.ndarray) -> np.ndarray:
    """The same NCHW values stored as (C, H, W, N) in memory."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def _per_sample(fn, *arrays):
    return np.stack([fn(*items) for items in zip(*arrays, strict=True)])


LAYOUTS = [(False, False), (True, False), (False, True), (True, True)]  # (x batch-last, dy batch-last)


@pytest.mark.parametrize("x_last,dy_last", LAYOUTS)
@pytest.mark.parametrize("k,s,pads,d,g", [(5, 1, (2, 2, 2, 2), 1, 1), (3, 2, (1, 0, 2, 1), (2, 1), 2)])
def test_conv_is_layout_independent(x_last, dy_last, k, s, pads, d, g) -> None:
    rng = np.random.default_rng(11)
    layer = Conv2d(4, 6, k, stride=s, padding=pads, dilation=d, groups=g, rng=rng)
    layer.params["bias"][:] = rng.standard_normal(6)
    layer.need_input_grad = True
    x = rng.standard_normal((3, 4, 10, 9)).astype(np.float32)
    w, b = layer.params["weight"], layer.params["bias"]
    y = layer.forward(_batch_last(x) if x_last else x)
    slow = _per_sample(lambda xi: reference.conv2d(xi, w, b, layer.strides, pads, layer.dilations, g), x)
    np.testing.assert_allclose(y, slow, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = layer.backward(_batch_last(dy) if dy_last else dy)
    refs = [reference.conv2d_backward(xi, w, dyi, layer.strides, pads, layer.dilations, g) for xi, dyi in zip(x, dy, strict=True)]
    np.testing.assert_allclose(dx, np.stack([r[0] for r in refs]), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.grads["weight"], sum(r[1] for r in refs), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(layer.grads["bias"], sum(r[2] for r in refs), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("x_last,dy_last", LAYOUTS)
@pytest.mark.parametrize("mode,k,s,p", [("max", 2, 2, 0), ("max", 3, 2, 1), ("avg", 2, 2, 0), ("avg", 3, 1, 1)])
def test_pooling_is_layout_independent_and_sends_ties_to_the_first_maximum(x_last, dy_last, mode, k, s, p) -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 2, 9, 8)).astype(np.float32)
    x[:, :, :4, :4] = 0.0  # ties, as after a ReLU
    layer = MaxPool2d(k, s, p) if mode == "max" else AvgPool2d(k, s, p)
    args = (layer.kernel, layer.strides, layer.padding, layer.dilations, False, True)
    y = layer.forward(_batch_last(x) if x_last else x)
    np.testing.assert_allclose(y, _per_sample(lambda xi: reference.pool2d(xi, mode, *args), x), rtol=1e-6, atol=1e-6)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    expected = _per_sample(lambda xi, dyi: reference.pool2d_backward(xi, dyi, mode, *args), x, dy)
    np.testing.assert_allclose(layer.backward(_batch_last(dy) if dy_last else dy), expected, rtol=1e-6, atol=1e-6)


def test_a_relu_after_a_convolution_keeps_its_memory_layout() -> None:
    """The point of the layout: no transposing copy between conv, ReLU and pooling."""
    x = np.random.default_rng(0).standard_normal((8, 3, 12, 12)).astype(np.float32)
    y = ReLU().forward(Conv2d(3, 5, 3, padding=1).forward(x))
    assert y.transpose(1, 2, 3, 0).flags.c_contiguous


def test_digit_network_gradients_equal_finite_differences_in_float64() -> None:
    """The whole chain (conv, ReLU, pool, conv, ReLU, pool, flatten, linear) in float64:
    input and parameter gradients of the loss against central differences."""
    model = build_model("small", seed=3)
    for layer in model.layers:
        layer.astype(np.float64)
    rng = np.random.default_rng(4)
    x = rng.random((3, 1, 28, 28))
    t = np.array([1, 7, 3])

    def loss() -> float:
        return softmax_cross_entropy(model.forward(x, train=True), t)[0]

    _, d = softmax_cross_entropy(model.forward(x, train=True), t)
    dx = model.backward(d.astype(np.float64), input_grad=True)
    grads = {k: v.copy() for k, v in model.grads().items()}
    checks = [(x, dx)] + [(p, grads[k]) for k, p in model.params().items()]
    eps = 1e-6
    for arr, ana in checks:
        idx, num = reference.numeric_grad(loss, arr, eps, 8, rng)
        assert ana.reshape(-1)[idx] == pytest.approx(num, rel=1e-4, abs=1e-8)


def test_one_training_step_equals_pytorchs() -> None:
    """Same weights and batch: logits, loss, every gradient and the Adam update match PyTorch."""
    torch = pytest.importorskip("torch")
    model = build_model("medium", seed=5)
    nn = torch.nn
    tnet = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10)).double()
    ours = model.params()
    with torch.no_grad():
        for name, p in tnet.named_parameters():
            p.copy_(torch.from_numpy(ours[f"layers.{name}"].astype(np.float64)))
    rng = np.random.default_rng(6)
    x = rng.random((64, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, 64)
    logits = model.forward(x, train=True)
    loss, d = softmax_cross_entropy(logits, t)
    model.backward(d)
    before = {k: v.astype(np.float64) for k, v in ours.items()}
    Adam(ours, lr=1e-3).step(model.grads())
    tx = torch.from_numpy(x.astype(np.float64))
    tlogits = tnet(tx)
    tloss = nn.functional.cross_entropy(tlogits, torch.from_numpy(t))
    tloss.backward()
    opt = torch.optim.Adam(tnet.parameters(), lr=1e-3)
    grads = {f"layers.{n}": p.grad.numpy().copy() for n, p in tnet.named_parameters()}
    opt.step()
    np.testing.assert_allclose(logits, tlogits.detach().numpy(), rtol=1e-4, atol=1e-4)
    assert loss == pytest.approx(tloss.item(), rel=1e-5)
    for name, g in model.grads().items():
        np.testing.assert_allclose(g, grads[name], rtol=1e-3, atol=1e-5 * np.abs(grads[name]).max(), err_msg=name)
    for name, p in tnet.named_parameters():  # Adam's first step is lr * g / (|g| + eps): compare where g is not ~eps
        key = f"layers.{name}"
        clear = np.abs(grads[key]) > 1e-4 * np.abs(grads[key]).max()
        np.testing.assert_allclose((ours[key] - before[key])[clear], (p.detach().numpy() - before[key])[clear],
                                   rtol=1e-3, atol=1e-7, err_msg=name)


def test_shipped_model_predicts_as_the_naive_loops() -> None:
    """assets/digit_cnn.npz through the fast layers, one by one and in a batch, gives the
    probabilities of the brute-force loops of tests/reference.py (float64) to 1e-5, on the
    input the model's layers see (:meth:`Sequential.prepare`)."""
    from convviz.digits import load_classifier, preprocess_canvas
    from convviz.digits.samples import sample_canvas
    from convviz.nn import softmax

    model = load_classifier()
    images = np.stack([preprocess_canvas(sample_canvas(d)) for d in (3, 7)])
    p = {k: v.astype(np.float64) for k, v in model.params().items()}

    def naive(image: np.ndarray) -> np.ndarray:
        x = image[None].astype(np.float64) / 255.0
        for i, layer in enumerate(model.layers):
            w, b = p.get(f"layers.{i}.weight"), p.get(f"layers.{i}.bias")
            if layer.type_name == "Conv2d":
                x = reference.conv2d(x, w, b, padding=tuple(layer.pads))  # symmetric padding here
            elif layer.type_name == "ReLU":
                x = np.maximum(x, 0)
            elif layer.type_name == "MaxPool2d":
                x = reference.pool2d(x, "max", (2, 2))
            elif layer.type_name == "Flatten":
                x = x.reshape(-1)
            elif layer.type_name == "Linear":
                x = w @ x + b
            else:  # dropout is the identity at inference
                assert layer.type_name == "Dropout", layer.type_name
        return softmax(x[None])[0]

    kinds = [la.type_name for la in model.layers]
    assert kinds.count("Conv2d") >= 2 and kinds.count("Linear") == 2
    # the layers' arithmetic is checked here; the deskewing in front of them (the shipped model
    # deskews) against its own pixel loops in tests/test_deskew.py
    expected = np.stack([naive(im) for im in model.prepare(images)])
    np.testing.assert_allclose(model.predict_proba(images), expected, atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(images[1:]), expected[1:], atol=1e-5)
    assert list(model.predict(images)) == [3, 7]

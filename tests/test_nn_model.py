"""Sequential models, optimisers and the trainer: save/load, spec, training lowers the loss,
callbacks, early stopping, threads, and the input gradient against finite differences."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from convviz.nn import (
    SGD,
    Adam,
    History,
    Sequential,
    TrainConfig,
    Trainer,
    build_model,
    evaluate,
)
from convviz.nn.layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU
from tests._digit_data import generated_digits, some_digits


def _trained_a_bit(batchnorm: bool = False) -> Sequential:
    model = build_model("small", batchnorm=batchnorm, dropout=0.2, seed=1)
    x, y = generated_digits(64, seed=5)
    Trainer(model, TrainConfig(epochs=1, batch_size=32)).fit(x, y)
    return model


@pytest.mark.parametrize("batchnorm", [False, True])
def test_save_load_round_trip(tmp_path, batchnorm: bool) -> None:
    model = _trained_a_bit(batchnorm)
    model.meta = {"val_acc": 0.5}
    path = tmp_path / "m.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:  # nothing pickled inside
        assert "__architecture__" in data and "__spec__" in data
        assert json.loads(str(data["__spec__"])) == model.to_spec()
    loaded = Sequential.load(path)
    x, _ = generated_digits(20, seed=9)
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    assert loaded.architecture() == model.architecture()
    assert loaded.meta == {"val_acc": 0.5}
    for k, v in model.buffers().items():
        np.testing.assert_array_equal(loaded.buffers()[k], v)
    assert not (tmp_path / "m.npz.tmp").exists()


def test_load_rejects_other_files(tmp_path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        Sequential.load(bad)
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="architecture"):
        Sequential.load(tmp_path / "plain.npz")
    np.savez(tmp_path / "obj.npz", __architecture__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):  # object arrays would need pickle: refused
        Sequential.load(tmp_path / "obj.npz")


def test_spec_is_engine_format() -> None:
    spec = build_model("medium", dropout=0.25).to_spec()
    assert spec == {
        "name": "digit_cnn",
        "input": [1, 28, 28],
        "layers": [
            {"type": "Conv2d", "out_channels": 16, "kernel_size": 5, "padding": 2},
            {"type": "ReLU"},
            {"type": "MaxPool2d", "kernel_size": 2},
            {"type": "Conv2d", "out_channels": 32, "kernel_size": 5},
            {"type": "ReLU"},
            {"type": "MaxPool2d", "kernel_size": 2},
            {"type": "Flatten"},
            {"type": "Linear", "out_features": 128},
            {"type": "ReLU"},
            {"type": "Dropout", "p": 0.25},
            {"type": "Linear", "out_features": 10},
        ],
    }
    bn = build_model("small", batchnorm=True).to_spec()["layers"]
    assert bn[1] == {"type": "BatchNorm2d"}


def test_build_model_sizes_and_init_scale() -> None:
    counts = [build_model(s).n_params() for s in ("small", "medium", "large")]
    assert counts == sorted(counts) and len(set(counts)) == 3
    # medium by hand: conv 16*25+16, conv 32*16*25+32, fc 800*128+128, fc 128*10+10
    assert counts[1] == 416 + 12832 + 102528 + 1290
    a = build_model("medium", seed=0).params()["layers.0.weight"]
    b = build_model("medium", seed=0, init_scale=1e-3).params()["layers.0.weight"]
    np.testing.assert_allclose(b, a * 1e-3, rtol=1e-5)
    assert abs(a.std() - np.sqrt(2 / 25)) < 0.05  # He: std sqrt(2 / fan_in)
    with pytest.raises(ValueError):
        build_model("huge")


def test_deep_model_has_three_stages_with_torch_shapes() -> None:
    model = build_model("deep", dropout=0.25, seed=0)
    # by hand: conv 32*1*25+32, conv 64*32*9+64, conv 96*64*9+96, fc 96*3*3*128+128, fc 128*10+10
    assert model.n_params() == 832 + 18496 + 55392 + 110720 + 1290
    x = np.zeros((2, 1, 28, 28), np.float32)
    shapes = []
    for layer in model.layers:
        x = layer.forward(x)
        if layer.type_name == "MaxPool2d":
            shapes.append(x.shape[1:])
    # torch.nn.MaxPool2d(2) floors: 28 -> 14 -> 7 -> 3 (the 3x3 convolutions keep the side)
    assert shapes == [(32, 14, 14), (64, 7, 7), (96, 3, 3)]
    assert model.n_params() * 4 < 1_000_000  # float32 weights stay under the 1 MB file limit


def test_predict_proba_shapes() -> None:
    model = build_model("small")
    x, _ = generated_digits(7)
    p = model.predict_proba(x)
    assert p.shape == (7, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    assert model.predict_proba(x[0]).shape == (1, 10)


@pytest.mark.parametrize("optimizer,lr", [("adam", 3e-3), ("momentum", 0.03)])
def test_training_lowers_the_loss(optimizer: str, lr: float) -> None:
    x, y = some_digits(200)
    model = build_model("small", seed=0)
    before, _ = evaluate(model, x, y)
    history = Trainer(model, TrainConfig(optimizer=optimizer, lr=lr, epochs=3, batch_size=32)).fit(x, y)
    after, acc = evaluate(model, x, y)
    assert after < 0.6 * before, (before, after)
    assert history.train_loss[-1] < history.train_loss[0]
    assert len(history.iter_loss) == 3 * 7


def test_callback_events_and_stop() -> None:
    x, y = generated_digits(100)
    events: list[dict] = []

    def cb(event: dict) -> bool | None:
        events.append(event)
        return False if event["kind"] == "iteration" and event["iteration"] == 5 else None

    history = Trainer(build_model("small"), TrainConfig(epochs=4, batch_size=10)).fit(x[:80], y[:80], x[80:], y[80:], cb)
    kinds = [e["kind"] for e in events]
    assert kinds == ["iteration"] * 5 + ["epoch"]
    assert set(events[0]) == {"kind", "epoch", "iteration", "loss", "acc"}
    assert set(events[-1]) == {"kind", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds"}
    assert history.stopped_by_callback and history.epochs == 1 and len(history.iter_loss) == 5


def test_early_stopping_restores_best_weights() -> None:
    x, y = some_digits(200)
    model = build_model("small", seed=2)
    cfg = TrainConfig(optimizer="sgd", lr=0.5, epochs=8, batch_size=0, early_stopping_patience=2)  # full batch
    history = Trainer(model, cfg).fit(x[:120], y[:120], x[120:], y[120:])
    assert history.best_epoch is not None
    best = history.best_epoch - 1
    assert history.val_acc[best] == max(history.val_acc)
    val_loss, val_acc = evaluate(model, x[120:], y[120:])
    assert val_acc == pytest.approx(history.val_acc[best], abs=1e-4)
    assert val_loss == pytest.approx(history.val_loss[best], abs=1e-3)
    if history.stopped_early:
        assert history.epochs - history.best_epoch == 2
    assert History(**json.loads(history.to_json())) == history  # the CLI's training log keeps every field


def test_fit_in_background_thread_with_augmentation() -> None:
    x, y = generated_digits(96)
    out: dict = {}
    model = build_model("small")

    def run() -> None:
        out["h"] = Trainer(model, TrainConfig(epochs=2, batch_size=32, augment=True, seed=3)).fit(x, y, x[:20], y[:20])

    t = threading.Thread(target=run)
    t.start()
    probs = model.predict_proba(x[:5])  # the page may predict meanwhile (serialised by the lock)
    t.join(60)
    assert not t.is_alive() and out["h"].epochs == 2
    assert probs.shape == (5, 10)


def test_train_config_validation() -> None:
    x, y = generated_digits(10)
    with pytest.raises(ValueError):
        Trainer(build_model("small"), TrainConfig(optimizer="rmsprop"))
    with pytest.raises(ValueError):
        Trainer(build_model("small"), TrainConfig(lr=0))
    with pytest.raises(ValueError):
        Trainer(build_model("small"), TrainConfig()).fit(x, y[:5])


def test_sgd_momentum_and_adam_steps_by_hand() -> None:
    w = np.array([1.0], np.float32)
    opt = SGD({"w": w}, lr=0.1, momentum=0.9)
    opt.step({"w": np.array([1.0], np.float32)})  # v = 1, w = 1 - 0.1
    opt.step({"w": np.array([1.0], np.float32)})  # v = 1.9, w = 0.9 - 0.19
    assert w[0] == pytest.approx(0.71, abs=1e-6)
    w = np.array([1.0], np.float32)
    adam = Adam({"w": w}, lr=0.01)
    adam.step({"w": np.array([0.3], np.float32)})  # first step: m_hat / sqrt(v_hat) = sign(g)
    assert w[0] == pytest.approx(0.99, abs=1e-6)
    adam.step({"w": np.array([-0.3], np.float32)})  # m = 0.9*0.03 - 0.03 = -0.003; v = 0.09*(0.999*0.001+0.001)
    m_hat = (0.9 * 0.1 * 0.3 - 0.1 * 0.3) / (1 - 0.9**2)
    v_hat = (0.999 * 0.001 * 0.09 + 0.001 * 0.09) / (1 - 0.999**2)
    assert w[0] == pytest.approx(0.99 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8), abs=1e-6)


def test_input_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    model = Sequential(
        [Conv2d(1, 3, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2), Flatten(), Linear(3 * 4 * 4, 10, rng=rng)],
        (1, 8, 8), "tiny",
    )
    image = rng.integers(0, 256, (8, 8)).astype(np.uint8)
    cls, grad = model.input_gradient(image, target=3)
    assert cls == 3
    x = image.astype(np.float64) / 255
    eps = 1e-3
    for i, j in [(0, 0), (3, 4), (7, 7), (5, 1), (2, 6)]:
        up, down = x.copy(), x.copy()
        up[i, j] += eps
        down[i, j] -= eps
        f = lambda z: float(model.forward(z[None, None].astype(np.float32))[0, 3])  # noqa: E731
        assert grad[i, j] == pytest.approx((f(up) - f(down)) / (2 * eps), rel=0.03, abs=2e-3)


def test_blas_thread_limit_is_harmless() -> None:
    from convviz.nn.blas import limit_blas_threads

    assert limit_blas_threads(0) == 0  # 0 = leave BLAS alone
    assert limit_blas_threads(1) >= 0  # OpenBLAS found and set (or another BLAS: nothing to do)
    a = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    np.testing.assert_allclose(a @ a, np.einsum("ij,jk->ik", a, a), rtol=1e-4)


def test_models_built_from_specs_have_the_summary_shapes() -> None:
    """build_layers reads the parsed spec: every top-level output shape is the summary's,
    for the small presets (blocks, transposed convolutions and adaptive pools included)."""
    from convviz.arithmetic.presets import get_preset, list_presets
    from convviz.arithmetic.spec import parse_spec
    from convviz.arithmetic.summary import summarize
    from convviz.nn.from_spec import Unsupported, build_layers, he_init

    count = 0
    for name in list_presets():
        summary = summarize(name)
        if summary.total_params > 3_000_000:
            continue
        try:
            network = parse_spec(get_preset(name))
            assert network.input_shape is not None
            built = build_layers(network.layers, network.input_shape, he_init(0))
            model = Sequential(built.layers, network.input_shape, name)  # type: ignore[arg-type]
        except Unsupported:
            continue
        top = [row.output_shape for row in summary.layers if row.depth == 0]
        assert [tuple(s) for s in model.output_shapes()] == [tuple(s) for s in top], name
        x = np.random.default_rng(0).standard_normal((1, *model.input_shape)).astype(np.float32)
        assert model.forward(x).shape[1:] == tuple(top[-1])
        count += 1
    assert count >= 3


def test_train_digits_offers_every_size() -> None:
    """`convviz train-digits --size` lists the sizes by hand (the CLI imports no numpy to start);
    the list is the engine's SIZES."""
    from convviz.cli import build_parser
    from convviz.nn.model import SIZES

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    size = next(a for a in commands.choices["train-digits"]._actions if a.dest == "size")
    assert sorted(size.choices) == sorted(SIZES)

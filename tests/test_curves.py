"""Training-curve patterns and the training runs behind them.

RECORDED holds the curves of real runs of the lab (the numpy CNN on the generated digits,
data seed 0, 500 validation digits) with the settings of ``convviz.curves.PRESETS``,
rounded to 4 decimals: the detector must name each one.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from convviz import curves as cv
from convviz import datasets as ds
from convviz.nn import History, TrainConfig, Trainer, build_model, evaluate

RECORDED: dict[str, dict[str, list[float]]] = {
    "no_learning": {
        "iter_loss": [
            2.7709, 2.7137, 2.665, 3.0342, 3.2695, 2.9798, 3.0368, 2.8258, 2.8861, 3.2953, 2.7262,
            2.7309, 2.9865, 2.7301, 2.6278, 2.6844, 3.2818, 2.9996, 2.9079, 3.2115, 2.3158, 3.0178,
            2.5863, 2.687, 2.8906, 2.828, 3.0449, 3.0683, 2.5051, 3.045, 3.0075, 3.4343, 3.0126, 2.6166,
            2.8619, 2.7082, 2.7088, 2.8434, 2.8341, 3.0201, 2.9848, 2.9739, 2.8021, 2.8656, 2.7235,
            2.8534, 2.814, 2.9702, 3.0661, 2.8426, 2.9301, 3.1193, 2.8011, 3.1336, 2.7894, 2.8671,
            2.7515, 2.7559, 2.6679, 2.9641, 2.8711, 2.5697, 3.1744, 3.0149, 2.6033, 2.9081, 3.1874,
            2.9309, 2.3476, 2.9434, 2.8048, 2.8671, 3.0099, 2.96, 2.9726, 2.7552, 2.5722, 3.0852, 3.163,
            2.6678, 2.6999, 2.6122, 2.9151, 3.0635, 2.7419, 3.0347, 3.1449, 2.7396, 2.8981, 2.8857,
            2.7662, 2.6112, 3.029, 2.4411, 3.0428, 2.8179
        ],
        "train_loss": [
            2.887, 2.8688, 2.8515
        ],
        "val_loss": [
            2.7949, 2.778, 2.7619
        ],
        "train_acc": [
            0.096, 0.096, 0.096
        ],
        "val_acc": [
            0.108, 0.108, 0.108
        ],
    },
    "diverging": {
        "iter_loss": [
            2.7709, 124.2006, 35.0046, 2.6965, 2.1742, 2.4288, 2.4367, 2.4446, 2.3975, 2.3398, 2.5276,
            2.3306, 2.4166, 2.3378, 2.3779, 2.2918, 2.3597, 2.2817, 2.2811, 2.3486, 2.3967, 2.3378,
            2.3684, 2.3424, 2.3103, 2.3097, 2.3351, 2.2849, 2.3235, 2.3884, 2.3403, 2.151, 2.4975,
            2.3763, 2.2949, 2.3807, 2.3176, 2.2968, 2.2703, 2.4235, 2.3474, 2.2685, 2.4202, 2.3775,
            2.3343, 2.3092, 2.3504, 2.3418, 2.2919, 2.3893, 2.3077, 2.311, 2.3086, 2.3641, 2.3037,
            2.4173, 2.3045, 2.3439, 2.3584, 2.3709, 2.306, 2.307, 2.3872, 2.3453
        ],
        "train_loss": [
            7.3191, 2.3445
        ],
        "val_loss": [
            2.446, 2.3841
        ],
        "train_acc": [
            0.101, 0.092
        ],
        "val_acc": [
            0.09, 0.106
        ],
    },
    "slow_start": {
        "iter_loss": [
            2.3024, 2.3024, 2.3016, 2.3031, 2.305, 2.3029, 2.3038, 2.301, 2.3002, 2.3026, 2.3064,
            2.3009, 2.306, 2.3053, 2.3026, 2.3006, 2.3032, 2.3027, 2.3009, 2.3051, 2.3067, 2.3036,
            2.3015, 2.3059, 2.305, 2.3003, 2.3011, 2.3069, 2.3067, 2.3049, 2.3028, 2.3039, 2.3028,
            2.3049, 2.302, 2.2962, 2.304, 2.2998, 2.297, 2.2975, 2.3021, 2.2921, 2.3051, 2.3045, 2.3029,
            2.2991, 2.3126, 2.2995, 2.3048, 2.3138, 2.298, 2.3049, 2.3068, 2.303, 2.2986, 2.2965,
            2.2941, 2.2933, 2.31, 2.3017, 2.2968, 2.3023, 2.3008, 2.3059, 2.3085, 2.2989, 2.2925,
            2.3023, 2.3105, 2.2932, 2.296, 2.3071, 2.2912, 2.2897, 2.2998, 2.3039, 2.2935, 2.2836,
            2.2869, 2.31, 2.3033, 2.2911, 2.2941, 2.2988, 2.2971, 2.3055, 2.2752, 2.3065, 2.2918,
            2.2856, 2.3026, 2.3023, 2.2813, 2.3025, 2.2874, 2.2971, 2.2933, 2.282, 2.274, 2.2864,
            2.2788, 2.2901, 2.2869, 2.2814, 2.2926, 2.2887, 2.2723, 2.2859, 2.2703, 2.2738, 2.2741,
            2.2804, 2.2608, 2.2603, 2.2631, 2.2586, 2.2637, 2.2422, 2.2254, 2.2703, 2.2092, 2.2435,
            2.2138, 2.1935, 2.2166, 2.1637, 2.1836, 2.1705, 2.1114, 2.1526, 2.0859, 2.0242, 2.1244,
            1.9552, 1.8807, 2.0255, 1.7207, 1.6758, 1.6051, 1.5519, 1.4979, 1.4426, 1.2954, 1.4519,
            1.3386, 1.8954, 1.148, 1.2783, 0.9848, 1.2328, 1.3, 1.1639, 1.135, 0.905, 0.9708, 1.1761,
            0.9778, 0.9191, 0.9474, 0.3472
        ],
        "train_loss": [
            2.3034, 2.3016, 2.2965, 2.2567, 1.474
        ],
        "val_loss": [
            2.3026, 2.303, 2.2934, 2.1327, 0.7839
        ],
        "train_acc": [
            0.096, 0.105, 0.173, 0.338, 0.479
        ],
        "val_acc": [
            0.09, 0.148, 0.172, 0.298, 0.712
        ],
    },
    "not_converged": {
        "iter_loss": [
            2.7709, 2.6158, 2.476, 2.7014, 2.8025, 2.4953, 2.4881, 2.3448, 2.3755, 2.4681, 2.2315,
            2.2343, 2.3838, 2.271, 2.2724, 2.1947, 2.4508, 2.2873, 2.2085, 2.3729, 2.1817, 2.3789,
            2.1091, 2.2937, 2.3772, 2.2763, 2.2616, 2.2198, 2.2144, 2.2333, 2.1896, 2.2681, 2.2805,
            2.0953, 2.0588, 2.1713, 2.1564, 2.1735, 2.1361, 2.23, 2.2321, 2.0662, 2.1711, 2.1687,
            2.0739, 2.0697, 2.1651, 2.0918, 2.1447, 2.1442, 2.0562, 2.0664, 2.0502, 2.19, 1.9539,
            2.1377, 2.0492, 2.136, 1.9526, 2.0273, 2.0255, 1.9177, 2.058, 2.1124
        ],
        "train_loss": [
            2.3599, 2.1049
        ],
        "val_loss": [
            2.1628, 2.0061
        ],
        "train_acc": [
            0.129, 0.231
        ],
        "val_acc": [
            0.2, 0.33
        ],
    },
    "healthy": {
        "iter_loss": [
            2.7709, 2.4391, 2.216, 2.2803, 2.3163, 2.1694, 2.1564, 2.106, 2.028, 1.9015, 2.1228, 1.9463,
            2.0233, 1.9719, 1.915, 1.8746, 1.7464, 1.7086, 1.6272, 1.6962, 1.5502, 1.6898, 1.3959,
            1.5575, 1.4723, 1.4563, 1.2188, 1.141, 1.2467, 1.3251, 1.2992, 1.3003, 1.0917, 0.9604,
            1.0242, 0.9103, 1.02, 1.0432, 0.7396, 0.8956, 1.0007, 0.9118, 0.8589, 0.6384, 0.6607,
            0.5005, 0.782, 0.6245, 0.5363, 0.5049, 0.4314, 0.4454, 0.4188, 0.6566, 0.4847, 0.5543,
            0.4656, 0.4194, 0.4377, 0.5513, 0.4437, 0.2216, 0.3857, 0.1105, 0.2409, 0.2394, 0.2727,
            0.285, 0.346, 0.3315, 0.3035, 0.3237, 0.3558, 0.1449, 0.2939, 0.4627, 0.323, 0.2139, 0.353,
            0.3482, 0.3126, 0.3092, 0.0947, 0.2631, 0.4349, 0.3264, 0.1444, 0.3086, 0.1518, 0.3016,
            0.369, 0.1933, 0.2406, 0.1676, 0.1325, 0.2193, 0.1156, 0.1366, 0.1655, 0.0797, 0.2209,
            0.3139, 0.0891, 0.172, 0.083, 0.2264, 0.1973, 0.1854, 0.0396, 0.1629, 0.1128, 0.1019,
            0.0716, 0.2106, 0.1144, 0.2501, 0.1108, 0.0909, 0.2067, 0.2299, 0.2186, 0.1752, 0.1521,
            0.126, 0.069, 0.2286, 0.2178, 0.1084, 0.2192, 0.1111, 0.0538, 0.2832, 0.0669, 0.0652,
            0.0727, 0.4189, 0.0857, 0.1436, 0.0751, 0.1461, 0.0391, 0.1072, 0.125, 0.0985, 0.2611,
            0.1232, 0.1008, 0.3883, 0.1539, 0.0577, 0.1253, 0.0538, 0.0498, 0.0917, 0.0982, 0.1588,
            0.071, 0.1587, 0.135, 0.0117
        ],
        "train_loss": [
            1.8142, 0.6607, 0.2766, 0.1569, 0.1325
        ],
        "val_loss": [
            1.108, 0.3867, 0.2207, 0.1988, 0.1718
        ],
        "train_acc": [
            0.433, 0.832, 0.924, 0.958, 0.957
        ],
        "val_acc": [
            0.706, 0.898, 0.948, 0.94, 0.936
        ],
    },
    "overfitting": {
        "iter_loss": [
            2.7136, 2.5332, 2.5152, 2.27, 2.4098, 1.8673, 1.9285, 2.1219, 2.0307, 1.8051, 1.5795,
            1.3776, 1.0509, 1.5774, 1.3843, 1.1314, 1.3047, 1.1469, 1.3657, 1.256, 0.7693, 0.5428,
            0.9158, 0.7679, 0.798, 0.6189, 0.5439, 0.5055, 0.6595, 0.5075, 0.4658, 0.2188, 0.5069,
            0.5971, 0.1699, 0.3182, 0.1219, 0.1399, 0.454, 0.0936, 0.1112, 0.129, 0.0778, 0.1187,
            0.0814, 0.1633, 0.1037, 0.1647, 0.1499, 0.0539, 0.0167, 0.0249, 0.0391, 0.0834, 0.0405,
            0.0384, 0.0066, 0.0804, 0.1982, 0.0353, 0.0997, 0.0445, 0.0184, 0.0091, 0.0104, 0.0493,
            0.0195, 0.1051, 0.0098, 0.0223, 0.0095, 0.0091, 0.0264, 0.0515, 0.0112, 0.0223, 0.0071,
            0.0285, 0.0103, 0.0015, 0.0072, 0.0201, 0.0066, 0.0098, 0.005, 0.0088, 0.0318, 0.0134,
            0.0031, 0.0039, 0.0058, 0.0024, 0.0036, 0.0059, 0.0043, 0.0048, 0.0052, 0.0052, 0.0147,
            0.0105, 0.0049, 0.0025, 0.0034, 0.0058, 0.0063, 0.0053, 0.002, 0.0037, 0.0037, 0.0023,
            0.003, 0.0025, 0.0029, 0.002, 0.003, 0.0058, 0.0031, 0.0021, 0.001, 0.0027, 0.0018, 0.0021,
            0.001, 0.0027, 0.0024, 0.0031, 0.002, 0.0035, 0.0036, 0.0024, 0.0027, 0.0019, 0.0012,
            0.0019, 0.0026, 0.0009, 0.0014, 0.0019, 0.0026, 0.0033, 0.0019, 0.0018, 0.0018, 0.0026,
            0.0007, 0.0017, 0.0029, 0.0011, 0.0012, 0.0026, 0.0022, 0.0008, 0.0032, 0.002, 0.0014,
            0.001, 0.0012, 0.0018, 0.001, 0.0023, 0.0019, 0.0018, 0.0018, 0.0011, 0.0016, 0.0015,
            0.0009, 0.0019, 0.0014, 0.0012, 0.0014, 0.0006, 0.0021, 0.0018, 0.0009, 0.0007, 0.0012,
            0.0015, 0.0017, 0.002, 0.001, 0.0014, 0.0012, 0.0009, 0.0007, 0.0014, 0.0014, 0.0015,
            0.0024, 0.0011, 0.0012, 0.0004, 0.0019, 0.0014, 0.0011, 0.0013, 0.001, 0.0007, 0.0015,
            0.0014, 0.001, 0.001, 0.001, 0.0012, 0.001, 0.0004, 0.0012, 0.0013, 0.0012, 0.0018, 0.0014,
            0.0005, 0.0008, 0.0012, 0.0011, 0.0009, 0.0012, 0.0013, 0.0015, 0.0006, 0.0011, 0.0003,
            0.0014, 0.0011, 0.0007, 0.0016, 0.001, 0.0011, 0.0008, 0.0007, 0.0008, 0.0012, 0.0007,
            0.0005, 0.0018, 0.0007, 0.0008, 0.0013, 0.0008, 0.0005, 0.0012, 0.0002, 0.0007, 0.0008,
            0.001, 0.0012, 0.0011, 0.0006, 0.0008, 0.001
        ],
        "train_loss": [
            2.2195, 1.3174, 0.6629, 0.3086, 0.1154, 0.0564, 0.0388, 0.0177, 0.011, 0.0062, 0.004,
            0.0028, 0.0024, 0.002, 0.0018, 0.0017, 0.0015, 0.0014, 0.0013, 0.0012, 0.0011, 0.001, 0.001,
            0.0009, 0.0009
        ],
        "val_loss": [
            1.8826, 1.319, 0.8005, 0.6, 0.6054, 0.5345, 0.5795, 0.4518, 0.4642, 0.5024, 0.4843, 0.4822,
            0.4835, 0.4891, 0.4977, 0.5015, 0.501, 0.501, 0.501, 0.5039, 0.5055, 0.5076, 0.5113, 0.5135,
            0.5129
        ],
        "train_acc": [
            0.27, 0.56, 0.85, 0.9, 0.99, 0.99, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
            1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0
        ],
        "val_acc": [
            0.346, 0.55, 0.758, 0.832, 0.81, 0.836, 0.8, 0.87, 0.864, 0.866, 0.868, 0.866, 0.866, 0.868,
            0.872, 0.868, 0.87, 0.868, 0.872, 0.872, 0.872, 0.872, 0.868, 0.872, 0.872
        ],
    },
}


# ------------------------------------------------------------------ the detector
@pytest.mark.parametrize("kind", list(RECORDED))
def test_recorded_curves_are_named_correctly(kind: str) -> None:
    diag = cv.diagnose(RECORDED[kind])
    assert diag is not None and diag.kind == kind
    for lang in ("en", "es"):
        assert diag.title(lang) and "{" not in diag.explanation(lang)


def test_recorded_curves_through_a_history_object() -> None:
    hist = History(**RECORDED["overfitting"])
    diag = cv.diagnose(hist)
    assert diag.kind == "overfitting" and diag.values["epoch"] == 1 + int(np.argmin(hist.val_loss))


def test_every_pattern_has_a_recording_and_a_preset() -> None:
    assert set(RECORDED) == set(cv.PATTERNS) == set(cv.PRESETS)


def test_a_non_finite_loss_is_divergence_and_short_runs_are_not_judged() -> None:
    assert cv.diagnose({"iter_loss": [2.3, 2.2, 5.0, math.inf, math.nan] + [2.0] * 10}).kind == "diverging"
    assert cv.diagnose({"iter_loss": [2.3, 2.2, 2.1]}) is None
    assert cv.diagnose({}) is None
    # a curve that climbs steadily (gradient added instead of subtracted)
    up = [2.3 + 0.02 * i for i in range(50)]
    assert cv.diagnose({"iter_loss": up}).kind == "diverging"


def test_a_prefix_of_the_slow_start_looks_like_no_learning() -> None:
    """Live: while still on the plateau the curve honestly shows no learning yet."""
    rec = RECORDED["slow_start"]
    assert cv.diagnose({"iter_loss": rec["iter_loss"][:60]}).kind == "no_learning"


def test_early_stopped_overfitting_run_is_still_overfitting() -> None:
    rec = RECORDED["overfitting"]
    cut = {k: v[:11] for k, v in rec.items() if k != "iter_loss"} | {"iter_loss": rec["iter_loss"][:110]}
    assert cv.diagnose(cut).kind == "overfitting"


def test_moving_average_against_a_loop() -> None:
    vals = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]
    ref = [sum(vals[i : i + 3]) / 3 for i in range(len(vals) - 2)]
    np.testing.assert_allclose(cv.moving_average(vals, 3), ref)


# ------------------------------------------------------------------ settings and counts
def test_batch_modes_and_iteration_counts_match_the_trainer() -> None:
    x, y = ds.generate_digits(50, seed=1)
    for mode, bsize, expected_b in (("full", 32, 50), ("mini", 16, 16), ("stochastic", 32, 1), ("mini", 999, 50)):
        s = cv.LabSettings(batch_mode=mode, batch_size=bsize, n_train=50, epochs=1, lr=1e-3)
        assert s.batch == expected_b
        assert s.iterations_per_epoch == len(range(0, 50, expected_b))  # ceil(N / B)
        seen: list[int] = []
        Trainer(build_model(**s.model_kwargs()), TrainConfig(**s.train_kwargs())).fit(
            x, y, callback=lambda e, seen=seen: seen.append(e["iteration"]) if e["kind"] == "iteration" else None
        )
        assert len(seen) == s.iterations_per_epoch == s.total_iterations


def test_settings_validation_and_presets() -> None:
    with pytest.raises(ValueError):
        cv.LabSettings(lr=0).validate()
    with pytest.raises(ValueError):
        cv.LabSettings(dropout=1.0).validate()
    with pytest.raises(ValueError):
        cv.preset("bored")
    for kind in cv.PATTERNS:
        s = cv.preset(kind, cv.LabSettings(seed=7))
        s.validate()
        assert s.seed == 7
        assert cv.LabSettings(**s.to_dict()) == s


# ------------------------------------------------------------------ training itself
@pytest.fixture(scope="module")
def small_set() -> tuple[np.ndarray, ...]:
    x, y = ds.generate_digits(80, seed=2)
    return x[:40], y[:40], x[40:], y[40:]


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.05), ("momentum", 0.02), ("adam", 2e-3)])
@pytest.mark.parametrize("mode,epochs", [("full", 10), ("mini", 3), ("stochastic", 1)])
def test_training_lowers_the_loss(small_set: tuple, optimizer: str, lr: float, mode: str, epochs: int) -> None:
    x, y, _, _ = small_set
    s = cv.LabSettings(optimizer=optimizer, lr=lr, batch_mode=mode, batch_size=10, epochs=epochs, n_train=40)
    model = build_model(**s.model_kwargs())
    before, _ = evaluate(model, x, y)
    Trainer(model, TrainConfig(**s.train_kwargs())).fit(x, y)
    after, _ = evaluate(model, x, y)
    assert after < 0.85 * before, (before, after)


def test_early_stopping_restores_the_best_epoch(small_set: tuple) -> None:
    x, y, xv, yv = small_set
    model = build_model("small", seed=0)
    states: list[dict[str, np.ndarray]] = []

    def keep(event: dict) -> None:
        if event["kind"] == "epoch":
            states.append({k: v.copy() for k, v in model.state().items()})

    cfg = TrainConfig(optimizer="adam", lr=3e-3, batch_size=10, epochs=30, early_stopping_patience=2)
    hist = Trainer(model, cfg).fit(x, y, xv, yv, callback=keep)
    assert hist.stopped_early and len(hist.val_acc) < 30
    # the best epoch by validation accuracy (ties: lower validation loss), computed here
    best = max(range(len(hist.val_acc)), key=lambda i: (hist.val_acc[i], -hist.val_loss[i])) + 1
    assert hist.best_epoch == best
    assert len(hist.val_acc) == best + 2  # stopped after `patience` epochs without improvement
    for name, value in model.state().items():
        np.testing.assert_array_equal(value, states[best - 1][name])
    loss, acc = evaluate(model, xv, yv)
    assert acc == pytest.approx(hist.val_acc[best - 1], abs=1e-5)
    assert loss == pytest.approx(hist.val_loss[best - 1], abs=1e-4)


@pytest.fixture(scope="module")
def lab_digits() -> tuple[np.ndarray, ...]:
    x, y = ds.generate_digits(1000, seed=0)
    xv, yv = ds.generate_digits(300, seed=7919)
    return x, y, xv, yv


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("CONVVIZ_SLOW_TESTS"), reason="set CONVVIZ_SLOW_TESTS=1 (about 20 s of training)")
@pytest.mark.parametrize("kind", ["no_learning", "diverging", "not_converged"])
def test_cheap_presets_reproduce_their_pattern(lab_digits: tuple, kind: str) -> None:
    x, y, xv, yv = lab_digits
    s = cv.preset(kind)
    hist = Trainer(build_model(**s.model_kwargs()), TrainConfig(**s.train_kwargs())).fit(
        x[: s.n_train], y[: s.n_train], xv, yv
    )
    assert cv.diagnose(hist).kind == kind

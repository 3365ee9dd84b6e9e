"""Training-curve patterns and the training runs behind them.

RECORDED holds the curves of real runs of the lab, exactly as the page runs them (the numpy
CNN on ``lab_data("generated", N, 500, seed=0)``) with the settings of
``convviz.digits.curves.PRESETS``, rounded to 4 decimals: the detector must name each one.
The presets themselves are re-run too (about 20 s of training, marked ``slow``:
``pytest -m 'not slow'`` leaves them out while iterating).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from convviz.digits import curves as cv
from convviz.digits import datasets as ds
from convviz.nn import History, TrainConfig, Trainer, build_model, evaluate

RECORDED: dict[str, dict[str, list[float]]] = {
    "no_learning": {
        "iter_loss": [
            2.8264, 2.7889, 2.6787, 2.6798, 2.5446, 2.8527, 2.96, 3.1729, 2.7241, 2.6297, 2.9949,
            2.4524, 2.8064, 2.7338, 2.8545, 2.6414, 2.9412, 2.7808, 3.1857, 2.883, 2.9255, 2.8931,
            3.1387, 2.9619, 2.8003, 2.6815, 2.9549, 2.828, 2.6916, 2.9579, 2.9541, 2.9121, 2.8255,
            2.9785, 2.9093, 2.905, 2.7538, 2.7055, 2.9724, 2.7976, 2.6355, 3.2604, 2.7303, 2.8922,
            2.7424, 2.6019, 2.9183, 2.6591, 2.6798, 2.8787, 2.9747, 2.6007, 2.8601, 2.7953, 2.7409,
            2.8634, 2.7453, 2.9107, 2.8146, 2.9354, 2.6371, 3.0764, 2.6466, 2.6588, 2.7377, 2.6035,
            2.7651, 3.2131, 2.7593, 2.8238, 2.7887, 2.8434, 2.5906, 2.5744, 3.001, 2.7698, 2.4718,
            2.9628, 2.7105, 2.8274, 2.5986, 2.775, 2.9137, 2.7985, 2.8716, 3.048, 2.7833, 2.8927,
            2.6646, 2.4874, 2.8784, 3.0364, 2.8136, 2.9422, 2.9262, 2.8958
        ],
        "train_loss": [
            2.8367, 2.8196, 2.8031
        ],
        "val_loss": [
            2.8111, 2.7944, 2.7784
        ],
        "train_acc": [
            0.1, 0.1, 0.1
        ],
        "val_acc": [
            0.1, 0.1, 0.1
        ],
    },
    "diverging": {
        "iter_loss": [
            2.8264, 275.7806, 60.9881, 2.3199, 2.2631, 2.7355, 2.4706, 2.5845, 2.4255, 2.3588, 2.4013,
            2.2791, 2.3812, 2.2942, 2.2676, 2.3184, 2.3844, 2.3742, 2.3453, 2.33, 2.3163, 2.3145,
            2.3653, 2.3119, 2.3667, 2.294, 2.363, 2.3576, 2.3169, 2.269, 2.3322, 2.3942, 2.4191, 2.2783,
            2.3325, 2.3606, 2.3227, 2.3655, 2.2915, 2.384, 2.3333, 2.4467, 2.3882, 2.3143, 2.3201,
            2.3141, 2.3371, 2.313, 2.3121, 2.3766, 2.2977, 2.3513, 2.3113, 2.282, 2.2889, 2.3205, 2.304,
            2.3415, 2.3336, 2.3045, 2.2949, 2.4355, 2.359, 2.2144
        ],
        "train_loss": [
            13.0027, 2.3356
        ],
        "val_loss": [
            2.3958, 2.3676
        ],
        "train_acc": [
            0.097, 0.083
        ],
        "val_acc": [
            0.1, 0.1
        ],
    },
    "slow_start": {
        "iter_loss": [
            2.3024, 2.3024, 2.302, 2.3028, 2.3022, 2.3011, 2.3042, 2.303, 2.3033, 2.3006, 2.3041,
            2.3019, 2.3033, 2.2999, 2.2968, 2.2982, 2.3013, 2.3062, 2.3122, 2.2975, 2.3041, 2.3098,
            2.3091, 2.3047, 2.3026, 2.3058, 2.3087, 2.3089, 2.303, 2.3118, 2.3061, 2.3057, 2.3014,
            2.3014, 2.301, 2.3024, 2.301, 2.303, 2.2964, 2.3015, 2.296, 2.3035, 2.3013, 2.2992, 2.3034,
            2.3035, 2.3025, 2.2953, 2.3024, 2.3066, 2.3002, 2.3094, 2.3055, 2.3064, 2.3066, 2.3066,
            2.3064, 2.3052, 2.3024, 2.3, 2.3029, 2.2949, 2.3014, 2.3028, 2.3009, 2.2989, 2.2947, 2.2969,
            2.3011, 2.2982, 2.2963, 2.2998, 2.3071, 2.2962, 2.2954, 2.2965, 2.2917, 2.2918, 2.2921,
            2.2982, 2.303, 2.2956, 2.2914, 2.302, 2.2934, 2.2964, 2.2947, 2.2891, 2.2897, 2.2971,
            2.2883, 2.2925, 2.2976, 2.2929, 2.2867, 2.2897, 2.2821, 2.2941, 2.2816, 2.2765, 2.273,
            2.2764, 2.274, 2.278, 2.2638, 2.2689, 2.2677, 2.2502, 2.2624, 2.2612, 2.2414, 2.2514,
            2.2385, 2.2639, 2.2521, 2.1921, 2.2239, 2.2355, 2.2016, 2.1581, 2.1692, 2.1384, 2.1335,
            2.0604, 2.089, 2.0477, 1.9437, 1.8651, 1.7478, 1.9063, 1.9387, 1.6964, 1.6732, 1.4648,
            1.3405, 1.4906, 1.3173, 1.2067, 1.3035, 1.0195, 1.1978, 1.1552, 0.8098, 0.8556, 0.7071,
            1.0155, 1.0003, 0.9528, 1.1716, 0.6929, 0.8397, 0.5915, 0.3504, 0.7199, 0.5231, 0.9896,
            1.0223, 0.7983, 0.7685, 0.5233
        ],
        "train_loss": [
            2.3039, 2.3023, 2.2956, 2.2117, 1.1007
        ],
        "val_loss": [
            2.3014, 2.2984, 2.2837, 1.9139, 0.6208
        ],
        "train_acc": [
            0.093, 0.134, 0.214, 0.354, 0.608
        ],
        "val_acc": [
            0.1, 0.1, 0.306, 0.262, 0.75
        ],
    },
    "not_converged": {
        "iter_loss": [
            2.8264, 2.6188, 2.4905, 2.4499, 2.2895, 2.5217, 2.529, 2.5711, 2.1986, 2.2134, 2.421,
            2.1349, 2.3909, 2.288, 2.4141, 2.2482, 2.389, 2.1788, 2.3742, 2.3051, 2.2306, 2.2545,
            2.2699, 2.2604, 2.1764, 2.0814, 2.1714, 2.1825, 2.0689, 2.212, 2.172, 2.3592, 2.229, 2.0955,
            2.146, 2.0975, 2.1389, 2.1212, 2.0172, 2.114, 2.0832, 2.1687, 2.0839, 2.133, 2.1039, 1.9439,
            2.1355, 1.9909, 2.0348, 2.037, 2.1354, 2.0291, 2.0169, 2.0389, 2.0201, 1.9666, 2.0074,
            2.1516, 2.0714, 2.1283, 1.9336, 2.0164, 1.9494, 1.9033
        ],
        "train_loss": [
            2.3207, 2.0677
        ],
        "val_loss": [
            2.1448, 1.9772
        ],
        "train_acc": [
            0.143, 0.272
        ],
        "val_acc": [
            0.208, 0.37
        ],
    },
    "overfitting": {
        "iter_loss": [
            3.0339, 2.402, 2.9317, 3.3474, 2.4941, 1.9932, 1.937, 1.9514, 1.991, 1.9881, 1.9377, 1.6152,
            1.8875, 1.6452, 1.4242, 1.6833, 1.2103, 1.3141, 0.9429, 1.1369, 0.7231, 0.956, 0.9826,
            0.7469, 0.9313, 0.616, 0.3549, 0.5757, 0.3407, 0.4567, 0.2011, 0.303, 0.3466, 0.2881,
            0.3012, 0.1709, 0.0846, 0.1263, 0.2366, 0.1088, 0.0672, 0.0491, 0.092, 0.0321, 0.1815,
            0.0613, 0.0684, 0.0489, 0.0583, 0.0525, 0.0698, 0.0151, 0.033, 0.0125, 0.0325, 0.0315,
            0.0327, 0.0124, 0.0086, 0.0247, 0.0209, 0.0042, 0.0159, 0.0116, 0.0126, 0.0091, 0.0041,
            0.0112, 0.0125, 0.0121, 0.0107, 0.0057, 0.0057, 0.0082, 0.0087, 0.0057, 0.0062, 0.0053,
            0.006, 0.0063, 0.006, 0.0054, 0.005, 0.005, 0.0026, 0.0026, 0.0052, 0.0054, 0.0046, 0.0043,
            0.003, 0.0055, 0.0038, 0.0041, 0.0033, 0.0039, 0.0049, 0.0022, 0.0033, 0.0031, 0.0032,
            0.0017, 0.0028, 0.0039, 0.0043, 0.0034, 0.0037, 0.0025, 0.0029, 0.0023, 0.0018, 0.0027,
            0.0021, 0.0032, 0.0041, 0.0032, 0.002, 0.0026, 0.0021, 0.0031, 0.0029, 0.0021, 0.0032,
            0.0021, 0.0019, 0.003, 0.0033, 0.0019, 0.0015, 0.0019, 0.0025, 0.0018, 0.0021, 0.0023,
            0.0022, 0.0025, 0.0019, 0.0018, 0.0024, 0.0018, 0.0017, 0.0022, 0.0019, 0.0022, 0.0018,
            0.0015, 0.0022, 0.0023, 0.0016, 0.0018
        ],
        "train_loss": [
            2.8418, 1.9721, 1.702, 1.2575, 0.868, 0.4688, 0.288, 0.1454, 0.0844, 0.0579, 0.0326, 0.022,
            0.0131, 0.0098, 0.0078, 0.0059, 0.0048, 0.0044, 0.0039, 0.0035, 0.0032, 0.003, 0.0028,
            0.0026, 0.0024, 0.0023, 0.0022, 0.0021, 0.0019, 0.0019
        ],
        "val_loss": [
            2.1923, 1.981, 1.7301, 1.3809, 1.0975, 0.9073, 0.8595, 0.7775, 0.7356, 0.7501, 0.7172,
            0.6604, 0.6292, 0.6433, 0.6425, 0.6485, 0.6608, 0.6679, 0.6691, 0.6686, 0.6665, 0.6653,
            0.6645, 0.6693, 0.6727, 0.6773, 0.678, 0.6784, 0.6796, 0.6817
        ],
        "train_acc": [
            0.08, 0.36, 0.68, 0.78, 0.82, 0.94, 0.94, 1.0, 0.98, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
            1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0
        ],
        "val_acc": [
            0.25, 0.388, 0.492, 0.612, 0.664, 0.698, 0.724, 0.738, 0.722, 0.758, 0.792, 0.794, 0.794,
            0.79, 0.798, 0.788, 0.792, 0.794, 0.794, 0.796, 0.804, 0.804, 0.802, 0.8, 0.79, 0.794,
            0.794, 0.798, 0.796, 0.796
        ],
    },
    "healthy": {
        "iter_loss": [
            2.8264, 2.3757, 2.3791, 2.2925, 2.2159, 2.2138, 2.186, 2.035, 1.9694, 1.9113, 1.9618,
            1.8763, 2.0021, 1.8057, 1.8594, 1.7688, 1.8796, 1.5509, 1.7331, 1.7142, 1.5005, 1.6066,
            1.3581, 1.3345, 1.3155, 1.332, 1.2899, 1.1825, 1.0209, 1.116, 1.1679, 1.5516, 0.9912,
            0.9244, 0.7418, 0.9691, 0.9501, 0.8834, 0.8252, 0.7425, 0.5925, 0.6688, 0.6828, 0.6587,
            0.7334, 0.4733, 0.5962, 0.5285, 0.458, 0.3971, 0.6197, 0.5636, 0.4212, 0.5228, 0.4179,
            0.3595, 0.3217, 0.4112, 0.343, 0.3665, 0.4538, 0.416, 0.4192, 0.5626, 0.4003, 0.2799,
            0.2847, 0.3901, 0.2731, 0.2974, 0.3445, 0.2829, 0.2368, 0.3795, 0.2741, 0.3012, 0.0934,
            0.2298, 0.2769, 0.5279, 0.3243, 0.3079, 0.1879, 0.1431, 0.2815, 0.322, 0.2247, 0.3595,
            0.2004, 0.208, 0.1337, 0.0718, 0.1198, 0.2117, 0.2614, 0.0736, 0.2215, 0.1198, 0.1887,
            0.1276, 0.1363, 0.1998, 0.176, 0.1989, 0.0762, 0.1512, 0.1277, 0.163, 0.1827, 0.1684, 0.138,
            0.1368, 0.0995, 0.2647, 0.2748, 0.2537, 0.1722, 0.2225, 0.2132, 0.2293, 0.1554, 0.2509,
            0.1549, 0.1207, 0.0994, 0.1686, 0.2645, 0.0796, 0.1529, 0.0969, 0.0897, 0.0855, 0.1076,
            0.1051, 0.063, 0.2031, 0.1874, 0.0838, 0.1564, 0.0404, 0.1046, 0.0868, 0.06, 0.11, 0.0854,
            0.0899, 0.0915, 0.1102, 0.1109, 0.0379, 0.1436, 0.0815, 0.0899, 0.0348, 0.1, 0.1037, 0.1716,
            0.0883, 0.1587, 0.1711
        ],
        "train_loss": [
            1.7654, 0.595, 0.264, 0.1752, 0.1048
        ],
        "val_loss": [
            1.0381, 0.3333, 0.2007, 0.1648, 0.1233
        ],
        "train_acc": [
            0.431, 0.852, 0.932, 0.95, 0.975
        ],
        "val_acc": [
            0.73, 0.91, 0.936, 0.95, 0.962
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


def test_a_huge_divergence_ratio_is_written_readably() -> None:
    d = cv.diagnose({"iter_loss": [2.8] + [1.5e9] * 20})
    assert d is not None and d.kind == "diverging" and d.values["ratio"] == pytest.approx(1.5e9 / 2.8)
    assert d.formatted_values("en")["ratio"] == "535,714,286"
    assert "535,714,286 times" in d.explanation("en")
    assert "535.714.286 veces" in d.explanation("es")  # Spanish groups thousands with "."
    d = cv.diagnose({"iter_loss": [2.0] + [8.0] * 20})
    assert d is not None and d.values["ratio"] == pytest.approx(4.0)
    assert d.formatted_values("en")["ratio"] == "4.0" and d.formatted_values("es")["ratio"] == "4,0"
    d = cv.diagnose({"iter_loss": [2.3, 2.2, 5.0, math.inf] + [2.0] * 10})
    assert d is not None and d.formatted_values("es")["ratio"] == "∞"


def test_explanations_write_numbers_in_the_users_language() -> None:
    """The numbers in the text are the diagnosis' numbers, read back with each language's
    separators: decimal point in English, decimal comma in Spanish."""
    flat = [2.5 + 0.03 * (-1) ** i for i in range(40)]  # no learning, smoothed ends near 2.5
    d = cv.diagnose({"iter_loss": flat})
    assert d is not None and d.kind == "no_learning"
    start, end = d.values["start"], d.values["end"]
    assert d.explanation("en").count(f"({start:.3f} → {end:.3f})") == 1
    es = d.explanation("es")
    assert f"({start:.3f} → {end:.3f})".replace(".", ",") in es and "2.5" not in es
    healthy = cv.Diagnosis("healthy", {"end": 0.5312})
    assert "(to 0.531)" in healthy.explanation("en") and "(en 0,531)" in healthy.explanation("es")
    over = cv.Diagnosis("overfitting", {"epoch": 12, "rise": 1234.4, "gap": None})
    assert "1,234% above" in over.explanation("en") and "(epoch 12)" in over.explanation("en")
    assert "un 1.234% por encima" in over.explanation("es") and "en ? puntos" in over.explanation("es")


def test_a_prefix_of_the_slow_start_looks_like_no_learning() -> None:
    """Live: while still on the plateau the curve honestly shows no learning yet."""
    rec = RECORDED["slow_start"]
    assert cv.diagnose({"iter_loss": rec["iter_loss"][:60]}).kind == "no_learning"


def test_early_stopped_overfitting_run_is_still_overfitting() -> None:
    """Cut the recorded run where early stopping with patience 3 would have stopped it."""
    rec = RECORDED["overfitting"]
    ipe = len(rec["iter_loss"]) // len(rec["train_loss"])
    since, stop = 0, len(rec["val_acc"])
    top = (rec["val_acc"][0], -rec["val_loss"][0])
    for i in range(1, len(rec["val_acc"])):
        key = (rec["val_acc"][i], -rec["val_loss"][i])
        since = 0 if key > top else since + 1
        top = max(top, key)
        if since >= 3:
            stop = i + 1
            break
    assert stop < len(rec["val_acc"])  # early stopping would have ended the run
    cut = {k: v[:stop] for k, v in rec.items() if k != "iter_loss"} | {"iter_loss": rec["iter_loss"][: stop * ipe]}
    assert cv.diagnose(cut).kind == "overfitting"


def test_mid_run_explanations_report_progress_not_a_verdict() -> None:
    """While training runs, a still-falling loss is normal: the live text must not tell the
    student to train for more epochs, nor call a half-finished run fully learnt."""
    for lang in ("en", "es"):
        nc = cv.Diagnosis("not_converged", {"drop": "40"})
        ok = cv.Diagnosis("healthy", {"end": "0.100"})
        assert nc.explanation(lang, live=True) != nc.explanation(lang)
        assert "40" in nc.explanation(lang, live=True) and "0.100" in ok.explanation(lang, live=True)
        assert ok.explanation(lang, live=True) != ok.explanation(lang)
    assert "more epochs" in cv.Diagnosis("not_converged", {"drop": "40"}).explanation("en")
    assert "more epochs" not in cv.Diagnosis("not_converged", {"drop": "40"}).explanation("en", live=True)
    assert "learnt what it can" not in cv.Diagnosis("healthy", {"end": "0.1"}).explanation("en", live=True)
    # a real problem keeps its explanation while the run goes on
    div = cv.Diagnosis("diverging", {"ratio": "3.0"})
    assert div.explanation("en", live=True) == div.explanation("en")


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


@pytest.mark.slow
@pytest.mark.parametrize("kind", cv.PATTERNS)
def test_each_preset_reproduces_its_pattern(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The one-click setting, run exactly as the page runs it (same digits), shows its pattern."""
    s = cv.preset(kind)
    data = ds.lab_data("generated", s.n_train, s.n_val, seed=0, cache_root=tmp_path_factory.getbasetemp())
    hist = Trainer(build_model(**s.model_kwargs()), TrainConfig(**s.train_kwargs())).fit(
        data.x_train, data.y_train, data.x_val, data.y_val
    )
    assert cv.diagnose(hist).kind == kind

"""Figure builders of the draw page: data in, plotly figure out."""

from __future__ import annotations

import numpy as np

from convviz.figures import digits as FD


def test_tile_places_maps_with_gaps() -> None:
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    out = FD.tile(maps, cols=3, gap=1)
    assert out.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(out[0:2, 0:3], maps[0])
    np.testing.assert_array_equal(out[0:2, 4:7], maps[1])
    np.testing.assert_array_equal(out[3:5, 4:7], maps[4])
    assert np.isnan(out[2]).all() and np.isnan(out[:, 3]).all()  # gaps
    assert np.isnan(out[3:5, 8:11]).all()  # the sixth cell is empty


def test_probabilities_highlight_the_top_class() -> None:
    p = np.full(10, 0.02)
    p[3] = 0.82
    fig = FD.probabilities_figure(p, "t", "x", "y")
    bar = fig.data[0]
    assert list(bar.x) == [str(i) for i in range(10)]
    assert bar.marker.color[3] != bar.marker.color[0]
    # plotly writes 82.0% with the figure's separators: 82,0% in Spanish
    assert bar.texttemplate == "%{y:.1%}" and fig.layout.separators == ".,"
    assert FD.probabilities_figure(p, "t", "x", "y", "es").layout.separators == ",."


def test_feature_maps_for_grids_and_vectors() -> None:
    fig = FD.feature_maps_figure(np.random.default_rng(0).random((16, 28, 28)), "maps")
    assert fig.data[0].z.shape == (2 * 28 + 1, 8 * 28 + 7)
    vec = FD.feature_maps_figure(np.arange(10.0), "logits")
    assert vec.data[0].z.shape == (1, 10)
    filters = FD.filters_figure(np.random.default_rng(1).normal(size=(16, 1, 5, 5)), "filters")
    assert filters.data[0].zmin == -filters.data[0].zmax  # diverging, centred on 0


def test_saliency_and_curves() -> None:
    img = np.zeros((28, 28))
    grad = np.zeros((28, 28))
    grad[3, 4] = -2.0
    fig = FD.saliency_figure(img, grad, ("a", "b", "c"))
    assert len(fig.data) == 2 and fig.data[1].zmax == 2.0
    history = {"train_loss": [1.0, 0.5, 0.4], "val_loss": [0.8, 0.4, 0.45], "train_acc": [0.5, 0.8, 0.9],
               "val_acc": [0.6, 0.9, 0.88], "best_epoch": 2}
    labels = dict.fromkeys(("title", "loss", "accuracy", "epoch", "train", "val", "best"), "x")
    curves = FD.training_curves_figure(history, labels)
    assert len(curves.data) == 4 and list(curves.data[1].y) == [0.8, 0.4, 0.45]
    assert any(shape.x0 == 2 for shape in curves.layout.shapes)

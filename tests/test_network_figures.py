"""The network overview and the unit-inspector figures: what they draw is the network's own
numbers (read back from the figure's data), sizes and clickable markers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from convviz.figures.network import network_columns, network_overview_figure

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")


@pytest.fixture(scope="module")
def setup():
    from convviz.explain import forward_trace
    from tests._digit_data import some_digits, wide_model

    model = wide_model()  # a trained net of fixed layout: the layer indices below are its
    image = some_digits(3)[0][1]
    trace = forward_trace(model, image)
    names = [f"{i} {layer.type_name}" for i, layer in enumerate(model.layers)]
    return model, image, trace, names


def _cell(fig_trace, x: float, y: float) -> float:
    """The heatmap value drawn at plot point (x, y)."""
    z = np.asarray(fig_trace.z, dtype=float)
    j = int(round((x - fig_trace.x0) / fig_trace.dx))
    i = int(round((y - fig_trace.y0) / fig_trace.dy))
    return float(z[i, j])


def test_every_layer_is_a_column_with_its_own_values(setup) -> None:
    model, _, trace, names = setup
    fig = network_overview_figure(trace, names)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == len(model.layers) + 1  # the input and one per layer: few traces
    cols = network_columns([tuple(a.shape) for a in trace], ["input", *names])
    rng = np.random.default_rng(0)
    for col, values, h in zip(cols, trace, heat, strict=True):
        for _ in range(5):
            unit = tuple(int(rng.integers(0, s)) for s in values.shape)
            if col.spatial:
                x0, y0 = col.origin(unit[0])
                x, y = x0 + (unit[2] + 0.5) * col.cell_w, y0 + (unit[1] + 0.5) * col.cell_h
            else:
                x0, y0 = col.origin(unit[0])
                x, y = x0 + col.cell_w / 2, y0 + col.cell_h / 2
            assert _cell(h, x, y) == pytest.approx(float(values[unit]), rel=1e-6, abs=1e-7)
    # columns do not overlap and the colour scale is labelled
    for a, b in zip(cols, cols[1:], strict=False):
        assert a.x0 + a.width < b.x0
    assert any(t.showscale for t in heat) and "max" in "".join(str(t.colorbar.ticktext) for t in heat if t.showscale)
    assert heat[0].zmin == 0 and heat[0].zmax == 1  # the gray input: its range is written under it
    assert any(a.text.endswith("<br>0–1") and a.x == cols[0].x0 + cols[0].width / 2 for a in fig.layout.annotations)
    bars = [t for t in fig.data if t.type == "bar"]
    probs = model.predict_proba(setup[1][None])[0]
    np.testing.assert_allclose(bars[0].customdata, probs, rtol=1e-4)


def test_click_targets_and_selection_outline(setup) -> None:
    from convviz.explain import feeding_channels

    model, _, trace, names = setup
    fig = network_overview_figure(trace, names, selected=(3, 5), feeding=feeding_channels(model, 3, 5))
    hits = {t.name: np.asarray(t.customdata) for t in fig.data if t.name and t.name.startswith("hit_")}
    assert hits["hit_3"].shape[0] == model.layers[3].out_channels and set(hits["hit_3"][:, 0]) == {3}
    assert hits["hit_7"].shape[0] == model.layers[7].out_features  # vector units are clickable one by one
    np.testing.assert_allclose(hits["hit_7"][:, 2], trace[8], rtol=1e-6)
    # the selected map and the maps of layer 2 that feed it (all of them: 16 in the medium net)
    assert len(fig.layout.shapes) == 1 + model.layers[3].in_channels
    widths = sorted(s.line.width for s in fig.layout.shapes[1:])
    assert widths[-1] == pytest.approx(4.0) and widths[0] < widths[-1]


def test_size_and_spanish_numbers(setup) -> None:
    _, _, trace, names = setup
    fig = network_overview_figure(trace, names, lang="es")
    text = fig.to_json()
    assert len(text) < 1_500_000
    assert fig.layout.separators == ",."
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "±" in notes and any("," in a.text for a in fig.layout.annotations if "±" in a.text)
    json.loads(text)


# ------------------------------------------------------------------ the unit inspector


def _explain(setup, layer, unit):
    from convviz.explain import explain_unit

    model, image, trace, _ = setup
    return explain_unit(model, image, layer, unit, trace=trace)


def test_conv_figure_shows_every_channel_and_its_sum(setup) -> None:
    from convviz.figures.inspector import conv_unit_figure

    ex = _explain(setup, 3, (7, 4, 6))
    fig = conv_unit_figure(ex, "t", lang="es")
    patch_z, kernel_z = (np.asarray(t.z, dtype=float) for t in fig.data)
    # every patch value and every kernel value is drawn exactly once
    np.testing.assert_allclose(np.sort(patch_z[np.isfinite(patch_z)]), np.sort(ex.patch.ravel()))
    np.testing.assert_allclose(np.sort(kernel_z[np.isfinite(kernel_z)]), np.sort(ex.weights.ravel()))
    sums = [a.text for a in fig.layout.annotations if "Σ" in a.text]
    assert len(sums) == setup[0].layers[3].in_channels
    from tests._numbers import parse_number

    for c, text in enumerate(sums):
        assert parse_number(text.split("=")[1].strip(), "es") == pytest.approx(ex.channel_sums[c], rel=1e-3, abs=1e-5)


def test_pool_linear_output_and_field_figures(setup) -> None:
    from convviz.explain import explain_unit
    from convviz.figures import inspector as FI

    ex = _explain(setup, 2, (3, 6, 6))
    fig = FI.pool_unit_figure(ex, "t")
    r, c = ex.argmax
    assert fig.layout.shapes[0].x0 == c - 0.5 and fig.layout.shapes[0].y0 == r - 0.5
    ex = _explain(setup, 7, (11,))
    bars = FI.linear_unit_figure(ex, "t", top=10).data[0]
    assert len(bars.x) == 12 and sum(bars.x) == pytest.approx(ex.value, rel=1e-4, abs=1e-5)
    assert list(np.abs(bars.x[:10])) == sorted(np.abs(bars.x[:10]), reverse=True)
    ex = _explain(setup, 10, (4,))
    fig = FI.output_figure(ex.logits, ex.probabilities, "t", selected=4)
    assert sum(fig.data[1].y) == pytest.approx(1.0)
    model, image, _, _ = setup
    ex = explain_unit(model, image, 3, (0, 0, 0))
    fig = FI.field_figure(image, ex.input_box, "t")
    r0, c0, r1, c1 = ex.input_box
    rect = fig.layout.shapes[0]
    assert (rect.x0 + 0.5, rect.y0 + 0.5, rect.x1 + 0.5, rect.y1 + 0.5) == (c0, r0, c1, r1)


def test_map_figure_units_carry_their_values(setup) -> None:
    from convviz.figures.inspector import map_figure

    _, _, trace, _ = setup
    fig = map_figure(trace[4][9], "t", selected=(2, 3))
    units = np.asarray(fig.data[1].customdata)
    assert units.shape == (100, 3)
    for r, c, v in units[[0, 17, 99]]:
        assert trace[4][9][int(r), int(c)] == pytest.approx(v)


def test_sum_text() -> None:
    from convviz.figures.inspector import sum_text

    assert sum_text([1.5, -0.25, 2], "en") == "1.5 − 0.25 + 2 = 3.25"
    assert sum_text([-1.5, 0.25], "es") == "−1,5 + 0,25 = −1,25"


def test_labels_of_narrow_neighbours_are_staggered() -> None:
    """Side by side narrow columns (Linear, ReLU, Dropout of 128 units) alternate their labels
    between two heights, so neighbouring labels never sit on one line."""
    rng = np.random.default_rng(0)
    trace = [rng.random((1, 28, 28)), rng.random(128), rng.random(128), rng.random(128), rng.random(10)]
    names = ["0 Linear", "1 ReLU", "2 Dropout", "3 Linear"]
    fig = network_overview_figure(trace, names)
    under = sorted((a.x, a.y) for a in fig.layout.annotations if "±" in a.text or "0–1" in a.text)
    assert len(under) == 5
    heights = [y for _, y in under[1:]]  # the four layer columns, left to right
    assert all(a != b for a, b in zip(heights, heights[1:], strict=False)), heights
    # the y axis leaves room for the staggered labels
    assert fig.layout.yaxis.range[0] > max(y for _, y in under)

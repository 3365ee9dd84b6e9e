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
    from convviz.digits import load_classifier
    from convviz.explain import forward_trace
    from tests._digit_data import some_digits

    model = load_classifier()
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
    bars = [t for t in fig.data if t.type == "bar"]
    probs = model.predict_proba(setup[1][None])[0]
    np.testing.assert_allclose(bars[0].customdata, probs, rtol=1e-4)


def test_click_targets_and_selection_outline(setup) -> None:
    from convviz.explain import feeding_channels

    model, _, trace, names = setup
    fig = network_overview_figure(trace, names, selected=(3, 5), feeding=feeding_channels(model, 3, 5))
    hits = {t.name: np.asarray(t.customdata) for t in fig.data if t.name and t.name.startswith("hit_")}
    assert hits["hit_3"].shape[0] == 32 and set(hits["hit_3"][:, 0]) == {3}
    assert hits["hit_7"].shape[0] == 128  # vector units are clickable one by one
    np.testing.assert_allclose(hits["hit_7"][:, 2], trace[8], rtol=1e-6)
    # the selected map and the 16 maps of layer 2 that feed it
    assert len(fig.layout.shapes) == 1 + 16
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

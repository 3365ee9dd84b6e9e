"""pages.ui.charts.frozen: a figure shown on every rerun is serialised once, to the same JSON."""

from __future__ import annotations

import ast
import copy
import json
import pickle

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from convviz.animation.frames import build_animation
from convviz.arithmetic.layer_calc import LayerSettings
from convviz.figures.animation import AnimationFigure, build_animation_figure
from pages.ui.charts import frozen


def _heatmap() -> go.Figure:
    rng = np.random.default_rng(0)
    fig = go.Figure(go.Heatmap(z=rng.normal(size=(20, 30)), colorscale="RdBu"))
    fig.update_layout(title="t", height=300)
    return fig


def test_a_frozen_figure_serialises_to_the_same_json() -> None:
    expected = pio.to_json(_heatmap().to_dict(), validate=False)  # an identical figure, not frozen
    fig = frozen(_heatmap())
    assert pio.to_json(fig.to_dict(), validate=False) == expected
    assert pio.to_json(fig.to_dict(), validate=False) == expected  # the second call, from the memo


def test_to_dict_is_computed_once(monkeypatch) -> None:  # noqa: ANN001
    fig = frozen(_heatmap())
    calls = []
    original = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(1) or original(self))
    first, second, third = fig.to_dict(), fig.to_dict(), fig.to_dict()
    assert len(calls) == 1
    assert first is second is third


def test_freezing_twice_and_other_figures_are_untouched() -> None:
    a, b = _heatmap(), _heatmap()
    frozen(frozen(a))
    assert type(a).__mro__[1] is go.Figure  # one frozen layer, not two
    assert type(b) is go.Figure and "_convviz_frozen_dict" not in b.__dict__
    assert isinstance(a, go.Figure)


def test_an_animation_figure_keeps_its_frames() -> None:
    layer = LayerSettings(op="conv", h=5, w=5, kernel=(3, 3))
    anim = build_animation(layer, np.arange(25.0).reshape(5, 5), np.ones((3, 3)))
    fig = build_animation_figure(anim, "en")
    assert isinstance(fig, AnimationFigure)
    n_frames = len(fig.to_dict()["frames"])
    assert n_frames > 1
    expected = pio.to_json(fig.to_dict(), validate=False)
    frozen(fig)
    assert isinstance(fig, AnimationFigure)
    assert pio.to_json(fig.to_dict(), validate=False) == expected
    assert len(fig.to_dict()["frames"]) == n_frames


def test_copies_and_pickles_are_plain_figures_and_leave_the_memo_alone() -> None:
    fig = frozen(_heatmap())
    before = pio.to_json(fig.to_dict(), validate=False)
    for twin in (copy.deepcopy(fig), pickle.loads(pickle.dumps(fig))):
        assert type(twin) is go.Figure
        assert json.loads(pio.to_json(twin.to_dict(), validate=False)) == json.loads(before)  # key order aside
    assert pio.to_json(fig.to_dict(), validate=False) == before
    assert "_grid_str" not in fig.to_dict()


def test_every_chart_of_the_pages_is_frozen() -> None:
    """Each ``plotly_chart`` call in pages/ hands over ``frozen(...)``: a figure passed as it is
    would be serialised again on every rerun, silently."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "pages"
    calls = 0
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "plotly_chart":
                calls += 1
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Call) and ast.unparse(first.func) == "frozen", \
                    f"{path.name}:{node.lineno}"
    assert calls >= 25  # the pages' charts were found

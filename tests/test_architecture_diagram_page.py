"""The Architecture page's diagram in AppTest, in English and Spanish: one clickable box per
drawn layer, hover texts and labels in the page's language and number format, the ×N
toggle, and the layer picked in the editor outlined in the diagram and selected in the table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import convviz  # noqa: E402
from convviz.arithmetic.diagram import build_diagram  # noqa: E402
from convviz.arithmetic.spec import parse_spec  # noqa: E402
from convviz.figures.architecture_diagram import HIT_NAME  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402


def _load(app: AppTest, name: str) -> None:
    app.selectbox(key="arch_preset").set_value(name).run()
    app.button(key="arch_reload").click().run()
    assert not app.exception, [e.value for e in app.exception]


def _diagram(app: AppTest) -> dict:
    for chart in app.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        if any(t.get("name") == HIT_NAME for t in fig["data"]):
            return fig
    raise AssertionError("no diagram on the page")


def _hits(fig: dict) -> dict:
    return next(t for t in fig["data"] if t.get("name") == HIT_NAME)


@pytest.fixture(scope="module", params=["en", "es"])
def app(request: pytest.FixtureRequest) -> AppTest:
    return open_page("pages/architecture.py", lang=request.param)


def test_resnet50_diagram_boxes_hover_and_collapse(app: AppTest) -> None:
    lang = app.session_state["lang"]
    _load(app, "resnet50")
    summary = convviz.summarize("resnet50")
    net = parse_spec("resnet50")
    collapsed = build_diagram(net, summary.layers, collapse=True)
    fig = _diagram(app)
    hits = _hits(fig)
    assert [c[0] for c in hits["customdata"][1::3]] == [b.id for b in collapsed.boxes]
    # hover of layers.4.body.3, ResNet-50's first 3x3 conv: 64 -> 64 channels, 3*3*64*64 weights
    hover = hits["hovertext"][3 * [b.id for b in collapsed.boxes].index("layers.4.body.3")]
    words, params = {"en": ("output: 64×56×56", "parameters: 36,864"), "es": ("salida: 64×56×56", "parámetros: 36.864")}[lang]
    assert words in hover and params in hover, hover
    # a box of a collapsed stage names its copies
    repeat = hits["hovertext"][3 * [b.id for b in collapsed.boxes].index("layers.12.body.0")]
    assert {"en": "3 identical copies", "es": "3 copias idénticas"}[lang] in repeat
    assert "layers.14.body.0" in repeat and "layers.16.body.0" in repeat
    caption = " ".join(c.value for c in app.caption)
    assert {"en": "Click a box", "es": "Haz clic en una caja"}[lang] in caption
    app.toggle(key="arch_diagram_collapse").set_value(False).run()
    expanded = _hits(_diagram(app))
    leaves = [r.path for r in summary.layers if not r.is_block]
    assert [c[0] for c in expanded["customdata"][1::3]] == leaves
    app.toggle(key="arch_diagram_collapse").set_value(True).run()


def test_picked_layer_is_outlined_and_selected_in_the_table(app: AppTest) -> None:
    _load(app, "googlenet")
    summary = convviz.summarize("googlenet")
    path = "layers.11.branches.2.3"  # the 3x3 conv of inception3a's third branch
    app.selectbox(key="arch_layer").set_value(path).run()
    assert not app.exception
    fig = _diagram(app)
    hits = _hits(fig)
    k = [c[0] for c in hits["customdata"]].index(path)
    x, y = hits["x"][k], hits["y"][k]
    red = [s for s in fig["layout"]["shapes"] if s["line"]["width"] == 3]
    assert len(red) == 1 and red[0]["x0"] <= x <= red[0]["x1"] and red[0]["y0"] <= y <= red[0]["y1"]
    rows = app.session_state["arch_table"]["selection"]["rows"]
    assert [summary.layers[i].path for i in rows] == [path]
    joins = next(t for t in fig["data"] if t.get("name") == "joins")
    assert joins["text"].count("‖") == 9  # GoogLeNet's nine Inception modules


def test_numbers_in_labels_follow_the_language(app: AppTest) -> None:
    lang = app.session_state["lang"]
    _load(app, "alexnet")
    labels = next(t for t in _diagram(app)["data"] if t.get("name") == "labels")["text"]
    assert {"en": "Dropout 0.5", "es": "Dropout 0,5"}[lang] in labels
    assert any(t.startswith("Conv2d 11×11, 64, /4") for t in labels)


def test_a_link_carries_the_expanded_diagram() -> None:
    from tests.test_url_state import open_with_query

    at = open_with_query("pages/architecture.py", {"preset": "resnet18", "collapse": "0"})
    assert not at.exception and at.session_state["arch_diagram_collapse"] is False
    summary = convviz.summarize("resnet18")
    drawn = [c[0] for c in _hits(_diagram(at))["customdata"][1::3]]
    assert drawn == [r.path for r in summary.layers if not r.is_block]

"""Benchmark of the architecture diagram (issue 16: large networks stay fast; the
Architecture page reruns well under 200 ms).

Per network, collapsed (the page's default) and expanded: the layout
(:func:`convviz.arithmetic.diagram.build_diagram`), the plotly figure
(:func:`convviz.figures.architecture_diagram.diagram_figure`) and its JSON size, next to the
engine's summarize() and the page's existing cost chart of the same network (references in the
same process), as medians of CPU time (the machine is shared). Then AppTest reruns of the Architecture page with ResNet-50 loaded: warm (the
cached figure) and after picking another layer (the figure is rebuilt with a new outline).
Prints medians (CPU; wall and CPU for the page). Run: python bench/bench_diagram.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._timing import median_ms  # noqa: E402

REPEAT = 9
NETWORKS = ("resnet50", "seresnet50", "googlenet_aux", "resnext50_32x4d", "vgg16")


def engine() -> None:
    import convviz
    from convviz.arithmetic.diagram import build_diagram
    from convviz.arithmetic.presets import list_presets
    from convviz.arithmetic.spec import parse_spec
    from convviz.figures.architecture import cost_bars
    from convviz.figures.architecture_diagram import diagram_figure

    for name in (n for n in NETWORKS if n in list_presets()):
        summary = convviz.summarize(name)
        net = parse_spec(name)
        _, ref = median_ms(lambda n=name: convviz.summarize(n), REPEAT)
        _, costs = median_ms(lambda s=summary: cost_bars(s.layers).to_json(), REPEAT)
        for collapse in (True, False):
            _, layout = median_ms(lambda c=collapse, n=net, s=summary: build_diagram(n, s.layers, collapse=c), REPEAT)
            diagram = build_diagram(net, summary.layers, collapse=collapse)
            hovers = [b.id for b in diagram.boxes]
            _, figure = median_ms(lambda d=diagram, h=hovers: diagram_figure(d, h, selected=d.boxes[0].id), REPEAT)
            fig = diagram_figure(diagram, hovers)
            _, to_json = median_ms(fig.to_json, REPEAT)
            size = len(fig.to_json())
            print(f"{name:16s} {'collapsed' if collapse else 'expanded ':9s} {len(diagram.boxes):4d} boxes "
                  f"(of {sum(len(b.paths) for b in diagram.boxes)} layers): layout {layout:.1f} ms, figure {figure:.1f} ms, "
                  f"to_json {to_json:.1f} ms, JSON {size / 1000:.0f} kB, {fig.layout.height} px high | "
                  f"summarize {ref:.1f} ms, cost chart+JSON {costs:.1f} ms")


def page() -> None:
    from tests.apptest_helpers import open_page

    at = open_page("pages/architecture.py")
    at.selectbox(key="arch_preset").set_value("resnet50").run()
    at.run()
    assert not at.exception
    wall, cpu = median_ms(at.run, REPEAT)
    print(f"Architecture page, ResNet-50 loaded, warm rerun: {wall:.1f} ms wall, {cpu:.1f} ms CPU")
    import pages.ui.arch_diagram as panel

    real = panel.render_diagram
    panel.render_diagram = lambda *args: None  # the reference: the same page without the diagram panel
    try:
        at.run()
        wall, cpu = median_ms(at.run, REPEAT)
    finally:
        panel.render_diagram = real
    print(f"  reference, the same rerun without the diagram panel: {wall:.1f} ms wall, {cpu:.1f} ms CPU")
    paths = ["layers.4.body.0", "layers.4.body.3", "layers.12.body.3", "layers.4.shortcut.0"] * 3
    state = {"i": 0}

    def pick() -> None:  # a new layer each time: the diagram figure is rebuilt (new outline)
        at.selectbox(key="arch_layer").set_value(paths[state["i"] % len(paths)]).run()
        state["i"] += 1

    wall, cpu = median_ms(pick, REPEAT)
    print(f"Architecture page, ResNet-50, pick another layer (figure rebuilt the first time): {wall:.1f} ms wall, {cpu:.1f} ms CPU")


if __name__ == "__main__":
    print(f"load average: {os.getloadavg()[0]:.1f}")
    engine()
    page()
    print(f"load average: {os.getloadavg()[0]:.1f}")

"""Real Chromium: draw a "7", click a map of the second convolution in the overview, click a
unit of that map, and read the same value in the inspector's sum and in the map's hover."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_app

ROOT = Path(__file__).resolve().parents[2]

POINT = """([name, k]) => {
  for (const p of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
    const i = (p._fullData || []).findIndex(d => d.name === name);
    if (i < 0) continue;
    const t = p._fullData[i], fl = p._fullLayout, bb = p.getBoundingClientRect();
    return {x: bb.left + fl.xaxis._offset + fl.xaxis.l2p(t.x[k]), y: bb.top + fl.yaxis._offset + fl.yaxis.l2p(t.y[k]),
            data: Array.from(t.customdata[k])};
  }
  return null; }"""
TITLE = """(text) => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .some(p => p.layout && p.layout.title && String(p.layout.title.text).includes(text))"""
HOVER = "() => Array.from(document.querySelectorAll('.hoverlayer .hovertext')).map(e => e.textContent).join(' ')"


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", ""))


def _point(page, name: str, k: int) -> dict:
    """Scroll the chart holding trace ``name`` into view; the screen point of its point ``k``."""
    for _ in range(10):
        page.evaluate("""(name) => { for (const p of document.querySelectorAll('.js-plotly-plot'))
            if ((p._fullData || []).some(d => d.name === name)) p.scrollIntoView({block: 'center'}); }""", name)
        page.wait_for_timeout(500)
        pt = page.evaluate(POINT, [name, k])
        if pt is not None and 0 < pt["y"] < page.viewport_size["height"]:
            return pt
    raise AssertionError(f"trace {name} not on screen")


@pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")
def test_click_a_unit_of_the_second_conv_layer(page, app_url: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/draw_digit")
    wait_for_app(page)
    canvas = page.locator('[data-testid="stBidiComponentIsolated"] canvas.upper-canvas').first
    canvas.wait_for(state="visible", timeout=90_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + 0.25 * w, y0 + 0.2 * h)
    page.mouse.down()
    page.mouse.move(x0 + 0.75 * w, y0 + 0.2 * h, steps=15)
    page.mouse.move(x0 + 0.45 * w, y0 + 0.85 * h, steps=20)
    page.mouse.up()
    page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible", timeout=60_000)
    wait_for_app(page)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("7", timeout=30_000)
    # the overview fits the screen: no horizontal scroll
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 3", timeout=60_000)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # layer 3 is the second Conv2d: click its map 5 in the overview
    pt = _point(page, "hit_3", 5)
    assert pt["data"][:2] == [3, 5]
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function(TITLE, arg="Layer 3 · Conv2d · map 5", timeout=30_000)
    wait_for_app(page)
    # click unit (row 4, col 6) of that map (10 columns in the wide net, 14 in the deep one)
    import convviz
    from convviz.digits import load_classifier

    side = convviz.summarize(load_classifier().to_spec()).layers[3].output_shape[-1]
    pt = _point(page, "units", 4 * side + 6)
    assert pt["data"][:2] == [4, 6]
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function("() => document.body.innerText.includes('unit (5, 4, 6)')", timeout=30_000)
    wait_for_app(page)
    text = page.locator('[data-testid="stMarkdownContainer"]', has_text="Plus the bias").first.inner_text()
    pre = _number(re.search(r"=\s*([−\-]?[\d,]*\.\d+)\s*\(", text).group(1))
    # hover the same unit: the map's hover label shows the network's value
    pt = _point(page, "units", 4 * side + 6)
    page.mouse.move(pt["x"] + 1, pt["y"] + 1)
    page.mouse.move(pt["x"], pt["y"])
    page.wait_for_function(f"() => ({HOVER})().includes('value')", timeout=10_000)
    hover = page.evaluate(HOVER)
    assert "row 4, col 6" in hover
    shown = _number(re.search(r"value\s*([−\-]?[\d,]*\.\d+)", hover).group(1))
    assert shown == pytest.approx(pre, abs=1e-4)
    assert shown == pytest.approx(pt["data"][2], abs=1e-4)


@pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")
def test_the_overview_on_a_phone_scrolls_sideways_and_still_answers_clicks(page, app_url: str) -> None:
    """At 390 px the overview keeps its readable width (OVERVIEW_MIN_PX) in a box that scrolls
    sideways, the page itself does not, and a map far to the right can be scrolled to and opened."""
    from pages.ui.network_view import OVERVIEW_BOX, OVERVIEW_MIN_PX

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/draw_digit?lang=es")
    wait_for_app(page)
    page.get_by_text("Un dígito de ejemplo").first.click()
    wait_for_app(page)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 3", timeout=60_000)
    frame = page.locator(f".st-key-{OVERVIEW_BOX} [data-testid='stFullScreenFrame']").first
    scroller = page.locator(f".st-key-{OVERVIEW_BOX} [data-testid='stElementContainer']").first
    frame.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(f"""() => document.querySelector(".st-key-{OVERVIEW_BOX} [data-testid='stElementContainer']")
                                 .scrollWidth >= {OVERVIEW_MIN_PX}""", timeout=30_000)
    sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert frame.bounding_box()["width"] >= OVERVIEW_MIN_PX
    assert sizes[0] >= OVERVIEW_MIN_PX and sizes[1] <= 390 and sizes[2] == "auto", sizes
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    from convviz.digits import load_classifier

    last_conv = max(i for i, layer in enumerate(load_classifier().layers) if layer.type_name == "Conv2d")
    pt = _point(page, f"hit_{last_conv}", 2)
    if pt["x"] > 350:  # off to the right: scroll the box, as a finger would
        scroller.evaluate("(e, dx) => { e.scrollLeft += dx; }", pt["x"] - 200)
        page.wait_for_timeout(300)
        pt = _point(page, f"hit_{last_conv}", 2)
    assert 0 < pt["x"] < 390 and pt["data"][:2] == [last_conv, 2]
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function(TITLE, arg=f"Capa {last_conv} · Conv2d · mapa 2", timeout=30_000)

"""Real Chromium: on the Architecture page, load ResNet-50, click a box of the diagram (the
projection shortcut of the first bottleneck) and see that layer selected in the editor and
outlined in the diagram; then a box inside a collapsed ×N group."""

from __future__ import annotations

import re

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SLOW = 120_000  # ms: the shared test machine can be very busy

POINT = """(path) => {
  for (const p of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
    const i = (p._fullData || []).findIndex(d => d.name === 'diagram_boxes');
    if (i < 0) continue;
    const t = p._fullData[i], fl = p._fullLayout, bb = p.getBoundingClientRect();
    let k = -1;
    for (let j = 0; j < t.customdata.length; j++) if (t.customdata[j][0] === path) { k = j + 1; break; }
    if (k < 0) return null;
    return {x: bb.left + fl.xaxis._offset + fl.xaxis.l2p(t.x[k]), y: bb.top + fl.yaxis._offset + fl.yaxis.l2p(t.y[k])};
  }
  return null; }"""
SCROLL = """(path) => {
  for (const p of document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')) {
    const i = (p._fullData || []).findIndex(d => d.name === 'diagram_boxes');
    if (i < 0) continue;
    const t = p._fullData[i], fl = p._fullLayout;
    const k = t.customdata.findIndex(c => c[0] === path);
    if (k < 0) return false;
    // scroll the diagram's box (and the page) so that the point is in the middle of the screen
    const y = fl.yaxis._offset + fl.yaxis.l2p(t.y[k]);
    let el = p.parentElement;
    while (el && !(el.scrollHeight > el.clientHeight + 5 && getComputedStyle(el).overflowY !== 'visible')) el = el.parentElement;
    if (el) { el.scrollTop = y - el.clientHeight / 2; }
    p.scrollIntoView({block: 'nearest'});
    return true;
  }
  return false; }"""
RED = """(path) => Array.from(document.querySelectorAll('.js-plotly-plot')).some(p => {
  const t = (p._fullData || []).find(d => d.name === 'diagram_boxes');
  if (!t) return false;
  const k = t.customdata.findIndex(c => c[0] === path);
  return k >= 0 && (p.layout.shapes || []).some(s => s.line && s.line.width === 3 && s.x0 <= t.x[k] && t.x[k] <= s.x1
                                                 && s.y0 <= t.y[k] && t.y[k] <= s.y1); })"""


def _click_box(page, path: str) -> None:  # noqa: ANN001
    for _ in range(10):
        page.evaluate(SCROLL, path)
        page.wait_for_timeout(400)
        pt = page.evaluate(POINT, path)
        if pt is not None and 0 < pt["y"] < page.viewport_size["height"]:
            page.mouse.click(pt["x"], pt["y"])
            return
    raise AssertionError(f"box {path} not on screen")


def _idle(page) -> None:  # noqa: ANN001
    page.wait_for_selector(IDLE, state="attached", timeout=SLOW)


def _choose(page, label: str, option: str) -> None:  # noqa: ANN001
    page.get_by_label(label, exact=True).first.click(timeout=SLOW)
    page.get_by_role("option", name=re.compile("^" + re.escape(option) + "( ·|$)")).first.click(timeout=SLOW)
    _idle(page)


def _editor_shows(page, path: str) -> None:  # noqa: ANN001
    """The editor's layer picker shows ``path`` (as its text or its input's value)."""
    page.wait_for_function("""(path) => Array.from(document.querySelectorAll('[data-testid="stSelectbox"]')).some(b =>
        b.textContent.includes(path + ' · ') || Array.from(b.querySelectorAll('input')).some(i => (i.value || '').startsWith(path + ' · ')))""",
                           arg=path, timeout=SLOW)


def test_click_a_box_selects_the_layer(page, app_url) -> None:  # noqa: ANN001
    page.goto(app_url + "/architecture")
    page.get_by_role("heading", name="Architecture").first.wait_for(timeout=SLOW)
    _idle(page)
    _choose(page, "Network", "resnet50")
    page.get_by_text("25,557,032").first.wait_for(timeout=SLOW)
    page.wait_for_function("(p) => (" + POINT + ")(p) !== null", arg="layers.4.shortcut.0", timeout=SLOW)
    _click_box(page, "layers.4.shortcut.0")
    page.get_by_text("Selected layer: layers.4.shortcut.0").first.wait_for(timeout=SLOW)
    _idle(page)
    _editor_shows(page, "layers.4.shortcut.0")
    assert page.get_by_text("Selected layer: layers.4.shortcut.0").count() == 1
    # the clicked box is outlined in red in the redrawn diagram
    page.wait_for_function(RED, arg="layers.4.shortcut.0", timeout=SLOW)
    # a box of a collapsed ResNet-50 stage (drawn once for layer2.1, layer2.2, layer2.3)
    _click_box(page, "layers.12.body.3")
    _idle(page)
    _editor_shows(page, "layers.12.body.3")
    page.get_by_text("Selected layer: layers.12.body.3").first.wait_for(timeout=SLOW)

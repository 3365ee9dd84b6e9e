"""The animation in real Chromium: Play advances the step slider; Download GIF gives a GIF."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_animations, wait_for_app

ACTIVE = "() => { const p = document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot');" \
         " return p && p._fullLayout && p._fullLayout.sliders ? p._fullLayout.sliders[0].active : null; }"


def _open(page, app_url: str) -> None:
    page.goto(app_url + "/layer_arithmetic")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] g.updatemenu-button', timeout=60_000)


def test_play_advances_the_step(page, app_url) -> None:
    _open(page, app_url)
    assert page.evaluate(ACTIVE) == 0
    play = page.locator('[data-testid="stPlotlyChart"] g.updatemenu-button', has_text="Play")
    play.first.click()
    page.wait_for_function(f"() => ({ACTIVE})() >= 2", timeout=20_000)
    assert page.evaluate(ACTIVE) >= 2


def test_download_gif(page, app_url) -> None:
    _open(page, app_url)
    button = page.locator('[data-testid="stDownloadButton"] button')
    with page.expect_download(timeout=60_000) as info:
        button.first.click()
    path = info.value.path()
    data = open(path, "rb").read()
    assert data[:6] in (b"GIF89a", b"GIF87a")
    im = Image.open(io.BytesIO(data))
    assert im.n_frames > 1 and im.info.get("loop") == 0
    assert info.value.suggested_filename.endswith(".gif")


CELL = """(side) => { const p = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const fl = p._fullLayout; const t = p.data.find(d => d.name === 'hit_' + side);
  const k = t.customdata.findIndex(c => c[1] === 1 && c[2] === 2);
  const bb = p.getBoundingClientRect();
  return {x: bb.left + fl._size.l + fl.xaxis.l2p(t.x[k]), y: bb.top + fl._size.t + fl.yaxis.l2p(t.y[k])}; }"""
PICK = "() => { const p = document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot');" \
       " return p && p.layout ? p.layout.annotations.map(a => a.text).join(' | ') : ''; }"


def test_click_on_an_output_cell_picks_it(page, app_url) -> None:
    _open(page, app_url)
    page.locator('[data-testid="stPlotlyChart"]').last.scroll_into_view_if_needed()
    pt = page.evaluate(CELL, 1)
    page.mouse.click(pt["x"], pt["y"])
    page.wait_for_function(f"() => ({PICK})().includes('output (1,2) reads')", timeout=30_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] g.updatemenu-button', timeout=30_000)
    # the pick starts the animation at that cell's step (row 1, col 2 of a 3x3 output)
    assert page.evaluate(ACTIVE) == 1 * 3 + 2


def test_gallery_pills_load_their_case_and_can_be_clicked_again(page, app_url) -> None:  # noqa: ANN001
    """The gallery is one row of pills: a click writes the case into the settings (and the
    link), and the pick clears itself, so the next click loads another case."""
    _open(page, app_url)
    heading = page.locator("h3").first
    page.get_by_text("Gallery", exact=False).first.click()
    pill = page.get_by_text("Max pooling 2x2, stride 2", exact=True).first
    expect(pill).to_be_visible()
    wait_for_app(page)  # no script run in flight that could redraw the pills under the click
    wait_for_animations(page)  # the expander has finished opening
    pill.click()
    expect(heading).to_contain_text("x 2 x 2", timeout=30_000)  # 4x4, window 2, stride 2: 2x2
    page.wait_for_function("() => location.search.includes('op=maxpool')", timeout=30_000)
    wait_for_app(page)
    page.get_by_text("Padding, strides (odd)", exact=True).first.click()
    page.wait_for_function("() => location.search.includes('h=6') && !location.search.includes('op=maxpool')",
                           timeout=30_000)
    expect(heading).to_contain_text("x 3 x 3", timeout=30_000)  # (6 + 2 - 3) // 2 + 1 = 3
    assert page.locator('[data-testid="stException"]').count() == 0

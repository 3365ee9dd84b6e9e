"""Real Chromium: draw a "1" with the mouse on the canvas and read the prediction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import wait_for_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / "assets" / "digit_cnn.npz").exists(), reason="model not trained yet")
def test_draw_a_one(page, app_url: str) -> None:
    # on a fresh server the first visit to a page URL is routed through app.py's home page,
    # so open the app once, then the page
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/draw_digit")
    wait_for_app(page)
    canvas = page.locator('[data-testid="stBidiComponentIsolated"] canvas.upper-canvas').first
    canvas.wait_for(state="visible", timeout=90_000)  # first run loads plotly, scipy, the model
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] >= 200
    x = box["x"] + box["width"] * 0.5
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(x + 2, box["y"] + box["height"] * 0.85, steps=25)
    page.mouse.up()
    value = page.locator('[data-testid="stMetricValue"]').first
    value.wait_for(state="visible", timeout=60_000)
    wait_for_app(page)
    from playwright.sync_api import expect

    expect(value).to_have_text("1", timeout=30_000)
    # the live network's section is drawn after the prediction: wait for it, do not read it once
    expect(page.get_by_text("Inside the network").first).to_be_visible(timeout=30_000)

"""The Training lab in real Chromium: start a run, watch the curves grow while it trains
(the page updates at least twice a second), press Stop and see it stop."""

from __future__ import annotations

import time

from tests.browser.conftest import wait_for_app

# number of per-iteration points in the live loss curve (0 when there is no chart yet)
POINTS = (
    "() => { const p = document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot');"
    " if (!p || !p.data || !p.data.length) return 0;"
    " const t = p.data.find(d => d.name === 'training, each iteration');"
    " return t && t.x ? t.x.length : 0; }"
)
PROGRESS = "() => { const e = document.querySelector('[data-testid=\"stProgress\"]'); return e ? e.innerText : ''; }"


def test_start_grow_and_stop(page, app_url) -> None:
    page.goto(app_url + "/training_lab")
    wait_for_app(page)
    heading = page.locator("h1").first
    if "Training lab" not in heading.inner_text():  # a fresh server may route the first visit home
        page.get_by_role("link", name="Training lab").click()
    page.wait_for_function("() => [...document.querySelectorAll('h1')].some(h => h.innerText.includes('Training lab'))",
                           timeout=30_000)
    wait_for_app(page)
    # a longer run than the default: 50 epochs of 1,000 digits (1,600 iterations; the faster
    # numpy CNN of issue 15 ran 15 epochs in 8 s, over before the 3 s of watching ended)
    thumb = page.locator('.st-key-train_epochs input[type="range"]')
    thumb.focus()
    for _ in range(45):
        thumb.press("ArrowRight")
    page.wait_for_function("() => document.body.innerText.includes('50 epochs')", timeout=30_000)
    wait_for_app(page)
    page.locator(".st-key-train_start button").click()

    page.wait_for_function(f"() => ({POINTS})() >= 3", timeout=60_000)
    points, progress = [], []
    for _ in range(7):  # 3 s of watching, sampled every 0.5 s
        points.append(page.evaluate(POINTS))
        progress.append(page.evaluate(PROGRESS))
        time.sleep(0.5)
    assert points[-1] > points[0], points  # the curves grow
    changes = sum(b != a for a, b in zip(progress, progress[1:], strict=False))
    assert changes >= 5, f"the page should update at least twice a second: {progress}"
    assert "Training: iteration" in progress[-1]

    page.locator(".st-key-train_stop button").click()
    page.wait_for_function(f"() => ({PROGRESS})().includes('Stopped after')", timeout=30_000)
    time.sleep(1.0)  # the stopped run's last figure (its final iteration) is drawn once more
    wait_for_app(page)
    stopped_at = page.evaluate(POINTS)
    time.sleep(1.5)
    assert page.evaluate(POINTS) == stopped_at  # nothing more is trained
    assert 0 < stopped_at < 1600
    assert page.locator(".st-key-train_start button").is_enabled()
    assert page.get_by_text("Download the model (.npz)").count() >= 1


CHECKED = "(k) => [...document.querySelectorAll(`.st-key-${k} input[type=radio]`)].map(r => r.checked)"


def test_choices_stay_visible_after_switching_language(page, app_url) -> None:
    """Radios and selectboxes remember their option by its label in the browser; after a
    switch to Spanish the chosen options must still show as chosen, in Spanish."""
    page.goto(app_url + "/training_lab")
    wait_for_app(page)
    if "Training lab" not in page.locator("h1").first.inner_text():
        page.get_by_role("link", name="Training lab").click()
    page.wait_for_function("() => document.body.innerText.includes('Start training')", timeout=30_000)
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Español").click()
    page.wait_for_function("() => document.body.innerText.includes('Empezar a entrenar')", timeout=30_000)
    wait_for_app(page)
    source = page.evaluate(CHECKED, "train_source")  # the folder source only when the server allows one
    assert source[0] and not any(source[1:]) and len(source) in (2, 3)
    assert page.evaluate(CHECKED, "train_batch_mode") == [False, True, False]
    assert page.locator(".st-key-train_size input").input_value().startswith("pequeña")

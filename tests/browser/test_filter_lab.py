"""Filter lab in real Chromium: upload through the file chooser, pick Sobel, see the result;
upload a broken file and see the message with the rest of the page intact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_app


def _open_upload(page, app_url: str) -> None:  # noqa: ANN001
    heading = page.get_by_role("heading", name="Filter lab")
    for _ in range(3):  # a fresh server may not know the page yet and land on Home: retry
        page.goto(app_url + "/filter_lab")
        wait_for_app(page)
        try:
            heading.wait_for(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - playwright TimeoutError
            continue
    heading.wait_for()
    page.get_by_text("Upload your own").click()
    page.get_by_text("No file uploaded yet").wait_for()


def _choose_file(page, path: Path) -> None:  # noqa: ANN001
    with page.expect_file_chooser() as chooser:
        page.locator('[data-testid="stFileUploaderDropzone"] button').first.click()
    chooser.value.set_files(str(path))


def _filter_box(page):  # noqa: ANN001, ANN202
    """The selectbox labelled exactly "Filter" (``has_text`` matches substrings, case-blind:
    the demos further down have boxes whose label or value contains "filter")."""
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text("Filter", exact=True)
    return page.locator('[data-testid="stSelectbox"]').filter(has=label)


def _result_image_loaded(page) -> bool:  # noqa: ANN001
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stImage"]')].some(el =>
             el.innerText.includes('Result') && el.querySelector('img') &&
             el.querySelector('img').complete && el.querySelector('img').naturalWidth > 0)"""
    )


def test_upload_image_apply_sobel_and_see_result(page, app_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    arr = np.full((300, 400, 3), 30, np.uint8)
    arr[:, 200:] = 220  # one vertical edge for Sobel Gx
    path = tmp_path / "edge.png"
    Image.fromarray(arr).save(path)
    _open_upload(page, app_url)
    _choose_file(page, path)
    page.get_by_text("400 x 300 pixels").wait_for()
    wait_for_app(page)

    _filter_box(page).click()
    page.get_by_role("option", name="Sobel Gx (lecture)").click()
    page.get_by_text("mid-grey (128) is 0").wait_for()
    wait_for_app(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stImage"]')].some(el =>
             el.innerText.includes('Result') && el.querySelector('img') && el.querySelector('img').naturalWidth > 0)"""
    )
    assert _result_image_loaded(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)  # the kernel grid


def test_broken_upload_shows_message_and_page_stays(page, app_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    _open_upload(page, app_url)
    _choose_file(page, path)
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    assert "This file cannot be used" in error.inner_text()
    assert "truncated or corrupt" in error.inner_text()
    wait_for_app(page)
    # the rest of the page: title, controls, the sample's result, the concept demos
    expect(page.get_by_role("heading", name="Filter lab")).to_be_visible(timeout=30_000)
    expect(_filter_box(page)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("640 x 480 pixels")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="What filtering means, with numbers")).to_be_visible(timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stImage"]')].some(el =>
             el.innerText.includes('Result') && el.querySelector('img') && el.querySelector('img').naturalWidth > 0)"""
    )
    assert _result_image_loaded(page)
    assert page.locator('[data-testid="stException"]').count() == 0

"""The projector's first screen (issue 13): at 1280x720 the main picture of each page starts
inside the viewport, and the home page's section links land on their section."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from pages.ui.lecture import toc
from pages.ui.url_state import query_for
from tests.browser.conftest import wait_for_app

CHART, IMAGE = '[data-testid="stPlotlyChart"]', '[data-testid="stImage"]'
PAGES = [
    ("concepts?sec=activations", CHART), ("concepts?sec=fc_conv", CHART), ("concepts?sec=norm", CHART),
    ("concepts?sec=dropout", CHART), ("concepts?sec=softmax", CHART),
    ("architecture", CHART),  # the diagram (the first chart of the page)
    ("filter_lab", IMAGE), ("training_lab", ".st-key-train_start button"),
]
SECTION_LINKS = {"corr_conv": IMAGE, "assoc": IMAGE, "equivariance": IMAGE, "dilation_rf": CHART}


def _home_links() -> list[tuple[str, str]]:
    """The four home entries that open a page at one of its sections, as URL paths."""
    entries = {key: (page, settings) for _, items in toc() for key, page, settings in items}
    return [(f"{Path(entries[key][0]).stem}?{urlencode(query_for(*entries[key], 'en'))}", selector)
            for key, selector in SECTION_LINKS.items()]


def test_main_picture_starts_on_the_first_screen(browser, app_url) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        for path, selector in PAGES + _home_links():
            page.goto(f"{app_url}/{path}")
            wait_for_app(page)
            picture = page.locator(selector).first
            # inside the viewport: its top above the fold (a sliver is not enough: 120 px of it show)
            expect(picture, path).to_be_in_viewport(timeout=60_000)
            page.wait_for_function(
                "([s, fold]) => { const e = document.querySelector(s);"
                " return e && e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().top < fold; }",
                arg=[selector, 720 - 120], timeout=60_000)
    finally:
        context.close()

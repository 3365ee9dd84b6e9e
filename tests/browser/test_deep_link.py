"""A deep link as the very first request to a fresh server opens the page inside the app's
navigation (Streamlit first runs it in its legacy pages/ mode; pages.ui.start_page routes it
through app.py), not in Streamlit's plain list of files."""

from __future__ import annotations

from tests.browser.conftest import wait_for_app

NAV = '[data-testid="stSidebarNav"] a'


def test_first_request_to_a_page_url_shows_it_in_the_navigation(browser, fresh_app_url) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(fresh_app_url + "/filter_lab")
        wait_for_app(page)
        page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('Filter lab')",
                               timeout=60_000)
        links = [t.split("\n")[-1] for t in page.locator(NAV).all_inner_texts()]
        assert "Filter lab" in links and "Layer arithmetic" in links
        assert not any(name in links for name in ("app", "filter lab", "home"))  # legacy file names
        for path in ("/", "/home"):
            page.goto(fresh_app_url + path)
            wait_for_app(page)
            page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('ConvViz')",
                                   timeout=60_000)
    finally:
        context.close()

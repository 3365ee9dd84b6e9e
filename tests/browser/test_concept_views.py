"""The Concepts views in a real browser: the Training lab's link opens the gradient-descent
section (in the page's language), and a slider change redraws the paths without an error."""

from __future__ import annotations

from tests.browser.test_classroom import _main, _open, _settle


def _follow_training_lab_link(page, app_url: str, lang: str, name: str) -> None:  # noqa: ANN001
    """Open the Training lab in ``lang``, click its link ``name``, wait for Concepts' figure."""
    _open(page, app_url + f"/training_lab?lang={lang}")
    page.get_by_role("link", name=name).click()
    page.wait_for_url("**/concepts?*", timeout=90_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=90_000)
    _settle(page)


def test_training_lab_link_opens_gradient_descent(page, app_url) -> None:  # noqa: ANN001
    _follow_training_lab_link(
        page, app_url, "es", "Ver el descenso de gradiente, SGD, momentum y Adam sobre una superficie de pérdida")
    assert "sec=descent" in page.url and "lang=es" in page.url
    assert "El descenso de gradiente, en imagen" in _main(page)
    assert page.locator('[data-testid="stPlotlyChart"] .contour').count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0


def test_augmentation_link_shows_the_grid_and_the_warning(page, app_url) -> None:  # noqa: ANN001
    _follow_training_lab_link(page, app_url, "en", "See the augmented copies of a digit")
    text = _main(page)
    assert "rotate a 6 a lot, it could become a 9" in text
    assert page.locator('[data-testid="stException"]').count() == 0

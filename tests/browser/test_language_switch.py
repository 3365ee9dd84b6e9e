"""After a language switch the options chosen on a page stay chosen, shown in the new
language, and the page's results do not change (Streamlit's browser side remembers a radio /
selectbox option by its label; pages.ui's language switch re-sends the kept values)."""

from __future__ import annotations

from convviz.i18n import translate
from tests.browser.conftest import wait_for_app

LANG_BOX = '[data-testid="stSidebar"] [data-testid="stSelectbox"]'
CHECKED = ("(k) => [...document.querySelectorAll(`.st-key-${k} input[type=radio]`)]"
           ".filter(r => r.checked).map(r => r.closest('label').innerText.trim())")


def _settle(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)
    page.wait_for_timeout(600)
    wait_for_app(page)


def _open(page, url: str, title: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_function("(t) => document.querySelector('h1')?.innerText.includes(t)", arg=title, timeout=30_000)
    _settle(page)


def _language(page, name: str, marker: str) -> None:
    page.locator(LANG_BOX).first.click()
    page.get_by_role("option", name=name).click()
    page.wait_for_function("(t) => document.querySelector('h1')?.innerText.includes(t)", arg=marker, timeout=30_000)
    _settle(page)


def _radio(page, key: str) -> list[str]:
    return page.evaluate(CHECKED, key)


def _select(page, key: str, text: str) -> None:
    page.locator(f".st-key-{key} input[role=combobox]").click()
    page.get_by_role("option").filter(has_text=text).first.click()
    _settle(page)


def _shown(page, key: str) -> str:
    return page.locator(f".st-key-{key} input[role=combobox]").input_value()


def _main(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_layer_arithmetic_padding_radio(page, app_url) -> None:
    """A keyed radio with persist_state="session": before the fix it showed nothing chosen in
    Spanish and the next click reset it to 'number of zeros' (the output size changed)."""
    _open(page, app_url + "/layer_arithmetic", "Layer arithmetic")
    page.locator(".st-key-arith_pad_mode label", has_text=translate("arith.pad_valid", "en")).click()
    _settle(page)
    assert _radio(page, "arith_pad_mode") == [translate("arith.pad_valid", "en")]
    before = _main(page)
    _language(page, "Español", translate("arith.page_title", "es"))
    assert _radio(page, "arith_pad_mode") == [translate("arith.pad_valid", "es")]
    _language(page, "English", translate("arith.page_title", "en"))
    assert _radio(page, "arith_pad_mode") == [translate("arith.pad_valid", "en")]
    assert _main(page) == before  # same settings, same results


def test_filter_lab_selectboxes_and_radios(page, app_url) -> None:
    _open(page, app_url + "/filter_lab", "Filter lab")
    _select(page, "flt_border", translate("filters.border_reflect", "en"))
    page.locator(".st-key-flt_color label", has_text=translate("filters.color_gray", "en")[:10]).click()
    _settle(page)
    page.locator(".st-key-flt_concept label", has_text=translate("filters.tab_assoc", "en")).click()
    _settle(page)
    before = _main(page)
    _language(page, "Español", translate("filters.page_title", "es"))
    assert _shown(page, "flt_border") == translate("filters.border_reflect", "es")
    assert _radio(page, "flt_color") == [translate("filters.color_gray", "es")]
    assert _radio(page, "flt_concept") == [translate("filters.tab_assoc", "es")]
    _language(page, "English", translate("filters.page_title", "en"))
    assert _shown(page, "flt_border") == translate("filters.border_reflect", "en")
    assert _radio(page, "flt_color") == [translate("filters.color_gray", "en")]
    assert _main(page) == before


def test_training_lab_size_box(page, app_url) -> None:
    _open(page, app_url + "/training_lab", "Training lab")
    _select(page, "train_size", translate("train.size_medium", "en"))
    page.locator(".st-key-train_optimizer label", has_text=translate("train.optimizer_momentum", "en")).click()
    _settle(page)
    before = _main(page)
    _language(page, "Español", translate("train.page_title", "es"))
    assert _shown(page, "train_size") == translate("train.size_medium", "es")
    assert _radio(page, "train_optimizer") == [translate("train.optimizer_momentum", "es")]
    _language(page, "English", translate("train.page_title", "en"))
    assert _shown(page, "train_size") == translate("train.size_medium", "en")
    assert _main(page) == before

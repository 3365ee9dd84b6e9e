"""Architecture and Receptive-field pages in real Chromium: load ResNet-50, edit one layer and
see the totals change; pick ResNet-50 on the receptive-field page and see its field."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

import convviz
from convviz.arithmetic.presets import get_preset
from tests.browser.conftest import wait_for_app


def _choose(page, label: str, option: str) -> None:  # noqa: ANN001
    box = page.get_by_label(label, exact=True).first
    box.click()
    # options read "resnet50 · ResNet-50 ..." (the preset key, then its description)
    page.get_by_role("option", name=re.compile("^" + re.escape(option) + "( ·|$)")).first.click()
    wait_for_app(page)


def test_load_resnet50_edit_a_layer_and_see_the_totals_change(page, app_url) -> None:  # noqa: ANN001
    page.goto(app_url + "/architecture")
    wait_for_app(page)
    page.get_by_role("heading", name="Architecture").first.wait_for()
    _choose(page, "Network", "resnet50")
    page.get_by_text("25,557,032").first.wait_for(timeout=30_000)
    expect(page.get_by_text("25.6 M").first).to_be_visible(timeout=30_000)

    edited = get_preset("resnet50")
    edited["layers"][0]["out_channels"] = 32
    expected = convviz.summarize(edited).total_params
    args = dict(edited["layers"][0])
    args.pop("type")
    area = page.locator('[data-testid="stTextArea"] textarea').first
    area.fill(json.dumps(args))
    area.press("Control+Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Apply").click()
    wait_for_app(page)
    page.get_by_text(f"{expected:,}").first.wait_for(timeout=30_000)

    # the old total goes once the rerun has replaced every element (stale ones linger a moment)
    expect(page.get_by_text("25,557,032")).to_have_count(0, timeout=30_000)


def test_receptive_field_page_with_resnet50(page, app_url) -> None:  # noqa: ANN001
    page.goto(app_url + "/receptive_field")
    wait_for_app(page)
    page.get_by_role("heading", name="Receptive field").first.wait_for()
    _choose(page, "Network", "resnet50")
    summary = convviz.summarize("resnet50")
    last = [r for r in summary.layers if r.receptive_field is not None and len(r.output_shape) == 3][-1]
    size = last.receptive_field.size
    page.get_by_text(f"{size[0]} × {size[1]}").first.wait_for(timeout=30_000)
    # the charts come after the text in the same rerun: wait for them rather than count at once
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 3",
                           timeout=30_000)

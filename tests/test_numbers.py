"""Numbers shown to the user in their language: ``convviz.i18n.fmt_number`` and the
formatting helpers built on it, checked against hand-written expectations and an independent
digit-grouping reference; the CLI and the CSV / JSON exports keep plain digits."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import convviz
from convviz.arithmetic.formatting import giga, human, human_bytes, render
from convviz.i18n import fmt_number
from tests._numbers import parse_number


def _grouped(n: int, sep: str) -> str:
    """Reference: digits of |n| in groups of three from the right, joined by ``sep``."""
    digits = str(abs(n))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ("-" if n < 0 else "") + sep.join(groups)


def test_examples_from_the_qa_report() -> None:
    assert fmt_number(61706, "es") == "61.706"
    assert fmt_number(61706, "en") == "61,706"
    assert giga(714_188_480, lang="es") == "0,71 G"
    assert giga(714_188_480) == "0.71 G"
    assert fmt_number(1234.5, "es", 2) == "1.234,50"
    assert fmt_number(1234.5, "en", 2) == "1,234.50"
    assert fmt_number(0.5, "es") == "0,5"
    assert fmt_number(12.34567, "es", spec=".4g") == "12,35"
    assert fmt_number(0.712, "es", spec=".1%") == "71,2\u00a0%"
    assert fmt_number(0.712, "en", spec=".1%") == "71.2%"
    assert fmt_number(np.int64(1_234_567), "es") == "1.234.567"
    assert fmt_number(-1234, "es") == "-1.234"
    assert fmt_number(999, "es") == "999"


def test_human_units_in_spanish() -> None:
    assert human(61_100_840, lang="es") == "61,1 M"
    assert human(138_357_544, lang="es") == "138 M"
    assert human(999_960, lang="es") == "1,00 M"
    assert human(280, lang="es") == "280"
    assert human(2.5, lang="es") == "2,5"
    assert human_bytes(602_112, "es") == "602 kB"
    assert human_bytes(60_008, "es") == "60,0 kB"
    assert human_bytes(512, "es") == "512 B"


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15))
def test_integers_group_by_three(n: int) -> None:
    assert fmt_number(n, "en") == _grouped(n, ",")
    assert fmt_number(n, "es") == _grouped(n, ".")
    assert parse_number(fmt_number(n, "es"), "es") == n


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_fixed_decimals(whole: int, cents: int) -> None:
    value = whole + (cents / 100 if whole >= 0 else -cents / 100)
    sign = "-" if value < 0 else ""
    expected_es = f"{sign}{_grouped(abs(whole), '.')},{cents:02d}"
    if abs(value) < 1 and value != 0 and whole == 0:
        expected_es = f"{sign}0,{cents:02d}"
    assert fmt_number(value, "es", 2) == expected_es
    assert fmt_number(value, "en", 2) == expected_es.replace(".", "#").replace(",", ".").replace("#", ",")


def test_cli_and_machine_exports_keep_plain_digits() -> None:
    s = convviz.summarize("lenet5")
    table = render(s, "table", "es")  # Spanish labels, English digits (the CLI's output)
    assert "61,706" in table and "61.706" not in table
    csv_text = render(s, "csv", "es")
    assert csv_text.splitlines()[-1].split(",")[5:6] == [str(s.layers[-1].params)]
    assert json.loads(render(s, "json", "es"))["total_params"] == 61706
    markdown = render(s, "markdown", "es")  # as the CLI calls it: numbers unchanged
    assert "61,706" in markdown


def test_page_markdown_in_spanish_numbers() -> None:
    from convviz.arithmetic.formatting import render_markdown, render_table

    s = convviz.summarize("lenet5")
    markdown = render_markdown(s, "es", number_lang="es")
    assert "61.706" in markdown and "416.520" in markdown and "0,00 G" in markdown
    assert "61,706" not in markdown
    assert "61.706" in render_table(s, "es", number_lang="es")

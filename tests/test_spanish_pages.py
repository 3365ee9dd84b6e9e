"""Spanish pages show Spanish only: no English catalog text, no English words from outside
the catalog, no number written with a decimal point, plotly figures with the Spanish
separators; and the Spanish catalog uses the lecture's words (filtro / kernel / máscara,
never "núcleo"). The screens scanned are tests/lang_scan.py's VIEWS (add a row there for a
new page, section or tab)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic.sizes import Tiling  # noqa: E402
from convviz.concepts import fc_vs_conv  # noqa: E402
from convviz.errors import ConvVizError  # noqa: E402
from convviz.i18n import catalog  # noqa: E402
from pages.ui.registry import PAGES  # noqa: E402
from tests import lang_scan as L  # noqa: E402

pytestmark = pytest.mark.usefixtures("private_digit_cache")


def test_every_registered_page_is_scanned() -> None:
    assert {file for file, *_ in PAGES} <= {v.page for v in L.VIEWS}


@pytest.mark.parametrize("view", L.VIEWS, ids=lambda v: v.id)
def test_spanish_view_shows_no_english_and_no_decimal_point(view: L.View) -> None:
    at = L.open_view(view)
    texts = L.rendered_texts(at)
    assert len(texts) > 10, f"{view.id} shows almost nothing"
    assert L.english_leaks(texts) == []
    assert L.english_words(texts) == []
    assert L.decimal_points(texts) == []
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        if all(t.get("type") == "image" for t in fig.get("data", [])):
            continue  # pictures only: no number to write
        assert fig["layout"].get("separators") == ",.", f"{view.id}: a figure writes 0.5, not 0,5"


def test_the_scan_finds_what_it_looks_for() -> None:
    """The checks themselves: an English catalog sentence, an English word, a decimal point
    are found; Spanish thousands (61.706), versions, URLs and shapes are not decimals."""
    en, es = catalog("en"), catalog("es")
    key = "engine.tiling"
    english = en[key].split("{")[1].split("}", 1)[1]  # a literal part of the English template
    shown = [("markdown", f"x {english} y"), ("plotly_chart", "row %{y}, col %{x}")]
    assert L.english_leaks(shown) and L.english_words(shown)
    assert L.english_leaks([("markdown", es[key])]) == []
    bad = [("warning", "5/3 + 1 = 2.67"), ("select_slider", "0.003"), ("metric", "0.5")]
    assert len(L.decimal_points(bad)) == 3
    fine = [("markdown", "**61.706** parámetros, 1.234.567 bytes, 2,67 y 0,003"),
            ("caption", "streamlit 1.67.0, https://example.org/a.b/1.2, 3x3, 28×28×6, modelo.json")]
    assert L.decimal_points(fine) == []


def test_no_spanish_catalog_text_says_nucleo() -> None:
    """The lecture says filtro, kernel and máscara; never "núcleo"."""
    found = {k: v for k, v in catalog("es").items() if re.search(r"n[úu]cleo", v, re.IGNORECASE)}
    assert found == {}


SYNTAX_KEYS = {"concepts.bad_numbers", "filters.custom_label", "filters.err_text"}
"""Catalog texts that teach how to type numbers, decimal point included on purpose."""


def test_no_spanish_catalog_text_writes_a_decimal_point() -> None:
    """Every Spanish text, shown or not by the views above: 0,25, never 0.25."""
    texts = [(k, v) for k, v in catalog("es").items() if k not in SYNTAX_KEYS]
    assert L.decimal_points(texts) == []


def test_engine_numbers_are_written_at_render_time_in_the_readers_language() -> None:
    lecture = Tiling(7, 3, 3, 0, 1).note()  # the lecture's 7x7, 3x3, stride 3: (7 - 3)/3 + 1 = 2.33
    assert "= 2.33;" in lecture.text("en") and "= 2,33;" in lecture.text("es")
    note = Tiling(8, 3, 3, 0, 1).note()  # (8 - 2 - 1)/3 + 1 = 2.67; strides that tile: 1, 5
    assert "= 2.67;" in note.text("en") and "strides: 1, 5." in note.text("en")
    assert "= 2,67;" in note.text("es") and "Strides que encajan: 1; 5." in note.text("es")
    with pytest.raises(ConvVizError) as err:  # the Concepts page's FC-vs-conv case
        fc_vs_conv(7, 7, 3, 6, 3, 3, 0)
    assert err.value.localized("es").endswith("no es un número entero: (7 + 2·0 - 3) / 3 = 1,33")
    assert str(err.value).endswith("is not whole: (7 + 2·0 - 3) / 3 = 1.33")

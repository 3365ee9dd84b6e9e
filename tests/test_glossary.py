"""The glossary: the lecture's terms EN/ES with a one-line definition, in the sidebar of every
registered page, in both languages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.glossary import TERMS, entries  # noqa: E402
from convviz.i18n import LANGUAGES, catalog, translate  # noqa: E402
from pages.ui.registry import PAGES  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402


def test_every_term_has_its_words_and_a_one_line_definition_in_every_language() -> None:
    glossary_keys = {k for k in catalog("en") if k.startswith("glossary.term_")}
    assert glossary_keys == {f"glossary.term_{t}" for t in TERMS}  # no term left out of the table
    for lang in LANGUAGES:
        for e in entries(lang):
            assert set(e.words) == set(LANGUAGES) and all(e.words.values())
            assert e.definition and "\n" not in e.definition and len(e.definition) < 200, e.term
    # the lecture's own words
    words = {e.term: e.words["es"] for e in entries("es")}
    assert words["filter"] == "filtro, máscara" and words["kernel"] == "kernel"
    assert words["stride"] == "stride" and words["epoch"] == "epoch"
    assert words["receptive_field"] == "campo receptivo"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page_file", [file for file, *_ in PAGES])
def test_the_glossary_is_in_the_sidebar_of_every_page(page_file: str, lang: str) -> None:
    at = open_page(page_file, lang)
    popovers = [b for b in at.sidebar.get("popover") if b.proto.popover.label == translate("glossary.button", lang)]
    assert len(popovers) == 1, page_file
    text = "\n".join(m.value for m in popovers[0].get("markdown"))
    for e in entries(lang):
        assert e.words["en"] in text and e.words["es"] in text and e.definition in text, e.term

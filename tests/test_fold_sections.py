"""A link can open a page at one of its sections (``?at=``, the home page's lecture links):
Filter lab's concepts and Receptive field's dilation versus stacking come first. The URL gives
the state, the state gives the URL, a wrong value gives the default and a notice."""

from __future__ import annotations

import pytest

from convviz.i18n import translate
from pages.ui.lecture import toc
from pages.ui.url_state import query_for
from tests.test_url_state import open_with_query

FILTERS, RF = "pages/filter_lab.py", "pages/receptive_field.py"


def _concepts_first(at) -> bool:
    """The concepts' radio before the image's (the radios in page order)."""
    return [r.key for r in at.radio][0] == "flt_concept"


def _dilation_first(at) -> bool:
    return at.subheader[0].value == translate("rf.dilation", "en")


def test_filter_lab_link_opens_at_the_concepts() -> None:
    at = open_with_query(FILTERS, {"at": "concepts", "concept": "equiv"}, lang="en")
    assert at.session_state["flt_at"] == "concepts" and _concepts_first(at)
    assert at.slider(key="flt_equiv_dy").value == 20  # the concept's own widgets work
    at.slider(key="flt_equiv_dy").set_value(10).run()
    assert at.query_params["at"] == "concepts" and at.query_params["dy"] == "10"  # the state gives the URL
    assert _concepts_first(at)


def test_filter_lab_without_the_section_shows_the_filter_first() -> None:
    at = open_with_query(FILTERS, {"concept": "equiv"}, lang="en")
    assert not _concepts_first(at) and "at" not in at.query_params


def test_receptive_field_link_opens_at_dilation() -> None:
    at = open_with_query(RF, {"at": "dilation", "db": "1, 2, 2"}, lang="en")
    assert at.session_state["rf_at"] == "dilation" and _dilation_first(at)
    assert at.text_input(key="rf_dil_b").value == "1, 2, 2"
    at.text_input(key="rf_dil_b").input("2, 2, 2").run()
    assert at.query_params["at"] == "dilation" and at.query_params["db"] == "2, 2, 2"
    assert _dilation_first(at) and not at.exception
    plain = open_with_query(RF, {"model": "lenet5"}, lang="en")
    assert not _dilation_first(plain)


@pytest.mark.parametrize(("page", "value"), [(FILTERS, "<script>alert(1)</script>"), (FILTERS, "x" * 5000),
                                             (RF, "main'; DROP TABLE"), (RF, "concepts")])
def test_a_wrong_section_gives_the_default_and_a_notice(page: str, value: str) -> None:
    at = open_with_query(page, {"at": value}, lang="en")
    assert not at.exception
    assert at.session_state["flt_at" if page == FILTERS else "rf_at"] == "main"
    assert any("not valid" in str(w.value) and str(w.value).endswith(": at.") for w in at.warning)
    assert not (_concepts_first(at) if page == FILTERS else _dilation_first(at))


def test_the_home_links_name_their_section() -> None:
    entries = {key: (page, settings) for _, items in toc() for key, page, settings in items}
    for key, section in (("corr_conv", "concepts"), ("assoc", "concepts"), ("equivariance", "concepts"),
                         ("dilation_rf", "dilation")):
        page, settings = entries[key]
        assert query_for(page, settings, "en")["at"] == section
    assert "at" not in query_for(*entries["rf"], "en")  # the plain receptive-field link opens at the top
    assert query_for(*entries["dilation_rf"], "en") != query_for(*entries["rf"], "en")

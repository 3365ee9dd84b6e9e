"""app.py's menu and favicon (pages/ui/navigation.py): made once, kept per session and
language, never shared between sessions."""

from __future__ import annotations

import base64

from streamlit.testing.v1 import AppTest

from pages.ui.navigation import favicon_url
from pages.ui.registry import HOME_FILE, PAGES
from tests.apptest_helpers import ROOT

MENU_KEY = "_convviz_menu"


def test_favicon_is_the_assets_file_as_a_data_url() -> None:
    head, _, body = favicon_url().partition(",")
    assert head == "data:image/png;base64"
    assert base64.b64decode(body) == (ROOT / "assets" / "favicon.png").read_bytes()


def _menu(app: AppTest, language: str) -> tuple[dict, dict]:
    return app.session_state[MENU_KEY][language]


def _app() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def test_pages_are_made_once_per_session_and_language() -> None:
    app = _app()
    sections, by_file = _menu(app, "en")
    assert set(by_file) == {file for file, *_ in PAGES}
    assert by_file[HOME_FILE].url_path == ""  # the default page, served at "/"
    app.run()
    assert _menu(app, "en")[1] is by_file  # a rerun reuses the session's pages
    app.session_state["lang"] = "es"
    app.run()
    sections_es, by_file_es = _menu(app, "es")
    assert by_file_es is not by_file and _menu(app, "en")[1] is by_file
    titles_es = {page.title for pages in sections_es.values() for page in pages}
    titles_en = {page.title for pages in sections.values() for page in pages}
    assert "Conceptos" in " ".join(titles_es) and titles_es != titles_en
    assert not app.exception


def test_two_sessions_never_share_a_page_object() -> None:
    """st.navigation flags the page it returns as callable and Page.run clears the flag: a
    Page shared by two sessions running at once could refuse to run."""
    first, second = _app(), _app()
    pages_a, pages_b = _menu(first, "en")[1], _menu(second, "en")[1]
    assert all(pages_a[file] is not pages_b[file] for file in pages_a)

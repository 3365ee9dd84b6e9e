"""The error boundary around every page (issue 12): an error nobody foresaw shows a short
translated message and a reset button, never a traceback or a path, and the settings are
reset to the defaults (the language is kept); the Streamlit config hides error details."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from convviz.i18n import translate  # noqa: E402
from pages.ui.safe_run import RAISE_ENV, RESET_KEY  # noqa: E402


@pytest.mark.parametrize("lang", ["en", "es"])
def test_unforeseen_error_shows_a_message_and_a_reset(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The home page (run through app.py's navigation, as in a browser) fails on its last
    line; the page shows the catalog's message and the reset button instead."""
    import pages.ui as ui

    original = ui.translate

    def failing(key: str, *args: object, **values: object) -> str:
        if key == "home.footer":
            raise RuntimeError("/secret/server/path went wrong")
        return original(key, *args, **values)

    monkeypatch.delenv(RAISE_ENV, raising=False)
    monkeypatch.setattr(ui, "translate", failing)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["arch_in_h"] = 40  # a setting of another page, reset below
    at.run()
    assert not at.exception
    texts = " ".join(e.value for e in at.error)
    assert translate("common.crash", lang) in texts and "/secret" not in texts and "Traceback" not in texts
    assert at.title and at.title[0].value == translate("home.title", lang)  # what ran before stays
    monkeypatch.undo()
    monkeypatch.delenv(RAISE_ENV, raising=False)
    at.button(key=RESET_KEY).click().run()
    assert not at.exception and not at.error
    assert at.session_state["lang"] == lang and "arch_in_h" not in at.session_state


def test_errors_pass_through_for_developers(monkeypatch: pytest.MonkeyPatch) -> None:
    import pages.ui as ui

    monkeypatch.setenv(RAISE_ENV, "1")
    monkeypatch.setattr(ui, "translate", lambda key, *a, **v: (_ for _ in ()).throw(RuntimeError(key))
                        if key == "home.footer" else translate(key, *a, **v))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert at.exception


def test_streamlit_config_hides_details_and_bounds_uploads() -> None:
    from convviz.images import MAX_FILE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    limit = config["server"]["maxUploadSize"]
    assert MAX_FILE_BYTES <= limit * 2**20 <= MAX_FILE_BYTES + 2 * 2**20

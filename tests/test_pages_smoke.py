"""Every page listed in app.py runs in AppTest, in both languages, without an exception."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pages.ui.registry import PAGES  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page_file", [file for file, *_ in PAGES])
def test_page_runs_without_exception(page_file: str, lang: str) -> None:
    at = open_page(page_file, lang)
    assert at.title or at.header or at.markdown, "page shows nothing"

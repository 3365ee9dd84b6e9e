"""pages/ holds only page scripts: every module there is a page app.py registers (shared
helpers live in pages/ui/, where Streamlit's legacy pages/ mode cannot mistake them for
pages), and every page script starts with ``start_page(__file__)`` (a deep link on a fresh
server then opens inside the app's navigation)."""

from __future__ import annotations

import ast
from pathlib import Path

from pages.ui.registry import HOME_FILE, PAGES

ROOT = Path(__file__).resolve().parents[1]
REGISTERED = {file for file, *_ in PAGES}


def _page_modules() -> set[str]:
    return {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}


def test_every_module_of_pages_is_a_registered_page() -> None:
    assert _page_modules() == REGISTERED
    assert HOME_FILE in REGISTERED
    assert len(REGISTERED) == len(PAGES)  # one file per page


def test_every_page_starts_with_start_page() -> None:
    for file in sorted(REGISTERED):
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        body = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))
                and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        first = body[0]
        assert ast.unparse(first) == "start_page(__file__)", f"{file}: {ast.unparse(first)[:60]}"


def test_pages_end_early_through_end_page_not_st_stop() -> None:
    """After st.stop() Streamlit refuses every later call, so app.py could not write the page's
    URL and Copy-link box (tests/browser/test_classroom.py); pages.ui.safe_run.end_page can."""
    for file in sorted(REGISTERED):
        calls = [ast.unparse(node.func) for node in ast.walk(ast.parse((ROOT / file).read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call)]
        assert "st.stop" not in calls, file

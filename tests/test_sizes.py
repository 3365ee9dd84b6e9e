"""Sizes a newcomer can read (issue 10, README's house rules): no page script over 250 lines,
and no function in convviz/, pages/ or app.py over about 80 lines (decorators included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_PAGE_LINES = 250
MAX_FUNCTION_LINES = 80


def _sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "convviz").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]


def test_no_page_is_over_250_lines() -> None:
    long = {p.name: n for p in (ROOT / "pages").glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_PAGE_LINES}
    assert long == {}


def test_no_function_is_over_80_lines() -> None:
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if (lines := node.end_lineno - start + 1) > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert len(_sources()) > 100
    assert long == {}

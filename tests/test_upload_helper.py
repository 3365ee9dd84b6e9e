"""One upload helper: every picture upload of the app is ``pages.ui.image_uploader``, which
accepts exactly the formats the engine's loader decodes (``convviz.images.EXTENSIONS``); the
only other uploader is the Architecture page's JSON spec."""

from __future__ import annotations

import ast
from pathlib import Path

from convviz.images import EXTENSIONS
from tests.apptest_helpers import open_page

ROOT = Path(__file__).resolve().parents[1]


def _uploader_calls() -> dict[str, list[str]]:
    """Each file of pages/ and app.py -> the source of its ``file_uploader(...)`` calls."""
    calls: dict[str, list[str]] = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "file_uploader"):
                calls.setdefault(str(path.relative_to(ROOT)), []).append(ast.unparse(node))
    return calls


def test_pictures_are_uploaded_only_through_the_one_helper() -> None:
    calls = _uploader_calls()
    assert calls.pop("pages/ui/__init__.py") == ["st.file_uploader(label, type=list(EXTENSIONS), key=key)"]
    (json_upload,) = calls.pop("pages/architecture.py")
    assert "type=['json']" in json_upload
    assert calls == {}


def test_the_receptive_field_upload_accepts_the_loaders_formats() -> None:
    at = open_page("pages/receptive_field.py")
    accepted = list(at.file_uploader(key="rf_upload").proto.type)
    assert sorted(t.lstrip(".") for t in accepted) == sorted(EXTENSIONS)

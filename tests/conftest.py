"""Test-wide settings: pages let unforeseen errors through (``CONVVIZ_RAISE_ERRORS``), so
AppTest reports them as exceptions; tests/test_safe_run.py checks the boundary itself."""

import os

import pytest

os.environ.setdefault("CONVVIZ_RAISE_ERRORS", "1")


SERVER_TESTS = ("tests/browser/", "tests/test_load.py", "tests/test_load_nginx.py")
"""Tests that start servers and drive them in real time: with ``pytest -n 2 --dist
loadgroup`` (the README's command) each of their files runs whole on one worker (one
Streamlit server and one Chromium per worker), while the other worker runs another file
or the rest of the suite."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        if any(part in path for part in SERVER_TESTS):
            item.add_marker(pytest.mark.xdist_group(path.rsplit("tests/", 1)[-1]))

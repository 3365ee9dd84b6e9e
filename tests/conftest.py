"""Test-wide settings: pages let unforeseen errors through (``CONVVIZ_RAISE_ERRORS``), so
AppTest reports them as exceptions; tests/test_safe_run.py checks the boundary itself."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("CONVVIZ_RAISE_ERRORS", "1")


SERVER_TESTS = ("tests/browser/", "tests/test_load.py", "tests/test_load_nginx.py")
"""Tests that start servers and drive them in real time: with ``pytest -n 2 --dist
loadgroup`` (the README's command) they run one after another on one worker, while the
other worker runs the rest of the suite (two browser files at once, each worker with its
own server and Chromium, made a browser test fail on a 2-core machine)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        if any(part in path for part in SERVER_TESTS):
            item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.fixture()
def private_digit_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Generated digits and downloads go to a temporary cache, not the user's; no MNIST folder
    or allowed data folders come from the environment."""
    from convviz.digits import datasets as ds

    cache = tmp_path_factory.getbasetemp() / "convviz-cache"
    monkeypatch.setenv(ds.ENV_CACHE_DIR, str(cache))
    monkeypatch.delenv(ds.ENV_MNIST_DIR, raising=False)
    monkeypatch.delenv(ds.ENV_DATA_DIRS, raising=False)
    return cache

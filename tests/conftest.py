"""Test-wide settings: pages let unforeseen errors through (``CONVVIZ_RAISE_ERRORS``), so
AppTest reports them as exceptions; tests/test_safe_run.py checks the boundary itself."""

import os

os.environ.setdefault("CONVVIZ_RAISE_ERRORS", "1")

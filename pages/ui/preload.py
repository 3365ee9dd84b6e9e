"""Import, once and in one thread, everything the pages import lazily.

Streamlit runs each session's script in its own thread. On a fresh server, a class opening
the app at once ran the first imports of pandas (inside ``st.dataframe``), pyarrow, scipy
and the engine in 20 threads together; Python's per-module import locks then handed some
threads a half-initialised module ("partially initialized module 'pandas' has no attribute
'Series'"). ``pages.ui`` imports this module first: its body runs under its own module
lock, so the first session imports everything here while every other first session waits
on that lock (a few seconds, once per server process) instead of racing.

The list was found by diffing ``sys.modules`` before and after an AppTest visit of every
page; tests/test_load.py opens 20 pages of a fresh server at once.
"""

from __future__ import annotations

import importlib

MODULES: tuple[str, ...] = (
    # libraries, dependencies first (a fixed order: no two threads wait on each other)
    "numpy", "scipy.ndimage", "scipy.special", "PIL.Image", "PIL.ImageDraw", "PIL.ImageFont",
    "pandas", "pyarrow", "narwhals", "orjson", "plotly.graph_objects", "plotly.subplots", "plotly.io",
    # what Streamlit itself imports on first use
    "streamlit.dataframe_util", "streamlit.elements.arrow", "streamlit.elements.plotly_chart",
    "streamlit.emojis", "streamlit.material_icon_names",
)
SKIP = ("convviz.cli", "convviz.commands")  # the command line's modules: no page uses them


def engine_modules() -> tuple[str, ...]:
    """Every module of the engine (``convviz``) that the pages may use."""
    import pkgutil

    import convviz

    return tuple(m.name for m in pkgutil.walk_packages(convviz.__path__, "convviz.")
                 if not m.name.startswith(SKIP))


def preload(names: tuple[str, ...]) -> list[str]:
    """Import ``names``; returns those that are missing (optional ones may be absent)."""
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


MISSING = preload(MODULES) + preload(engine_modules())

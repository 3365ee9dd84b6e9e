"""House rules of the engine, checked on the sources: convviz/ never imports streamlit or the
pages, its arithmetic is the base the rest builds on (ARCHITECTURE.md), and every third-party
module it imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "convviz"
DISTRIBUTIONS = {"PIL": "pillow"}  # import name -> name on PyPI, where they differ


def _imports(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (at any depth of the code)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _modules() -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in ENGINE.rglob("*.py")
    )


def test_no_engine_source_imports_streamlit() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in ENGINE.rglob("*.py")
                 if any(name.startswith("streamlit") for name in _imports(p))]
    assert offenders == []


def _engine_imports(path: Path) -> set[str]:
    """The ``convviz.<subpackage>`` names ``path`` imports (absolute imports, at any depth)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                   else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                   else [])
        names |= {".".join(m.split(".")[:2]) for m in modules if m.startswith("convviz.")}
    return names


def test_no_engine_source_imports_the_pages() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in ENGINE.rglob("*.py")
                 if any(name.split(".")[0] in ("pages", "app") for name in _imports(p))]
    assert offenders == []


def test_the_arithmetic_builds_on_no_other_part_of_the_engine() -> None:
    """``convviz.arithmetic`` imports neither the network, the animation, the figures, the
    images nor the digits; the one exception is the effective receptive field, which runs
    its spec through the numpy network (``convviz.nn``)."""
    above = {"convviz.nn", "convviz.animation", "convviz.figures", "convviz.images", "convviz.digits"}
    found = {str(p.relative_to(ROOT)): sorted(_engine_imports(p) & above)
             for p in (ENGINE / "arithmetic").rglob("*.py")}
    assert {path: names for path, names in found.items() if names} == {
        "convviz/arithmetic/effective_rf.py": ["convviz.nn"]}
    for part in ("nn", "animation"):
        for path in (ENGINE / part).rglob("*.py"):
            assert "convviz.figures" not in _engine_imports(path), path


def test_importing_every_engine_module_leaves_streamlit_out() -> None:
    """Every module of convviz/ imported in a fresh interpreter: streamlit is never loaded
    (not even through another package)."""
    modules = _modules()
    assert len(modules) > 40
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_every_third_party_import_is_declared() -> None:
    """The `convviz` command needs only the package's dependencies; the figure builders may
    also use the ``app`` extra (plotly)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}

    core = names(project["dependencies"])
    app = core | names(project["optional-dependencies"]["app"])
    stdlib = set(sys.stdlib_module_names) | {"convviz"}
    for path in ENGINE.rglob("*.py"):
        allowed = app if "figures" in path.parts else core
        for name in _imports(path) - stdlib:
            assert DISTRIBUTIONS.get(name, name).lower() in allowed, f"{path.relative_to(ROOT)} imports {name}"

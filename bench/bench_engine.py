"""Engine speed: summarize("resnet50"), a 150-layer network, and the CLI's whole-process time.

Run: `python bench/bench_engine.py` (prints medians; targets: < 5 ms, < 20 ms, < 1 s).
Also checks that the engine's import path stays free of plotly, scipy and streamlit.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic.summary import summarize  # noqa: E402


def deep_spec(blocks: int = 50) -> dict:
    """150 layers: 50 x (3x3 conv + BatchNorm + ReLU) on 3x64x64."""
    layers = []
    for _ in range(blocks):
        layers += [{"type": "Conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1, "bias": False},
                   {"type": "BatchNorm2d"}, {"type": "ReLU"}]
    return {"name": "deep150", "input": [3, 64, 64], "layers": layers}


def median_ms(fn, runs: int) -> float:  # noqa: ANN001
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def process_s(argv: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convviz.cli", *argv], cwd=ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def heavy_imports() -> list[str]:
    code = ("import sys, convviz.cli, convviz.arithmetic.summary, convviz.arithmetic.formatting, convviz.arithmetic.presets;"
            "convviz.cli.build_parser();"
            "print(','.join(m for m in ('plotly', 'scipy', 'streamlit', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    spec = deep_spec()
    assert len(spec["layers"]) == 150
    rows = [
        ("summarize('resnet50')", median_ms(lambda: summarize("resnet50"), 200), 5.0),
        ("summarize(150-layer net)", median_ms(lambda: summarize(spec), 200), 20.0),
        ("summarize('googlenet')", median_ms(lambda: summarize("googlenet"), 100), None),
        ("resnet50 to_dict()", median_ms(lambda: summarize("resnet50").to_dict(), 100), None),
    ]
    for name, ms, target in rows:
        extra = f"  (target < {target:g} ms)" if target else ""
        print(f"{name:<28} median {ms:7.2f} ms{extra}")
    print(f"{'python -c pass':<28} median {_python_startup():7.3f} s  (interpreter alone)")
    for argv in (["conv", "--input", "7", "--kernel", "3", "--stride", "3"], ["summary", "resnet50"]):
        print(f"{'convviz ' + ' '.join(argv[:2]):<28} median {process_s(argv):7.3f} s  (target < 1 s)")
    heavy = heavy_imports()
    print("heavy modules on the engine/CLI import path:", ", ".join(heavy) or "none")


def _python_startup(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


if __name__ == "__main__":
    main()

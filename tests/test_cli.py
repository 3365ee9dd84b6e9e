"""The command line: exit codes, outputs, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from convviz.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_whole_process_exit_codes() -> None:
    ok = subprocess.run([sys.executable, "-m", "convviz.cli", "conv", "--input", "7", "--kernel", "3",
                         "--stride", "3"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and "output: 1x2x2" in ok.stdout and "2.33" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "convviz.cli", "summary", "no_such_net"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "neither a preset" in bad.stderr


def test_conv_calculator(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "conv", "--input", "28", "--kernel", "5", "--padding", "same",
                       "--channels", "192,32")
    assert code == 0
    assert "output: 32x28x28" in out and "120,422,400" in out
    code, out, _ = run(capsys, "conv", "--input", "7,9", "--kernel", "3,2", "--stride", "2",
                       "--dilation", "1,2", "--padding", "1,0", "--lang", "es")
    assert code == 0 and "salida: 1x4x4" in out and "alto: floor((7 + 2" in out


def test_convt_and_pool_calculators(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "convt", "--input", "4", "--kernel", "3", "--stride", "2",
                       "--padding", "1", "--output-padding", "1", "--channels", "8,4")
    assert code == 0 and "output: 4x8x8" in out and "(4-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 8" in out
    assert "multiplications (MACs): 4,608 = 8*4*4*4/1*3*3" in out and "parameters: 292 = 8*4/1*3*3 + 4" in out
    code, out, _ = run(capsys, "pool", "--input", "5", "--kernel", "2", "--ceil-mode")
    assert code == 0 and "output: 1x3x3" in out and "ceil(3/2)" in out
    code, out, _ = run(capsys, "pool", "--kind", "avg", "--input", "6", "--kernel", "3", "--stride", "2")
    assert code == 0 and "output: 1x2x2" in out


@pytest.mark.parametrize("argv", [
    ["conv", "--input", "5", "--kernel", "6"],
    ["conv", "--input", "7,x", "--kernel", "3"],
    ["conv", "--input", "8", "--kernel", "3", "--channels", "6,8", "--groups", "4"],
    ["convt", "--input", "4", "--kernel", "3", "--stride", "2", "--output-padding", "2"],
    ["pool", "--input", "9", "--kernel", "4", "--padding", "3"],
    ["pool", "--kind", "avg", "--input", "9", "--kernel", "2", "--dilation", "2"],
    ["summary", "lenet5", "--input", "1,8,8"],
    ["summary", "lenet5", "--input", "a,b"],
])
def test_user_errors_exit_2_with_a_message(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and err.startswith(f"convviz {argv[0]}: error: ") and "Traceback" not in err


def test_summary_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--format", "json")
    assert code == 0 and json.loads(out)["total_params"] == 11_689_512
    code, out, _ = run(capsys, "summary", "lenet5")
    assert code == 0 and "61,706" in out and "layers.0 Conv2d" in out
    code, out, _ = run(capsys, "summary", "lenet5", "--format", "csv")
    assert out.splitlines()[0].startswith("path,depth,type")
    code, out, _ = run(capsys, "summary", "lecture_7x7_stride3", "--format", "markdown", "--lang", "es")
    assert "| Capa |" in out and "Avisos" in out
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps({"input": [3, 32, 32], "layers": [
        {"type": "Conv2d", "out_channels": 6, "kernel_size": 5}]}))
    code, out, _ = run(capsys, "summary", str(spec), "--input", "3,16,16")
    assert code == 0 and "6x12x12" in out


def test_presets_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "presets")
    assert code == 0
    for name in ("lenet5", "alexnet", "vgg16", "resnet18", "resnet50", "googlenet", "lecture_16x16x3"):
        assert f"  {name} " in out
    assert "61.1 M" in out and "15.47 G" in out


def test_engine_import_path_stays_light() -> None:
    """The CLI starts fast because the engine never imports plotly, scipy, streamlit or torch."""
    code = ("import sys, convviz.cli, convviz.arithmetic.summary, convviz.arithmetic.formatting, convviz.arithmetic.presets;"
            "convviz.cli.build_parser(); convviz.arithmetic.summary.summarize('resnet50');"
            "print([m for m in ('plotly', 'scipy', 'streamlit', 'torch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]"

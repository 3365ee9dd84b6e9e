"""Issue 12, the command line: every bad argument or hostile file exits with status 2 and a
one-line message, never a traceback, fast and within a memory cap (a subprocess each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAP_MB = 1500  # address space of the child: numpy's 74.5 GiB allocation would fail, not swap


def convviz(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    limit = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({CAP_MB} << 20, {CAP_MB} << 20)); "
    code = limit + "import sys; from convviz.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)


def assert_refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-800:])
    assert "Traceback" not in proc.stderr, proc.stderr[-800:]
    assert str(ROOT) not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_summary_of_a_deeply_nested_file(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text('{"input": [1, 8, 8], "layers": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    assert_refused(convviz("summary", "deep.json", cwd=tmp_path), "nest")


def test_summary_of_nested_residual_blocks(tmp_path: Path) -> None:
    text = '{"type": "Residual", "body": [' * 500 + '{"type": "ReLU"}' + "]}" * 500
    (tmp_path / "res.json").write_text('{"input": [1, 8, 8], "layers": [' + text + "]}")
    assert_refused(convviz("summary", "res.json", cwd=tmp_path))


def test_summary_of_a_huge_file(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text(json.dumps({"input": [1, 8, 8], "layers": [{"type": "ReLU"}] * 100_000}))
    assert_refused(convviz("summary", "big.json", cwd=tmp_path), "1,000,000")


def test_summary_of_a_long_name(tmp_path: Path) -> None:
    assert_refused(convviz("summary", "x" * 100_000, cwd=tmp_path))


def test_animate_values_with_deep_json(tmp_path: Path) -> None:
    (tmp_path / "v.json").write_text('{"input": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_refused(convviz("animate", "conv", "--values", "v.json", "--out", "x.gif", cwd=tmp_path))
    assert not (tmp_path / "x.gif").exists()


def test_animate_huge_input_fails_before_allocating(tmp_path: Path) -> None:
    proc = convviz("animate", "conv", "--input", "100000", "--out", "x.gif", cwd=tmp_path, timeout=20)
    assert_refused(proc, "16")


@pytest.mark.parametrize("args", [
    ["--val-split", "inf"], ["--val-split", "nan"], ["--val-split", "-1"], ["--limit", "-9990"],
    ["--epochs", "0"], ["--epochs", "10000000"], ["--batch-size", "-3"], ["--lr", "nan"], ["--lr", "0"],
    ["--lr-decay", "inf"], ["--dropout", "1.5"], ["--patience", "-1"], ["--seed", "-5"],
])
def test_train_digits_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    proc = convviz("train-digits", "--data", str(tmp_path), *args, "--out", "m.npz", cwd=tmp_path)
    assert_refused(proc, args[0])
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("args", [
    ["conv", "--input", "9" * 5000, "--kernel", "3"],
    ["conv", "--input", "100000000", "--kernel", "3"],
    ["convt", "--input", "8", "--kernel", "3", "--stride", "10000000"],
    ["pool", "--input", "8", "--kernel", "10000000000000"],
    ["animate", "conv", "--input", "5", "--kernel", "100000"],
    ["animate", "conv", "--width", "999999999999"],
])
def test_other_commands_refuse_huge_values(tmp_path: Path, args: list[str]) -> None:
    assert_refused(convviz(*args, cwd=tmp_path))

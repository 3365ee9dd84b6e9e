"""`convviz animate`: writes GIFs with the right frames; user errors exit 2 with a message."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from convviz.cli import main


def _frames(path) -> int:
    return Image.open(io.BytesIO(path.read_bytes())).n_frames


def test_issue_example(tmp_path, capsys) -> None:
    out = tmp_path / "conv.gif"
    rc = main(["animate", "conv", "--input", "5", "--kernel", "3", "--stride", "2",
               "--padding", "1", "--out", str(out)])
    assert rc == 0
    assert _frames(out) == 9  # output 3x3
    assert "output 3x3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "frames"),
    [
        (["convt", "--input", "3", "--stride", "2", "--padding", "1", "--output-padding", "1"], 9),
        (["convt", "--input", "3", "--stride", "2", "--padding", "1", "--output-padding", "1",
          "--transposed-view", "direct"], 36),
        (["pool", "--kind", "max", "--input", "6", "--kernel", "2"], 9),
        (["pool", "--kind", "avg", "--input", "5", "--kernel", "2", "--ceil-mode"], 9),
        (["conv", "--input", "7", "--dilation", "2", "--values", "random", "--seed", "3"], 9),
        (["conv", "--input", "5x6", "--kernel", "3x2", "--padding", "same"], 30),
        (["conv", "--true-convolution", "--lang", "es", "--width", "480"], 9),
    ],
)
def test_modes(tmp_path, argv, frames) -> None:
    out = tmp_path / "a.gif"
    assert main(["animate", *argv, "--out", str(out)]) == 0
    assert _frames(out) == frames


def test_values_from_json_and_text_files(tmp_path) -> None:
    spec = tmp_path / "v.json"
    spec.write_text(json.dumps({"input": [[1, 2, 3, 4]] * 4, "kernel": [[1, 0], [0, -1]]}))
    out = tmp_path / "j.gif"
    assert main(["animate", "conv", "--values", str(spec), "--out", str(out)]) == 0
    assert _frames(out) == 9  # sizes come from the file: 4x4 with 2x2 -> 3x3
    csv = tmp_path / "v.csv"
    csv.write_text("1,2,3\n4,5,6\n7,8,9\n\n1,1\n1,1\n")
    assert main(["animate", "conv", "--values", str(csv), "--out", str(out)]) == 0
    assert _frames(out) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["conv", "--input", "20"], "16x16"),
        (["conv", "--input", "3", "--kernel", "5"], "does not fit"),
        (["conv", "--values", "no-such-file.txt"], "no such file"),
        (["convt", "--stride", "2", "--output-padding", "2"], "output_padding"),
        (["pool", "--kernel", "2", "--padding", "2"], "half"),
        (["conv", "--width", "50"], "--width"),
        (["convt", "--padding", "same"], "conv only"),
    ],
)
def test_user_errors_exit_2(tmp_path, capsys, argv, message) -> None:
    assert main(["animate", *argv, "--out", str(tmp_path / "x.gif")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.gif").exists()


def test_bad_file_and_bad_size_exit_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n3\n")
    assert main(["animate", "conv", "--values", str(bad)]) == 2
    assert "same number" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["animate", "conv", "--input", "5x"])
    assert exc.value.code == 2

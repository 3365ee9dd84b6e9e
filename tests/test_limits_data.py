"""Issue 12, the Training lab's data: allowed folders are a server setting, picked by name;
a small gzip file cannot expand without bound; no path the server did not allow is named."""

from __future__ import annotations

import gzip
import os
import resource
from pathlib import Path

import pytest

from convviz.digits import datasets as ds
from convviz.digits import mnist


def test_gzip_bomb_is_read_up_to_the_bound(tmp_path: Path) -> None:
    bomb = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        chunk = b"\0" * 2**20
        for _ in range(200):  # 200 MB of zeros in a file of ~200 kB
            fh.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError, match="more than 64 MB") as err:
        mnist.read_idx(bomb)
    assert str(tmp_path) not in str(err.value)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # kB


def test_allowed_folders_come_from_the_server_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a" / "mnist", tmp_path / "b" / "mnist"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    monkeypatch.delenv(ds.ENV_MNIST_DIR, raising=False)
    monkeypatch.delenv(ds.ENV_DATA_DIRS, raising=False)
    assert ds.allowed_data_dirs() == {}  # off by default
    monkeypatch.setenv(ds.ENV_DATA_DIRS, os.pathsep.join([str(a), str(b), str(a), str(tmp_path / "missing"), ""]))
    assert ds.allowed_data_dirs() == {"mnist": a, "mnist (2)": b}
    assert ds.allowed_folder("mnist (2)") == ("mnist (2)", b)
    assert ds.allowed_folder(str(a)) == ("mnist", a)
    for probe in ("/etc", "/proc/self", "~", "../../", str(tmp_path), str(a / "..")):
        with pytest.raises(ValueError) as err:
            ds.allowed_folder(probe)
        assert "/" not in str(err.value).replace(ds.ENV_DATA_DIRS, "")  # names only, no paths
    with pytest.raises(ValueError):
        ds.lab_data("folder", 10, 5, folder="/etc")


def test_mirrors_are_https() -> None:
    assert ds.MNIST_MIRRORS and all(m.startswith("https://") for m in ds.MNIST_MIRRORS)

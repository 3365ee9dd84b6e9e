"""Reader for the MNIST IDX files (gzip-compressed or raw).

IDX format: a big-endian header ``0x00 0x00 <type> <ndim>`` (type 0x08 = unsigned byte),
then ``ndim`` big-endian uint32 sizes, then the data. Images are magic 2051 (N, 28, 28),
labels magic 2049 (N,). Any folder with the standard files works: ``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each
optionally ending in ``.gz`` (also the ``t10k-images.idx3-ubyte`` spelling).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

SPLITS = ("train", "t10k")


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in one IDX file (uint8 data only, as MNIST uses)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code != 0x08:
        raise ValueError(f"{path}: only unsigned-byte IDX files are supported (type 0x{dtype_code:02x})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    size = int(np.prod(shape)) if shape else 0
    if len(raw) - header < size:
        raise ValueError(f"{path}: truncated IDX data ({len(raw) - header} of {size} bytes)")
    return np.frombuffer(raw, np.uint8, count=size, offset=header).reshape(shape).copy()


def find_files(folder: str | Path, split: str) -> tuple[Path, Path]:
    """The (images, labels) files of ``split`` ("train" or "t10k") in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose train or t10k")

    def one(kind: str, ndim: int) -> Path:
        names = [f"{split}-{kind}-idx{ndim}-ubyte", f"{split}-{kind}.idx{ndim}-ubyte"]
        for name in names:
            for candidate in (folder / name, folder / f"{name}.gz"):
                if candidate.is_file():
                    return candidate
        raise ValueError(f"{folder}: missing {names[0]}[.gz]")

    return one("images", 3), one("labels", 1)


def available_splits(folder: str | Path) -> list[str]:
    out = []
    for split in SPLITS:
        try:
            find_files(folder, split)
        except ValueError:
            continue
        out.append(split)
    return out


def load_mnist(folder: str | Path, split: str = "t10k") -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 (N, 28, 28) and labels uint8 (N,) of one split of an MNIST folder."""
    img_path, lab_path = find_files(folder, split)
    images, labels = read_idx(img_path), read_idx(lab_path)
    if images.ndim != 3:
        raise ValueError(f"{img_path}: expected a 3-D image array, got shape {images.shape}")
    if labels.ndim != 1:
        raise ValueError(f"{lab_path}: expected a 1-D label array, got shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels in {Path(folder)}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{lab_path}: labels must be digits 0-9")
    return images, labels

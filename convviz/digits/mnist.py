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

from convviz.errors import DataError, Number, Numbers

SPLITS = ("train", "t10k")
MAX_IDX_BYTES = 64 * 1024 * 1024
"""Most bytes read from one IDX file, after decompression (MNIST's largest file, the training
images, is 47 MB): a small gzip file cannot expand to gigabytes."""


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in one IDX file (uint8 data only, as MNIST uses). Messages name the
    file, not its folder (the page shows them)."""
    path = Path(path)
    name = path.name
    with open(path, "rb") as fh:
        head = fh.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read(MAX_IDX_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise DataError("engine.idx_cannot_read", name=name, error=type(exc).__name__) from exc
    if len(raw) > MAX_IDX_BYTES:
        raise DataError("engine.idx_too_big", name=name, mb=Number(MAX_IDX_BYTES // 2**20))
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError("engine.idx_bad_magic", name=name)
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code != 0x08:
        raise DataError("engine.idx_bad_type", name=name, code=f"{dtype_code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError("engine.idx_truncated_header", name=name)
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    size = int(np.prod(shape)) if shape else 0
    if len(raw) - header < size:
        raise DataError("engine.idx_truncated_data", name=name, got=Number(len(raw) - header), size=Number(size))
    return np.frombuffer(raw, np.uint8, count=size, offset=header).reshape(shape).copy()


def find_files(folder: str | Path, split: str) -> tuple[Path, Path]:
    """The (images, labels) files of ``split`` ("train" or "t10k") in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError("engine.mnist_no_folder", name=folder.name)
    if split not in SPLITS:
        raise DataError("engine.mnist_unknown_split", split=str(split)[:40])

    def one(kind: str, ndim: int) -> Path:
        names = [f"{split}-{kind}-idx{ndim}-ubyte", f"{split}-{kind}.idx{ndim}-ubyte"]
        for name in names:
            for candidate in (folder / name, folder / f"{name}.gz"):
                if candidate.is_file():
                    return candidate
        raise DataError("engine.mnist_missing", folder=folder.name, file=names[0])

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
        raise DataError("engine.mnist_images_shape", name=img_path.name, shape=Numbers(images.shape, 0))
    if labels.ndim != 1:
        raise DataError("engine.mnist_labels_shape", name=lab_path.name, shape=Numbers(labels.shape, 0))
    if len(images) != len(labels):
        raise DataError("engine.mnist_count_mismatch", images=Number(len(images)), labels=Number(len(labels)),
                        folder=Path(folder).name)
    if labels.size and labels.max() > 9:
        raise DataError("engine.mnist_bad_labels", name=lab_path.name)
    return images, labels

"""Data sources of the Training lab: the verified downloader (against a local HTTP server
on 127.0.0.1 serving this test's own gzip IDX files), the MNIST folder, the generated set."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import struct
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from convviz.digits import datasets as ds


# ------------------------------------------------------------------ helpers
def _idx(array: np.ndarray) -> bytes:
    """An IDX file written independently of the reader: magic 0x0000 08 ndim, sizes, data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Serve good/ and bad/ copies of four small MNIST-named gzip files on 127.0.0.1."""
    root = tmp_path_factory.mktemp("mirror")
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (30, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(30) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(10) % 10,
    }
    (root / "good").mkdir()
    (root / "bad").mkdir()
    sums = {}
    for name, arr in arrays.items():
        data = gzip.compress(_idx(np.asarray(arr)), mtime=0)
        sums[name] = hashlib.sha256(data).hexdigest()
        (root / "good" / name).write_bytes(data)
        corrupt = bytearray(data)
        corrupt[len(corrupt) // 2] ^= 0xFF  # one flipped byte in the middle
        (root / "bad" / name).write_bytes(bytes(corrupt))
    # the bad mirror is corrupt for the images only; its label files are intact
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (root / "bad" / name).write_bytes((root / "good" / name).read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {"url": url, "sums": sums, "arrays": arrays}
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ downloader
def test_download_verifies_caches_and_loads(mirror: dict, tmp_path: Path) -> None:
    folder = ds.download_mnist(tmp_path, mirrors=[mirror["url"] + "/good/"], files=mirror["sums"], timeout=5)
    assert folder == tmp_path / "mnist"
    for name, digest in mirror["sums"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert ds.cached_mnist(tmp_path, mirror["sums"]) == folder
    x, y = ds.load_mnist_folder(folder)
    np.testing.assert_array_equal(x, mirror["arrays"]["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y, mirror["arrays"]["train-labels-idx1-ubyte.gz"])
    # a second call uses the cache: no mirror needed
    assert ds.download_mnist(tmp_path, mirrors=["http://127.0.0.1:9/none/"], files=mirror["sums"], timeout=1) == folder


def test_corrupt_download_is_refused_and_nothing_is_cached(mirror: dict, tmp_path: Path) -> None:
    with pytest.raises(ds.DownloadError, match="could not obtain a verified") as err:
        ds.download_mnist(tmp_path, mirrors=[mirror["url"] + "/bad/"], files=mirror["sums"], timeout=5)
    assert isinstance(err.value, OSError) and err.value.key == "engine.data_download_failed"
    assert "checksum mismatch" in err.value.problems[0]  # the English detail, for the server's log
    assert "suma de comprobación" in err.value.localized("es")
    cache = tmp_path / "mnist"
    assert not cache.exists() or list(cache.iterdir()) == []  # not even the good label files
    assert ds.cached_mnist(tmp_path, mirror["sums"]) is None


def test_a_corrupt_cached_file_is_replaced_by_a_verified_one(mirror: dict, tmp_path: Path) -> None:
    cache = tmp_path / "mnist"
    cache.mkdir()
    (cache / "train-images-idx3-ubyte.gz").write_bytes(b"not mnist")
    assert ds.cached_mnist(tmp_path, mirror["sums"]) is None
    ds.download_mnist(tmp_path, mirrors=[mirror["url"] + "/good/"], files=mirror["sums"], timeout=5)
    assert ds.cached_mnist(tmp_path, mirror["sums"]) == cache


def test_falls_back_to_the_next_mirror(mirror: dict, tmp_path: Path) -> None:
    mirrors = [mirror["url"] + "/missing/", mirror["url"] + "/bad/", mirror["url"] + "/good/"]
    calls: list[str] = []
    folder = ds.download_mnist(tmp_path, mirrors=mirrors, files=mirror["sums"], timeout=5,
                               progress=lambda name, i, n: calls.append(name))
    assert ds.cached_mnist(tmp_path, mirror["sums"]) == folder
    assert calls == list(mirror["sums"])
    assert not list(folder.glob("*.part"))


def test_unreachable_mirrors_give_a_readable_error(mirror: dict, tmp_path: Path) -> None:
    with pytest.raises(ds.DownloadError, match="could not obtain a verified"):
        ds.download_mnist(tmp_path, mirrors=[mirror["url"] + "/missing/"], files=mirror["sums"], timeout=5)
    assert not (tmp_path / "mnist").exists()


def test_published_checksums_are_sha256_hex() -> None:
    assert set(ds.MNIST_SHA256) == {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    }
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in ds.MNIST_SHA256.values())


# ------------------------------------------------------------------ folder source
def test_folder_source_from_env_var(mirror: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds.download_mnist(tmp_path, mirrors=[mirror["url"] + "/good/"], files=mirror["sums"], timeout=5)
    monkeypatch.setenv(ds.ENV_MNIST_DIR, str(tmp_path / "mnist"))
    monkeypatch.delenv(ds.ENV_DATA_DIRS, raising=False)
    data = ds.lab_data("folder", n_train=20, n_val=10, seed=1)
    assert data.source == "folder" and data.detail == "mnist"  # its name, not the server's path
    assert (data.n_train, data.n_val) == (20, 10)
    # disjoint: together they are exactly the 30 training images
    both = np.concatenate([data.x_train, data.x_val]).reshape(30, -1)
    ref = mirror["arrays"]["train-images-idx3-ubyte.gz"].reshape(30, -1).astype(np.uint8)
    assert sorted(map(bytes, both)) == sorted(map(bytes, ref))
    with pytest.raises(ValueError, match="only 30"):
        ds.lab_data("folder", n_train=30, n_val=10)


def test_folder_source_errors_are_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ds.ENV_MNIST_DIR, raising=False)
    monkeypatch.delenv(ds.ENV_DATA_DIRS, raising=False)
    with pytest.raises(ValueError, match="no data folder is allowed"):
        ds.lab_data("folder", 10, 5)
    with pytest.raises(ValueError, match="no data folder is allowed"):
        ds.lab_data("folder", 10, 5, folder="/etc")
    monkeypatch.setenv(ds.ENV_DATA_DIRS, str(tmp_path))
    with pytest.raises(ValueError):
        ds.lab_data("folder", 10, 5, folder=str(tmp_path))  # a folder without the files
    with pytest.raises(ValueError):
        ds.lab_data("folder", 10, 5, folder=str(tmp_path / "nope"))
    # only the test split (like the development data): used, training and validation disjoint
    rng = np.random.default_rng(3)
    images, labels = rng.integers(0, 256, (40, 28, 28)).astype(np.uint8), np.arange(40, dtype=np.uint8) % 10
    for name, arr in (("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)):
        head = bytes([0, 0, 8, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        (tmp_path / name).write_bytes(head + arr.tobytes())
    assert ds.mnist_folder_split(tmp_path) == "t10k"
    data = ds.lab_data("folder", 25, 15, folder=str(tmp_path))
    both = np.concatenate([data.x_train, data.x_val]).reshape(40, -1)
    assert sorted(map(bytes, both)) == sorted(map(bytes, images.reshape(40, -1)))
    with pytest.raises(ValueError, match="not a folder"):
        ds.mnist_folder_split(tmp_path / "nope")
    with pytest.raises(ValueError, match="unknown data source"):
        ds.lab_data("kaggle", 10, 5)


# ------------------------------------------------------------------ generated digits
@pytest.fixture(scope="module")
def generated() -> tuple[np.ndarray, np.ndarray]:
    return ds.generate_digits(600, seed=3)


def test_generated_digits_are_in_mnist_format(generated: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = generated
    assert x.shape == (600, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == [60] * 10
    for img in x:
        assert img.max() > 150  # white digit ...
        rows = np.flatnonzero(img.any(axis=1))
        cols = np.flatnonzero(img.any(axis=0))
        assert rows[-1] - rows[0] < 20 and cols[-1] - cols[0] < 20  # ... fitted into 20x20
        total = img.sum(dtype=np.float64)
        cy = (img.sum(axis=1) * np.arange(28)).sum() / total
        cx = (img.sum(axis=0) * np.arange(28)).sum() / total
        assert abs(cy - 13.5) < 1.5 and abs(cx - 13.5) < 1.5  # centre of mass centred
    border = np.concatenate([x[:, :2].ravel(), x[:, -2:].ravel(), x[:, :, :2].ravel(), x[:, :, -2:].ravel()])
    assert (border == 0).mean() > 0.95  # black background


def test_generated_digits_are_reproducible_and_varied(generated: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = generated
    x2, y2 = ds.generate_digits(600, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    x3, _ = ds.generate_digits(20, seed=4)
    assert not np.array_equal(x[:20], x3)
    # the same digit comes out differently every time (fonts, strokes, distortions)
    ones = x[y == 1].reshape(-1, 784)
    assert len({row.tobytes() for row in ones}) == len(ones)


def test_generated_labels_carry_the_digit(generated: tuple[np.ndarray, np.ndarray]) -> None:
    """A nearest-class-mean classifier fitted on one seed reads another seed's digits."""
    x, y = generated
    xt, yt = ds.generate_digits(300, seed=11)
    means = np.stack([x[y == k].reshape(-1, 784).mean(axis=0) for k in range(10)]) / 255
    flat = xt.reshape(-1, 784) / 255
    pred = np.argmin(((flat[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert (pred == yt).mean() > 0.5  # chance is 0.1


def test_generator_uses_system_and_pillow_fonts() -> None:
    names = ds.font_names()
    assert any(n.startswith("pillow-default") for n in names)
    assert "pillow-bitmap" in names
    assert len(names) >= 4


def test_generated_source_and_disk_cache(tmp_path: Path) -> None:
    data = ds.lab_data("generated", n_train=40, n_val=10, seed=5, cache_root=tmp_path)
    assert data.source == "generated" and (data.n_train, data.n_val) == (40, 10)
    cached = list((tmp_path / "generated").glob("*.npz"))
    assert len(cached) == 2  # training and validation sets
    bigger = ds.lab_data("generated", n_train=60, n_val=10, seed=5, cache_root=tmp_path)
    assert np.array_equal(bigger.x_val, data.x_val)  # the same validation set for every N
    again = ds.lab_data("generated", n_train=40, n_val=10, seed=5, cache_root=tmp_path)
    assert np.array_equal(again.x_train, data.x_train) and np.array_equal(again.y_val, data.y_val)
    fresh = ds.lab_data("generated", n_train=40, n_val=10, seed=5, disk_cache=False)
    assert np.array_equal(fresh.x_train, data.x_train)


def test_cross_seven_puts_a_bar_through_the_stem() -> None:
    """A hand-made 7 (top bar, vertical stem): the bar goes through the stem at 45-60 % of
    its height, reaches both sides of it, and the rest of the glyph is unchanged."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (60, 60), 0)
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 5, 45, 9], fill=255)  # top bar, 5 px thick
    draw.rectangle([40, 5, 44, 54], fill=255)  # stem, x 40..44, y 5..54
    before = np.asarray(img) > 127
    for seed in range(5):
        after = np.asarray(ds.cross_seven(img, np.random.default_rng(seed))) > 127
        changed_rows = np.flatnonzero((after != before).any(axis=1))
        assert changed_rows.size >= 3  # as thick as the top bar, about
        assert 5 + 0.40 * 49 <= changed_rows.mean() <= 5 + 0.65 * 49
        row = after[int(changed_rows.mean())]
        assert row[:40].any() and row[45:].any()  # both sides of the stem
        assert not (after & ~before)[:20].any()  # nothing added near the top bar


def test_crossed_sevens_change_only_sevens_and_default_is_unchanged() -> None:
    x0, y0 = ds.generate_digits(60, seed=5)
    x1, y1 = ds.generate_digits(60, seed=5, crossed_sevens=0.0)
    np.testing.assert_array_equal(x0, x1)  # the default draws no extra random numbers
    np.testing.assert_array_equal(y0, y1)
    no_sevens = np.array([1, 2, 3, 4, 5, 6, 8, 9, 0])
    plain = ds.render_digits(no_sevens, np.random.default_rng(0), distortion=False)
    asked = ds.render_digits(no_sevens, np.random.default_rng(0), distortion=False, crossed_sevens=1.0)
    np.testing.assert_array_equal(plain, asked)  # only 7s are ever crossed
    sevens = np.array([7] * 6)
    plain = ds.render_digits(sevens, np.random.default_rng(0), distortion=False)
    crossed = ds.render_digits(sevens, np.random.default_rng(0), distortion=False, crossed_sevens=1.0)
    assert not np.array_equal(plain[0], crossed[0])  # the first 7 is the same glyph, crossed

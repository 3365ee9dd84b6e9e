"""Digit data for the Training lab: an MNIST folder, a verified MNIST download, or a
digit set generated offline.

Three sources, all giving MNIST-format arrays (uint8 N×28×28, white digit on black, and
uint8 labels 0-9):

* ``folder``: any folder with the four standard MNIST files (``train-images-idx3-ubyte``
  etc., plain or ``.gz``), chosen in the page or by the environment variable
  ``CONVVIZ_MNIST_DIR``; read with :func:`convviz.digits.mnist.load_mnist`.
* ``download``: the four ``.gz`` files fetched from public mirrors, each checked against
  its published SHA-256 before anything is written; cached under ``~/.cache/convviz/mnist``
  (or ``$CONVVIZ_CACHE_DIR/mnist``). A file whose checksum does not match is refused and
  nothing of that download is cached.
* ``generated``: always available offline. Digits are drawn with every font the machine
  has (plus Pillow's own default fonts at several sizes), random stroke widths, an affine
  distortion (rotation, shear, scale), a smooth elastic distortion, then normalised the way
  MNIST was: the digit's bounding box is fitted into 20×20 keeping its aspect ratio and
  placed in a 28×28 frame so that its centre of mass sits at the centre.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from convviz.errors import DataError, Number

ENV_MNIST_DIR = "CONVVIZ_MNIST_DIR"
ENV_DATA_DIRS = "CONVVIZ_DATA_DIRS"
ENV_CACHE_DIR = "CONVVIZ_CACHE_DIR"

#: Published SHA-256 of the four gzip files (the same files on every mirror).
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
#: Public mirrors of the original files (yann.lecun.com itself is often unreachable).
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)  # yann.lecun.com serves the same files over plain http only: https mirrors are preferred
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # the largest MNIST file is ~9.9 MB

SOURCES: tuple[str, ...] = ("generated", "folder", "download")


class DownloadError(DataError, OSError):
    """No mirror delivered a file with the expected checksum; nothing was cached. A
    :class:`~convviz.errors.DataError` (its text from the catalog) and still an ``OSError``;
    ``problems`` keeps each mirror's English reason for the server's log."""

    def __init__(self, key: str, problems: Sequence[str] = (), **values: object) -> None:
        super().__init__(key, **values)
        self.problems = tuple(problems)


# --------------------------------------------------------------------------- cache paths
def cache_dir() -> Path:
    """``$CONVVIZ_CACHE_DIR`` or ``~/.cache/convviz``."""
    env = os.environ.get(ENV_CACHE_DIR)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "convviz"


def mnist_cache_dir(root: Path | str | None = None) -> Path:
    """Where the verified MNIST download lives: ``<cache>/mnist``."""
    return (Path(root) if root is not None else cache_dir()) / "mnist"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def allowed_data_dirs() -> dict[str, Path]:
    """The data folders a visitor may pick, by label (the folder's name, numbered when two
    share it): ``$CONVVIZ_DATA_DIRS`` (separated by ``os.pathsep``) and ``$CONVVIZ_MNIST_DIR``,
    those that exist. Empty when neither is set: the folder source is off by default."""
    texts = os.environ.get(ENV_DATA_DIRS, "").split(os.pathsep) + [os.environ.get(ENV_MNIST_DIR, "")]
    folders: dict[str, Path] = {}
    seen: set[Path] = set()
    for text in (t.strip() for t in texts):
        path = Path(text).expanduser() if text else None
        if path is None or not path.is_dir() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        label, n = path.resolve().name or "data", 2
        while label in folders:
            label, n = f"{path.resolve().name} ({n})", n + 1
        folders[label] = path
    return folders


def allowed_folder(choice: str | Path | None = None) -> tuple[str, Path]:
    """(label, folder) of an allowed data folder: ``choice`` is its label or its path (None:
    the only one). ValueError otherwise, naming no path the server did not allow."""
    folders = allowed_data_dirs()
    if not folders:
        raise DataError("engine.data_no_folders", env=ENV_DATA_DIRS)
    if choice is None or str(choice).strip() == "":
        if len(folders) == 1:
            return next(iter(folders.items()))
        raise DataError("engine.data_choose_folder", folders=", ".join(folders))
    if str(choice) in folders:
        return str(choice), folders[str(choice)]
    try:
        wanted = Path(choice).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):
        wanted = None
    for label, path in folders.items():
        if path.resolve() == wanted:
            return label, path
    raise DataError("engine.data_not_allowed", folders=", ".join(folders))


# --------------------------------------------------------------------------- download
def _fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (http/https mirrors)
        data = resp.read(MAX_DOWNLOAD_BYTES + 1)
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise DownloadError("engine.data_download_too_big", url=url, limit=Number(MAX_DOWNLOAD_BYTES))
    return data


def cached_mnist(root: Path | str | None = None, files: dict[str, str] | None = None) -> Path | None:
    """The cache folder if every file is there with the right checksum, else None."""
    files = MNIST_SHA256 if files is None else files
    folder = mnist_cache_dir(root)
    for name, digest in files.items():
        path = folder / name
        if not path.is_file() or sha256_of(path.read_bytes()) != digest:
            return None
    return folder


def download_mnist(
    root: Path | str | None = None,
    mirrors: Sequence[str] = MNIST_MIRRORS,
    files: dict[str, str] | None = None,
    timeout: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Path:
    """Download and verify the MNIST files; return the cache folder that holds them.

    For each file the mirrors are tried in order; a download counts only if its SHA-256
    equals the published one. Files already cached with the right checksum are reused.
    All new files are kept in memory until every file has been verified, then written
    atomically (temporary file + rename); if any file cannot be obtained with the right
    checksum, :class:`DownloadError` is raised and nothing new is cached.
    ``progress(name, index, total)`` is called before each file.
    """
    files = MNIST_SHA256 if files is None else files
    folder = mnist_cache_dir(root)
    verified: dict[str, bytes] = {}
    for index, (name, digest) in enumerate(files.items()):
        if progress:
            progress(name, index, len(files))
        path = folder / name
        if path.is_file() and sha256_of(path.read_bytes()) == digest:
            continue
        problems: list[str] = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                data = _fetch(url, timeout)
            except (OSError, urllib.error.URLError, ValueError) as exc:
                problems.append(f"{url}: {exc}")
                continue
            got = sha256_of(data)
            if got != digest:
                problems.append(f"{url}: checksum mismatch (sha256 {got[:12]}…, expected {digest[:12]}…)")
                continue
            verified[name] = data
            break
        else:
            raise DownloadError("engine.data_download_failed", problems, name=name, mirrors=Number(len(mirrors)))
    if verified:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in verified.items():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, folder / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    return folder


# --------------------------------------------------------------------------- generated digits
FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
CANVAS = 64  # digits are drawn on a 64×64 canvas before MNIST normalisation


@lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """TrueType/OpenType fonts found on this machine (sorted; may be empty)."""
    found: set[str] = set()
    for d in FONT_DIRS:
        root = Path(d).expanduser()
        if not root.is_dir():
            continue
        for ext in ("*.ttf", "*.otf", "*.TTF", "*.OTF"):
            found.update(str(p) for p in root.rglob(ext))
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def _fonts() -> tuple[tuple[str, object], ...]:
    """(name, font) pairs that render all ten digits: system fonts + Pillow's defaults."""
    fonts: list[tuple[str, object]] = []
    for path in font_files():
        try:
            font = ImageFont.truetype(path, 44)
        except OSError:
            continue
        if _renders_digits(font):
            fonts.append((Path(path).stem, font))
    for size in (30, 40, 48):  # Pillow's bundled FreeType font (Aileron) at several sizes
        try:
            fonts.append((f"pillow-default-{size}", ImageFont.load_default(size=size)))
        except (OSError, ImportError, TypeError):
            break
    try:  # Pillow's tiny bitmap font: drawn small, then scaled up (blocky digits)
        fonts.append(("pillow-bitmap", ImageFont.load_default_imagefont()))
    except (OSError, AttributeError):
        pass
    return tuple(fonts)


def font_names() -> list[str]:
    """Names of the fonts the generator uses."""
    return [name for name, _ in _fonts()]


def _renders_digits(font: object) -> bool:
    """A font counts if '0'..'9' have visible, distinct glyphs (no missing-glyph boxes)."""
    glyphs = set()
    for d in "0123456789":
        img = Image.new("L", (CANVAS, CANVAS), 0)
        ImageDraw.Draw(img).text((8, 4), d, fill=255, font=font)
        arr = np.asarray(img)
        if arr.max() == 0:
            return False
        glyphs.add(arr.tobytes())
    return len(glyphs) == 10


def _draw(digit: int, name: str, font: object, stroke: int, rng: np.random.Generator) -> Image.Image:
    if name == "pillow-bitmap":
        small = Image.new("L", (16, 16), 0)
        ImageDraw.Draw(small).text((4, 2), str(digit), fill=255, font=font)
        img = small.resize((CANVAS, CANVAS), Image.Resampling.BILINEAR)
        return img.filter(ImageFilter.MaxFilter(3)) if stroke else img
    img = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(img)
    left, top, right, bottom = draw.textbbox((0, 0), str(digit), font=font, stroke_width=stroke)
    x = (CANVAS - (right - left)) / 2 - left + rng.uniform(-3, 3)
    y = (CANVAS - (bottom - top)) / 2 - top + rng.uniform(-3, 3)
    draw.text((x, y), str(digit), fill=255, font=font, stroke_width=stroke, stroke_fill=255)
    return img


def _affine_inverse(rng: np.random.Generator) -> np.ndarray:
    """Inverse of a random rotation (±12°) · shear (±0.3) · scale (0.85-1.15 per axis):
    it maps an output pixel back to the input pixel it is read from."""
    angle = np.deg2rad(rng.uniform(-12, 12))
    shear = rng.uniform(-0.3, 0.3)
    sx, sy = rng.uniform(0.85, 1.15, size=2)
    fwd = (
        np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        @ np.array([[1.0, shear], [0.0, 1.0]])
        @ np.diag([sx, sy])
    )
    return np.linalg.inv(fwd)


@lru_cache(maxsize=4)
def _upsample_matrix(size: int, grid: int) -> np.ndarray:
    """(size × grid) matrix of linear-interpolation weights from a coarse lattice."""
    pos = np.linspace(0, grid - 1, size)
    i0 = np.clip(np.floor(pos).astype(int), 0, grid - 2)
    f = pos - i0
    m = np.zeros((size, grid))
    m[np.arange(size), i0] = 1 - f
    m[np.arange(size), i0 + 1] = f
    return m


def elastic_field(
    rng: np.random.Generator, n: int, size: int = CANVAS, alpha: np.ndarray | float = 3.0, grid: int = 5
) -> np.ndarray:
    """Smooth random displacement fields (n × 2 × size × size), at most ``alpha`` pixels.

    Displacements are drawn on a coarse grid × grid lattice and interpolated linearly to
    every pixel (U · D · Uᵀ), so neighbouring pixels move together: a cheap version of
    Simard et al.'s elastic distortion.
    """
    up = _upsample_matrix(size, grid)
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (n,))[:, None, None, None]
    coarse = rng.uniform(-1.0, 1.0, size=(n, 2, grid, grid)) * a
    return np.einsum("ig,nkgh,jh->nkij", up, coarse, up)


def sample_bilinear(images: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Read ``images`` (n × h × w) at real coordinates (n × h × w each), bilinear, zero outside."""
    n, h, w = images.shape
    padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = images
    ys = np.clip(ys + 1, 0, h)
    xs = np.clip(xs + 1, 0, w)
    y0 = np.floor(ys).astype(np.intp)
    x0 = np.floor(xs).astype(np.intp)
    fy = (ys - y0).astype(np.float32)
    fx = (xs - x0).astype(np.float32)
    y1 = np.minimum(y0 + 1, h + 1)
    x1 = np.minimum(x0 + 1, w + 1)
    base = (np.arange(n) * (h + 2) * (w + 2))[:, None, None]
    flat = padded.ravel()
    row0, row1 = base + y0 * (w + 2), base + y1 * (w + 2)
    return (
        flat[row0 + x0] * (1 - fy) * (1 - fx)
        + flat[row0 + x1] * (1 - fy) * fx
        + flat[row1 + x0] * fy * (1 - fx)
        + flat[row1 + x1] * fy * fx
    )


def distort(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random affine + elastic distortion of a batch of canvases (one bilinear resampling)."""
    n, h, w = images.shape
    inv = np.stack([_affine_inverse(rng) for _ in range(n)])  # n × 2 × 2 (x, y order)
    field = elastic_field(rng, n, h, alpha=rng.uniform(1.0, 4.0, size=n))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    px, py = xx - cx, yy - cy
    src_x = inv[:, 0, 0, None, None] * px + inv[:, 0, 1, None, None] * py + cx + field[:, 1]
    src_y = inv[:, 1, 0, None, None] * px + inv[:, 1, 1, None, None] * py + cy + field[:, 0]
    return sample_bilinear(images, src_y, src_x)


def _erode(images: np.ndarray) -> np.ndarray:
    """3×3 minimum filter (thins white strokes), zero outside."""
    n, h, w = images.shape
    padded = np.zeros((n, h + 2, w + 2), dtype=images.dtype)
    padded[:, 1:-1, 1:-1] = images
    out = padded[:, 1:-1, 1:-1].copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            np.minimum(out, padded[:, dy : dy + h, dx : dx + w], out=out)
    return out


def mnist_normalize(arr: np.ndarray) -> np.ndarray:
    """MNIST's preprocessing: fit the digit's bounding box into 20×20 (aspect kept,
    anti-aliased), then place it in 28×28 with its centre of mass at the centre."""
    arr = np.asarray(arr, dtype=np.float64)
    out = np.zeros((28, 28), dtype=np.uint8)
    mask = arr > 8
    if not mask.any():
        return out
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    crop = arr[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8)).resize(
        (nw, nh), Image.Resampling.LANCZOS
    )
    s = np.asarray(small, dtype=np.float64)
    total = s.sum()
    if total <= 0:
        return out
    cy = (s.sum(axis=1) * np.arange(nh)).sum() / total
    cx = (s.sum(axis=0) * np.arange(nw)).sum() / total
    top = int(np.clip(round(13.5 - cy), 0, 28 - nh))
    left = int(np.clip(round(13.5 - cx), 0, 28 - nw))
    out[top : top + nh, left : left + nw] = np.clip(np.rint(s), 0, 255).astype(np.uint8)
    return out


def cross_seven(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A 7 with a bar across its stem, as most writers in Spain, Latin America and much of
    Europe draw it (and MNIST's first 5,000 test digits often have it; fonts never do).

    The bar goes through the stem at 45-60 % of the glyph's height, 40-70 % of the glyph's
    width long, as thick as the 7's top stroke (its ink rows in the glyph's upper part).
    """
    arr = np.asarray(img)
    ink = arr > 127
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size < 6 or cols.size < 4:
        return img
    height, width = rows[-1] - rows[0], cols[-1] - cols[0]
    y = int(round(rows[0] + height * rng.uniform(0.45, 0.6)))
    stem = np.flatnonzero(ink[y])
    if stem.size == 0:
        return img
    top_bar = ink[rows[0] : rows[0] + height // 3, cols[0] + width // 3]
    thickness = int(max(2, top_bar.sum()))
    half = width * rng.uniform(0.2, 0.35)
    centre = float(stem.mean())
    out = img.copy()
    ImageDraw.Draw(out).line([(centre - half, y), (centre + half, y)], fill=255, width=thickness)
    return out


def render_digits(
    labels: Sequence[int] | np.ndarray,
    rng: np.random.Generator,
    distortion: bool = True,
    crossed_sevens: float = 0.0,
) -> np.ndarray:
    """Generated digits (uint8 n×28×28, white on black) for the given labels; each 7 is
    crossed (:func:`cross_seven`) with probability ``crossed_sevens``."""
    fonts = _fonts()
    if not fonts:
        raise DataError("engine.data_no_font")
    labels = np.asarray(labels, dtype=int)
    n = labels.shape[0]
    canvases = np.zeros((n, CANVAS, CANVAS), dtype=np.float32)
    strokes = rng.choice([0, 0, 0, 1, 1, 2], size=n)
    for i, digit in enumerate(labels):
        name, font = fonts[int(rng.integers(len(fonts)))]
        glyph = _draw(int(digit), name, font, int(strokes[i]), rng)
        if digit == 7 and crossed_sevens > 0 and rng.random() < crossed_sevens:  # no draw at 0
            glyph = cross_seven(glyph, rng)
        canvases[i] = np.asarray(glyph, dtype=np.float32)
    return canvases_to_mnist(canvases, rng, distortion, strokes)


def canvases_to_mnist(
    canvases: np.ndarray, rng: np.random.Generator, distortion: bool = True, strokes: np.ndarray | None = None
) -> np.ndarray:
    """Drawn 64×64 canvases (n × 64 × 64, white on black) as MNIST digits (uint8 n × 28 × 28):
    each :func:`distort`-ed (when ``distortion``), then :func:`mnist_normalize`-d. With
    ``strokes`` (the outline width each digit was drawn with), 30 % of those drawn with an
    outline are also thinned (:func:`_erode`)."""
    n = canvases.shape[0]
    out = np.zeros((n, 28, 28), dtype=np.uint8)
    for start in range(0, n, 256):  # batches keep the coordinate arrays small
        batch = canvases[start : start + 256]
        if distortion:
            batch = distort(batch, rng)
            if strokes is not None:
                thin = (rng.random(batch.shape[0]) < 0.3) & (strokes[start : start + 256] >= 1)
                if thin.any():
                    batch[thin] = _erode(batch[thin])
        for j, img in enumerate(batch):
            out[start + j] = mnist_normalize(img)
    return out


def balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` digit labels, each class ``n // 10`` or one more times, in random order."""
    labels = np.arange(n) % 10
    rng.shuffle(labels)
    return labels


def generate_digits(
    n: int, seed: int = 0, distort: bool = True, crossed_sevens: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` generated digits in MNIST format: (uint8 n×28×28, uint8 labels), classes balanced;
    ``crossed_sevens``: the share of 7s drawn with a bar (:func:`cross_seven`)."""
    if n < 0:
        raise DataError("engine.data_negative_count")
    rng = np.random.default_rng(seed)
    labels = balanced_labels(n, rng)
    return render_digits(labels, rng, distort, crossed_sevens), labels.astype(np.uint8)


GENERATOR_VERSION = 1
VAL_SEED_OFFSET = 7919  # validation digits come from their own random stream


def generated_cached(
    n: int, seed: int = 0, root: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`generate_digits`, kept in ``<cache>/generated/`` as ``.npz`` so that the next
    start of the app does not draw them again. ``root=None`` means no disk cache."""
    if root is None:
        return generate_digits(n, seed=seed)
    path = Path(root) / "generated" / f"digits-v{GENERATOR_VERSION}-n{n}-s{seed}.npz"
    try:
        with np.load(path) as data:
            images, labels = data["images"], data["labels"]
        if images.shape == (n, 28, 28) and labels.shape == (n,):
            return images, labels
    except (OSError, KeyError, ValueError):
        pass
    images, labels = generate_digits(n, seed=seed)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, images=images, labels=labels)
        os.replace(tmp, path)
    except OSError:  # a read-only home: work without the cache
        pass
    return images, labels


# --------------------------------------------------------------------------- the lab's data
@dataclass(frozen=True)
class DigitData:
    """Training and validation digits and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: str  # "generated" | "folder" | "download"
    detail: str  # folder path, or a short description of the generated set

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.x_val.shape[0])


def _split(
    images: np.ndarray, labels: np.ndarray, n_train: int, n_val: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if n_train + n_val > images.shape[0]:
        raise DataError("engine.data_too_few", n_train=Number(n_train), n_val=Number(n_val),
                        have=Number(images.shape[0]))
    order = np.random.default_rng(seed).permutation(images.shape[0])
    tr, va = order[:n_train], order[n_train : n_train + n_val]
    return images[tr], labels[tr], images[va], labels[va]


def mnist_folder_split(folder: str | Path) -> str:
    """Which split of an MNIST folder the lab trains on: "train" when its two files are
    there, else "t10k" (a folder with only the 10,000-digit test split, like the one
    shipped for development, still gives disjoint training and validation digits).
    Raises ValueError when the folder is missing or has neither pair of files."""
    from convviz.digits.mnist import available_splits

    path = Path(folder).expanduser()
    if not path.is_dir():
        raise DataError("engine.data_not_folder", name=path.name)
    splits = available_splits(path)
    if "train" in splits:
        return "train"
    if "t10k" in splits:
        return "t10k"
    raise DataError("engine.data_no_mnist", name=path.name)


def load_mnist_folder(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The training split of an MNIST folder (the test split when it is the only one), via
    :func:`convviz.digits.mnist.load_mnist`, which checks every file's header and size."""
    from convviz.digits.mnist import load_mnist

    path = Path(folder).expanduser()
    images, labels = load_mnist(path, mnist_folder_split(path))
    return np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.uint8)


def lab_data(
    source: str,
    n_train: int,
    n_val: int,
    seed: int = 0,
    folder: str | Path | None = None,
    cache_root: str | Path | None = None,
    disk_cache: bool = True,
) -> DigitData:
    """Disjoint training and validation sets from ``source``.

    generated: ``n_train`` digits drawn with ``seed`` and ``n_val`` drawn with
    ``seed + VAL_SEED_OFFSET`` (so the validation set does not change with the training-set
    size), kept on disk under ``cache_root`` (or the default cache) when ``disk_cache``; folder: the MNIST training split (else test split) of
    the allowed data folder ``folder`` (a label or path, :func:`allowed_folder`); download: the verified cache (downloaded first
    if missing). Raises ValueError / OSError with a readable message on bad input.
    """
    if n_train < 1 or n_val < 1:
        raise DataError("engine.data_need_digits")
    if source == "generated":
        root = (cache_root or cache_dir()) if disk_cache else None
        x, y = generated_cached(n_train, seed, root)
        xv, yv = generated_cached(n_val, seed + VAL_SEED_OFFSET, root)
        return DigitData(x, y, xv, yv, source, str(len(font_names())))
    if source == "folder":
        label, chosen = allowed_folder(folder)
        x, y = load_mnist_folder(chosen)
        return DigitData(*_split(x, y, n_train, n_val, seed), source, label)
    if source == "download":
        path = cached_mnist(cache_root) or download_mnist(cache_root)
        x, y = load_mnist_folder(path)
        return DigitData(*_split(x, y, n_train, n_val, seed), source, str(path))
    raise DataError("engine.data_unknown_source", source=str(source)[:40], sources=", ".join(SOURCES))

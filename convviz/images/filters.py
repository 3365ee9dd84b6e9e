"""Image filters as the lecture defines them: a local linear operation with a mask.

Cross-correlation (what CNN layers and this module compute by default), for a kernel
``K`` of size ``kh x kw`` anchored at ``(ch, cw) = (kh // 2, kw // 2)``::

    out[i, j] = sum_{u, v} K[u, v] * x[i + u - ch, j + v - cw]

Convolution is the same with the kernel rotated 180 degrees (``K[::-1, ::-1]``); only
convolution is associative: ``(x * A) * B = x * (A * B)``, which lets complex filters be
built from simple ones (lecture: "construir filtros complejos a partir de filtros simples").

Outside the image, ``x`` is extended by the border mode (PyTorch's names):

* ``zero``      ``0 0 | a b c d | 0 0``
* ``reflect``   ``c b | a b c d | c b``   (mirror without repeating the edge)
* ``replicate`` ``a a | a b c d | d d``
* ``circular``  ``c d | a b c d | a b``   (the image wraps around like a torus)

Stride ``s`` keeps every ``s``-th output, ``out_s[i, j] = out[s*i, s*j]`` (so
``ceil(N / s)`` = ``floor((N + 2P - F) / s) + 1`` with "same" padding ``2P = F - 1``);
dilation ``d`` spreads the taps ``d`` pixels apart: the kernel becomes
``(kh - 1) * d + 1`` wide with zeros ("holes") between the taps.

Four numerically equivalent ways to compute it (``method="auto"`` picks one):
``direct`` (scipy.ndimage.correlate), ``taps`` (the same sum written as vectorised
additions of shifted slices of the padded image, taps with equal ``|weight|`` summed
first and multiplied once, in row strips that stay in cache, converted to float32 once
per strip, in parallel threads: for small kernels on megapixel images it is several
times faster than ndimage's generic loop, see bench/RESULTS-filters.md),
``separable`` (a rank-1 kernel ``K = c r^T`` found by SVD is applied as a column pass then
a row pass: ``kh + kw`` instead of ``kh * kw`` multiplications per pixel; on megapixel
images both passes run strip by strip in cache) and ``fft``
(scipy.signal.fftconvolve on the padded image, for large kernels). scipy is imported
lazily inside the functions that need it.
"""

from __future__ import annotations

import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from convviz.errors import ConvVizError
from convviz.i18n import fmt_number

BORDER_MODES: tuple[str, ...] = ("zero", "reflect", "replicate", "circular")
_NDIMAGE_MODE = {"zero": "constant", "reflect": "mirror", "replicate": "nearest", "circular": "grid-wrap"}
_NP_PAD_MODE = {"zero": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
MAX_KERNEL_SIZE = 15
"""Largest custom kernel side accepted by :func:`parse_kernel`."""
MAX_KERNEL_CHARS = 8_000
"""Longest kernel text accepted, checked before it is split: a 15x15 kernel of fractions
like ``-1.2345/6.789`` needs about 3,400 characters."""
MAX_WEIGHT = 1e12
"""Largest weight magnitude accepted by :func:`parse_kernel`: filtering works in float32
(at most 3.4e38), and a 15x15 kernel of 1e12 weights composed with another stays far inside
it on 255-valued pixels. A weight of 1e308 gave an image of NaN without a message."""
FFT_MIN_TAPS = 121
"""A non-separable kernel with at least this many taps (11x11) goes through the FFT."""
TAPS_MAX = 49
"""Kernels with at most this many non-zero weights use the ``taps`` path."""
STRIP_BYTES = 1 << 20
"""Row strips of about 1 MB of float32 output keep the ``taps`` path in cache."""
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
"""ITU-R BT.601 weights used for grayscale: ``Y = 0.299 R + 0.587 G + 0.114 B``."""

# --- the lecture's kernels and the usual suspects ---------------------------------------

GAUSSIAN_273 = np.array(
    [[1, 4, 7, 4, 1], [4, 16, 26, 16, 4], [7, 26, 41, 26, 7], [4, 16, 26, 16, 4], [1, 4, 7, 4, 1]],
    dtype=np.float64,
) / 273.0
"""The lecture's 5x5 Gaussian (1/273): removes high frequencies, smooths."""
SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float64)
"""The lecture's Sobel Gx (responds to vertical edges)."""
SOBEL_Y = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)
"""The lecture's Sobel Gy (responds to horizontal edges)."""
BOX_3 = np.full((3, 3), 1.0 / 9.0)
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)
IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64)

PRESETS: tuple[str, ...] = (
    "gaussian_273", "sobel_x", "sobel_y", "sobel_magnitude", "box", "gaussian",
    "sharpen", "laplacian", "emboss", "identity", "custom",
)
"""Filter names offered by the lab (``gaussian`` takes sigma, ``custom`` a typed kernel)."""


class KernelError(ConvVizError):
    """A typed kernel that cannot be used, explained in the student's words (``str()`` in
    the language it was made for, ``localized(lang)`` in any)."""


def gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    """Sampled 2-D Gaussian ``G[u, v] = g[u] g[v]``, ``g[i] = exp(-i^2 / (2 sigma^2)) / sum``.

    ``radius`` defaults to ``ceil(3 sigma)`` (size ``2 * radius + 1``); the kernel sums to 1.
    """
    if not sigma > 0 or not math.isfinite(sigma):
        raise ValueError(f"sigma must be a positive number, got {sigma}")
    r = int(math.ceil(3 * sigma)) if radius is None else int(radius)
    i = np.arange(-r, r + 1, dtype=np.float64)
    g = np.exp(-(i**2) / (2.0 * sigma**2))
    g /= g.sum()
    return np.outer(g, g)


def box_kernel(size: int = 3) -> np.ndarray:
    """``size x size`` mean filter: every weight ``1 / size^2``."""
    return np.full((size, size), 1.0 / (size * size))


def preset_kernel(name: str, sigma: float = 1.0, box_size: int = 3) -> np.ndarray:
    """The kernel of a preset (for ``sobel_magnitude``: Gx; the magnitude uses Gx and Gy)."""
    table = {
        "gaussian_273": GAUSSIAN_273, "sobel_x": SOBEL_X, "sobel_y": SOBEL_Y,
        "sobel_magnitude": SOBEL_X, "sharpen": SHARPEN, "laplacian": LAPLACIAN,
        "emboss": EMBOSS, "identity": IDENTITY,
    }
    if name in table:
        return table[name].copy()
    if name == "box":
        return box_kernel(box_size)
    if name == "gaussian":
        return gaussian_kernel(sigma)
    raise KeyError(f"unknown filter {name!r}; choose one of {PRESETS}")


# --- the custom kernel editor ----------------------------------------------------------

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TOKEN = re.compile(rf"^({_NUMBER})(?:/({_NUMBER}))?$")
_NAN_INF = re.compile(r"^[+-]?(nan|inf|infinity|∞)$", re.IGNORECASE)


def _kerr(key: str, lang: str, **values: object) -> KernelError:
    return KernelError(key=f"filters.{key}", values=values, lang=lang)


def parse_kernel(text: str, lang: str = "en", max_size: int = MAX_KERNEL_SIZE) -> np.ndarray:
    """Parse a typed kernel: one row per line (or ``;``), entries split by spaces or commas.

    Entries may be integers, decimals with a point (``0.25``, ``-.5``, ``1e-2``) or
    fractions (``1/9``). Raises :class:`KernelError` (message in ``lang``) for a blank
    kernel, an entry that is not a number, NaN, infinity or a magnitude over
    :data:`MAX_WEIGHT`, division by zero, rows of
    different lengths or a side longer than ``max_size``.
    """
    if text is None or not str(text).strip():
        raise _kerr("err_blank", lang)
    text = str(text)
    if len(text) > MAX_KERNEL_CHARS:  # before anything is split: 24 MB took 13.6 s
        raise _kerr("err_too_long", lang, n=fmt_number(len(text), lang), max=fmt_number(MAX_KERNEL_CHARS, lang),
                    size=max_size)
    lines = [line for line in re.split(r"[\n;]", text) if line.strip()]
    if not lines:  # only separators, e.g. ";;;"
        raise _kerr("err_blank", lang)
    if len(lines) > max_size:
        raise _kerr("err_too_big", lang, h=len(lines), w=len(lines[0].split()), max=max_size)
    rows: list[list[float]] = []
    for r, line in enumerate(lines, start=1):
        tokens = [t for t in re.split(r"[,\s]+", line.strip()) if t]
        if not tokens:  # a row of commas only
            raise _kerr("err_text", lang, row=r, col=1, token=line.strip()[:20])
        if len(tokens) > max_size:
            raise _kerr("err_too_big", lang, h=len(lines), w=len(tokens), max=max_size)
        row: list[float] = []
        for c, token in enumerate(tokens, start=1):
            if _NAN_INF.match(token):
                key = "err_nan" if "nan" in token.lower() else "err_inf"
                raise _kerr(key, lang, row=r, col=c, token=token)
            m = _TOKEN.match(token)
            if not m:
                raise _kerr("err_text", lang, row=r, col=c, token=token[:20])
            num = float(m.group(1))
            if m.group(2) is not None:
                den = float(m.group(2))
                if den == 0:
                    raise _kerr("err_div_zero", lang, row=r, col=c, token=token[:20])
                num = num / den
            if not math.isfinite(num) or abs(num) > MAX_WEIGHT:
                raise _kerr("err_inf", lang, row=r, col=c, token=token[:20])
            row.append(num)
        rows.append(row)
    widths = [len(row) for row in rows]
    for r, width in enumerate(widths, start=1):
        if width != widths[0]:
            raise _kerr("err_ragged", lang, row=r, n=width, first=widths[0])
    if len(rows) > max_size or widths[0] > max_size:
        raise _kerr("err_too_big", lang, h=len(rows), w=widths[0], max=max_size)
    return np.array(rows, dtype=np.float64)


def normalise(kernel: np.ndarray) -> tuple[np.ndarray, bool]:
    """``K / sum(K)`` so the weights sum to 1 (brightness kept); unchanged when the sum is 0.

    Returns the kernel and whether it was divided.
    """
    total = float(np.sum(kernel))
    if abs(total) < 1e-12 * max(1.0, float(np.abs(kernel).sum())):
        return kernel.copy(), False
    return kernel / total, True


def kernel_csv(kernel: np.ndarray) -> str:
    """The kernel as CSV text (one row per line, full float precision)."""
    return "\n".join(",".join(repr(float(v)) for v in row) for row in np.atleast_2d(kernel)) + "\n"


# --- kernel algebra ----------------------------------------------------------------------

def dilate_kernel(kernel: np.ndarray, dilation: int) -> np.ndarray:
    """The kernel with ``dilation - 1`` zeros between taps: size ``(k - 1) * d + 1``."""
    d = int(dilation)
    if d < 1:
        raise ValueError(f"dilation must be >= 1, got {dilation}")
    kh, kw = kernel.shape
    out = np.zeros(((kh - 1) * d + 1, (kw - 1) * d + 1), dtype=np.float64)
    out[::d, ::d] = kernel
    return out


def _odd(kernel: np.ndarray) -> np.ndarray:
    """Pad an even side with a zero row/column at the end (keeps the anchor ``k // 2``)."""
    kh, kw = kernel.shape
    return np.pad(kernel, ((0, 1 - kh % 2), (0, 1 - kw % 2)))


def compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The single kernel ``C = A * B`` (full 2-D convolution) with
    ``correlate(correlate(x, A), B) == correlate(x, C)``.

    ``C[p, q] = sum_{u, v} A[u, v] B[p - u, q - v]``; even sides are first padded to odd
    so the anchors add up. Exact everywhere with circular borders, and away from the
    border (``(kC - 1) / 2`` pixels) with the others.
    """
    a, b = _odd(np.asarray(a, float)), _odd(np.asarray(b, float))
    ah, aw = a.shape
    bh, bw = b.shape
    out = np.zeros((ah + bh - 1, aw + bw - 1))
    for u in range(ah):
        for v in range(aw):
            out[u:u + bh, v:v + bw] += a[u, v] * b
    return out


@dataclass(frozen=True)
class Separation:
    """``K ~= column @ row`` (rank-1 part from the SVD) and how good that is."""

    column: np.ndarray
    row: np.ndarray
    rank: int
    residual: float  # max |K - column row^T|

    @property
    def separable(self) -> bool:
        return self.rank <= 1


def separate(kernel: np.ndarray, rtol: float = 1e-9) -> Separation:
    """Split ``K = U S V^T`` (SVD); ``column = u_1 sqrt(s_1)``, ``row = v_1 sqrt(s_1)``.

    ``rank`` counts singular values above ``rtol * s_1``; the kernel is separable when
    it is 1 (e.g. Gaussian, box, Sobel: ``Gx = [1 2 1]^T [1 0 -1]``).
    """
    k = np.asarray(kernel, dtype=np.float64)
    u, s, vt = np.linalg.svd(k)
    if s[0] == 0:
        return Separation(np.zeros(k.shape[0]), np.zeros(k.shape[1]), 0, 0.0)
    col = u[:, 0] * math.sqrt(s[0])
    row = vt[0] * math.sqrt(s[0])
    if col.sum() < 0 or (abs(col.sum()) < 1e-12 and col[np.argmax(np.abs(col))] < 0):
        col, row = -col, -row
    rank = int(np.sum(s > rtol * s[0]))
    residual = float(np.max(np.abs(k - np.outer(col, row))))
    return Separation(col, row, rank, residual)


# --- applying a kernel -------------------------------------------------------------------

def _check_border(border: str) -> None:
    if border not in BORDER_MODES:
        raise ValueError(f"unknown border mode {border!r}; choose one of {BORDER_MODES}")


def pad(image: np.ndarray, kh: int, kw: int, border: str) -> np.ndarray:
    """Extend the first two axes by ``k // 2`` before and ``k - 1 - k // 2`` after."""
    _check_border(border)
    widths = [(kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)]
    widths += [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths, mode=_NP_PAD_MODE[border])


def choose_method(kernel: np.ndarray) -> str:
    """Cheapest path by multiplications per pixel: ``separable`` for rank-1 kernels when
    ``kh + kw`` < non-zero weights, ``taps`` for up to :data:`TAPS_MAX` non-zero weights,
    ``fft`` for :data:`FFT_MIN_TAPS` weights or more, else ``direct``."""
    kh, kw = kernel.shape
    nnz = int(np.count_nonzero(kernel))
    if kh > 1 and kw > 1 and kh + kw < nnz and separate(kernel).separable:
        return "separable"
    if nnz <= TAPS_MAX:
        return "taps"
    if kh * kw >= FFT_MIN_TAPS:
        return "fft"
    return "direct"


def correlate(
    image: np.ndarray,
    kernel: np.ndarray,
    border: str = "reflect",
    stride: int = 1,
    dilation: int = 1,
    method: str = "auto",
) -> np.ndarray:
    """Cross-correlate an ``(H, W)`` or ``(H, W, C)`` image with ``kernel`` (formula in the
    module docstring), channel by channel; float32 out, ``ceil(H / stride)`` rows.
    """
    _check_border(border)
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0:
        raise ValueError("the kernel must be a non-empty 2-D array")
    if int(stride) < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if dilation != 1:
        k = dilate_kernel(k, dilation)
    kh, kw = k.shape
    if method == "auto":
        method = choose_method(k)
    x = np.asarray(image)
    megapixel_separable = method == "separable" and x.shape[0] * x.shape[1] >= 1_000_000
    if x.dtype != np.float32 and method != "taps" and not megapixel_separable:
        x = x.astype(np.float32)  # (taps converts strip by strip)
    small = x.shape[0] <= kh // 2 or x.shape[1] <= kw // 2
    if method == "fft":
        out = _correlate_fft(x, k, border)
    elif method == "separable":
        sep = separate(k)
        out = _correlate_separable(x, sep.column, sep.row, border, small)
    elif method == "direct":
        out = _correlate_direct(x, k, border, small)
    elif method == "taps":
        out = _correlate_taps(x, k, border)
    else:
        raise ValueError(f"unknown method {method!r}")
    if stride > 1:
        out = np.ascontiguousarray(out[::stride, ::stride])
    return out


def convolve(image: np.ndarray, kernel: np.ndarray, **options: object) -> np.ndarray:
    """True convolution: correlation with the kernel rotated 180 degrees.

    (For an even side the anchor ``k // 2`` of the rotated kernel is one pixel off
    the mirror of the original anchor.)
    """
    return correlate(image, np.asarray(kernel)[::-1, ::-1], **options)  # type: ignore[arg-type]


def _full_kernel(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    return k.reshape(k.shape + (1,) * (x.ndim - 2))


def _correlate_direct(x: np.ndarray, k: np.ndarray, border: str, small: bool) -> np.ndarray:
    from scipy import ndimage

    kh, kw = k.shape
    if small:  # pad with numpy's semantics, then keep the valid part
        padded = pad(x, kh, kw, border)
        full = ndimage.correlate(padded, _full_kernel(x, k), mode="constant")
        return full[kh // 2: kh // 2 + x.shape[0], kw // 2: kw // 2 + x.shape[1]].astype(np.float32)
    return ndimage.correlate(x, _full_kernel(x, k), mode=_NDIMAGE_MODE[border])


def _weight_groups(k: np.ndarray) -> list[tuple[np.float32, list[tuple[int, int]], list[tuple[int, int]]]]:
    """The non-zero weights of ``k`` grouped by float32 magnitude: ``(|w|, taps with +|w|,
    taps with -|w|)``, largest group with a positive tap first (so ``sum K[u,v] x[..]`` becomes ``sum_g |w_g| (sum plus - sum minus)``)."""
    groups: dict[float, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for u in range(k.shape[0]):
        for v in range(k.shape[1]):
            if k[u, v] != 0:
                plus, minus = groups.setdefault(abs(float(np.float32(k[u, v]))), ([], []))
                (plus if k[u, v] > 0 else minus).append((u, v))
    out = [(np.float32(scale), plus, minus) for scale, (plus, minus) in groups.items()]
    out.sort(key=lambda g: (not g[1], -(len(g[1]) + len(g[2]))))  # a group with + taps first
    return out


def _sum_group(src: np.ndarray, scale: np.float32, plus: list[tuple[int, int]],
               minus: list[tuple[int, int]], rows: int, width: int, out: np.ndarray) -> int:
    """``out = sign * scale * (sum_{plus} src[u:u+rows, v:v+width] - sum_{minus} ...)``: one
    add or subtract per tap and one multiply per group (none when ``scale`` is 1).

    Returns ``sign``: -1 when the group has only negative taps (their sum is left positive
    so the caller subtracts it instead of negating), else 1.
    """
    def sl(t: tuple[int, int]) -> np.ndarray:
        return src[t[0]:t[0] + rows, t[1]:t[1] + width]

    sign = 1
    if not plus:
        plus, minus, sign = minus, plus, -1
    if len(plus) + len(minus) == 1:
        np.multiply(sl(plus[0]), scale, out=out)
        return sign
    rest = plus[1:]
    if rest:
        np.add(sl(plus[0]), sl(rest[0]), out=out)
        rest = rest[1:]
    else:
        np.subtract(sl(plus[0]), sl(minus[0]), out=out)
        minus = minus[1:]
    for t in rest:
        np.add(out, sl(t), out=out)
    for t in minus:
        np.subtract(out, sl(t), out=out)
    if scale != 1:
        np.multiply(out, scale, out=out)
    return sign


def _apply_groups(src: np.ndarray, groups: list, rows: int, width: int,
                  out: np.ndarray, tmp: np.ndarray) -> None:
    """``out = sum`` over the weight groups of :func:`_sum_group` (``tmp`` is scratch)."""
    for i, (scale, plus, minus) in enumerate(groups):
        sign = _sum_group(src, scale, plus, minus, rows, width, out if i == 0 else tmp)
        if i == 0 and sign < 0:
            np.negative(out, out=out)
        elif i:
            (np.add if sign > 0 else np.subtract)(out, tmp, out=out)


def _correlate_taps(x: np.ndarray, k: np.ndarray, border: str, workers: int | None = None,
                    column: np.ndarray | None = None, row: np.ndarray | None = None) -> np.ndarray:
    """``out = sum_{K[u,v] != 0} K[u,v] * xpad[u:u+H, v:v+W]`` as vectorised slice arithmetic.

    The image is padded once (in its own dtype); then, in row strips of about
    :data:`STRIP_BYTES` of output that stay in the L2 cache, run in threads (numpy releases
    the GIL), each strip of the padded image is converted to float32 once and the taps are
    summed by weight group (:func:`_weight_groups`: ``sum_g |w_g| (sum plus - sum minus)``,
    e.g. the box filter is 8 additions and one multiply). With ``column`` and ``row``
    given (``K = column row^T``), each strip runs the column pass into a scratch strip and
    the row pass from it, so the intermediate image never leaves the cache.
    """
    kh, kw = k.shape
    h, w = x.shape[:2]
    tail = x.shape[2:]
    out = np.empty(x.shape, dtype=np.float32)
    if not np.any(k):
        out.fill(0.0)
        return out
    padded = pad(x, kh, kw, border)
    separable = column is not None and row is not None
    if separable:
        col_groups = _weight_groups(np.asarray(column, float)[:, None])
        row_groups = _weight_groups(np.asarray(row, float)[None, :])
    else:
        groups = _weight_groups(k)
    row_bytes = max(1, w * int(np.prod(tail, dtype=np.int64)) * 4)
    rows = max(8, STRIP_BYTES // row_bytes)

    def strip(a: int) -> None:
        b = min(h, a + rows)
        n = b - a
        src = padded[a:b + kh - 1]
        if src.dtype != np.float32:
            src = src.astype(np.float32)  # one conversion per strip, not one per tap
        dst = out[a:b]
        if separable:
            mid = np.empty((n, w + kw - 1) + tail, dtype=np.float32)
            _apply_groups(src, col_groups, n, w + kw - 1, mid, np.empty_like(mid))
            _apply_groups(mid, row_groups, n, w, dst, np.empty_like(dst))
        else:
            _apply_groups(src, groups, n, w, dst, np.empty_like(dst))

    starts = range(0, h, rows)
    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    if n > 1 and h * w >= 1_000_000:
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(strip, starts))
    else:
        for a in starts:
            strip(a)
    return out


def _correlate_separable(
    x: np.ndarray, col: np.ndarray, row: np.ndarray, border: str, small: bool
) -> np.ndarray:
    from scipy import ndimage

    if x.shape[0] * x.shape[1] >= 1_000_000:  # megapixel images: both passes fused per strip
        return _correlate_taps(x, np.outer(col, row), border, column=col, row=row)
    if small:
        padded = pad(x, col.size, row.size, border)
        tmp = ndimage.correlate1d(padded, col, axis=0, mode="constant")
        full = ndimage.correlate1d(tmp, row, axis=1, mode="constant")
        ch, cw = col.size // 2, row.size // 2
        return full[ch: ch + x.shape[0], cw: cw + x.shape[1]].astype(np.float32)
    mode = _NDIMAGE_MODE[border]
    tmp = ndimage.correlate1d(x, col, axis=0, mode=mode)
    return ndimage.correlate1d(tmp, row, axis=1, mode=mode)


def _correlate_fft(x: np.ndarray, k: np.ndarray, border: str) -> np.ndarray:
    from scipy import signal

    kh, kw = k.shape
    padded = pad(x, kh, kw, border)
    flipped = _full_kernel(x, k[::-1, ::-1])
    out = signal.fftconvolve(padded, flipped, mode="valid", axes=(0, 1))
    return out.astype(np.float32, copy=False)


def to_gray(image: np.ndarray) -> np.ndarray:
    """``Y = 0.299 R + 0.587 G + 0.114 B`` as float32 ``(H, W)`` (grey images pass through)."""
    x = np.asarray(image)
    if x.ndim == 2:
        return x.astype(np.float32)
    return x[..., :3].astype(np.float32) @ LUMA


def gradient_magnitude(image: np.ndarray, border: str = "reflect", **options: object) -> np.ndarray:
    """``sqrt(Gx^2 + Gy^2)`` with the lecture's Sobel kernels."""
    gx = correlate(image, SOBEL_X, border=border, **options)  # type: ignore[arg-type]
    gy = correlate(image, SOBEL_Y, border=border, **options)  # type: ignore[arg-type]
    return np.sqrt(gx * gx + gy * gy)


@dataclass(frozen=True)
class FilterSettings:
    """Everything that decides a result (hashable, so the page can cache on it)."""

    name: str = "gaussian_273"
    sigma: float = 1.0
    custom: tuple[tuple[float, ...], ...] | None = None
    normalise: bool = False
    grayscale: bool = False
    border: str = "reflect"
    stride: int = 1
    dilation: int = 1

    def kernel(self) -> np.ndarray:
        """The kernel these settings apply (Gx for the gradient magnitude)."""
        if self.name == "custom":
            if self.custom is None:
                raise ValueError("a custom filter needs a kernel")
            k = np.array(self.custom, dtype=np.float64)
        else:
            k = preset_kernel(self.name, self.sigma)
        if self.normalise:
            k, _ = normalise(k)
        return k


def apply(image: np.ndarray, settings: FilterSettings) -> np.ndarray:
    """Filter a uint8 RGB image as ``settings`` say: float32 ``(H', W')`` (grayscale) or
    ``(H', W', 3)`` (each channel filtered with the same kernel)."""
    x = to_gray(image) if settings.grayscale else np.asarray(image, dtype=np.float32)
    opts = {"border": settings.border, "stride": settings.stride, "dilation": settings.dilation}
    if settings.name == "sobel_magnitude":
        return gradient_magnitude(x, **opts)  # type: ignore[arg-type]
    return correlate(x, settings.kernel(), **opts)  # type: ignore[arg-type]


# --- showing a result --------------------------------------------------------------------

DIVERGING_STOPS = (
    (-1.0, (5, 48, 97)), (-0.5, (67, 147, 195)), (0.0, (247, 247, 247)),
    (0.5, (214, 96, 77)), (1.0, (103, 0, 31)),
)
"""Blue-white-red map (ColorBrewer RdBu): -limit -> dark blue, 0 -> white, +limit -> dark red."""


def display_kind(settings: FilterSettings, kernel: np.ndarray) -> str:
    """How to show a result: ``stretch`` (gradient magnitude, 0..max -> 0..255),
    ``signed`` (kernel has negative weights summing to 0: responses centred on 0),
    else ``clip`` (values clipped to 0..255)."""
    if settings.name == "sobel_magnitude":
        return "stretch"
    if np.any(kernel < 0) and abs(float(kernel.sum())) < 1e-9 * max(1.0, float(np.abs(kernel).sum())):
        return "signed"
    return "clip"


@dataclass(frozen=True)
class Display:
    """A result ready for the screen: ``image`` uint8 (``(H, W, 3)``) and how it was scaled."""

    image: np.ndarray
    kind: str  # clip | stretch | diverging | offset
    limit: float  # the value that maps to full colour (clip: 255)
    clipped: float  # fraction of values outside the shown range
    vmin: float
    vmax: float


def diverging_rgb(values: np.ndarray, limit: float) -> np.ndarray:
    """Map ``values / limit`` in [-1, 1] through :data:`DIVERGING_STOPS` to uint8 RGB."""
    t = np.clip(values / limit if limit > 0 else np.zeros_like(values), -1.0, 1.0)
    xs = [s for s, _ in DIVERGING_STOPS]
    out = np.empty(t.shape + (3,), dtype=np.uint8)
    for c in range(3):
        out[..., c] = np.rint(np.interp(t, xs, [rgb[c] for _, rgb in DIVERGING_STOPS]))
    return out


def for_display(values: np.ndarray, kind: str, percentile: float = 99.5) -> Display:
    """Turn a float result into a picture.

    * ``clip``: ``clip(round(v), 0, 255)``;
    * ``stretch``: ``255 * v / L`` with ``L`` the ``percentile`` of ``v``;
    * ``signed`` on one channel -> ``diverging``: :func:`diverging_rgb` with
      ``L`` = ``percentile`` of ``|v|`` (symmetric, so white means 0);
    * ``signed`` on colour -> ``offset``: ``128 + 127 v / L`` per channel (grey means 0).
    """
    v = np.asarray(values, dtype=np.float32)
    vmin, vmax = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    sample = v if v.size <= 1_000_000 else v.reshape(-1)[:: v.size // 1_000_000 + 1]
    if kind == "clip":
        img = np.clip(np.rint(v), 0, 255).astype(np.uint8)
        clipped = float(np.mean((sample < -0.5) | (sample > 255.5))) if v.size else 0.0
        limit = 255.0
        shown = "clip"
    elif kind == "stretch":
        limit = float(np.percentile(sample, percentile)) if v.size else 0.0
        limit = limit if limit > 0 else max(vmax, 1.0)
        img = np.clip(np.rint(v * (255.0 / limit)), 0, 255).astype(np.uint8)
        clipped = float(np.mean(sample > limit))
        shown = "stretch"
    elif kind == "signed":
        limit = float(np.percentile(np.abs(sample), percentile)) if v.size else 0.0
        limit = limit if limit > 0 else max(abs(vmin), abs(vmax), 1.0)
        clipped = float(np.mean(np.abs(sample) > limit))
        if v.ndim == 2:
            return Display(diverging_rgb(v, limit), "diverging", limit, clipped, vmin, vmax)
        img = np.clip(np.rint(128.0 + v * (127.0 / limit)), 0, 255).astype(np.uint8)
        shown = "offset"
    else:
        raise ValueError(f"unknown display kind {kind!r}")
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    return Display(img, shown, limit, clipped, vmin, vmax)


# --- concept checks ----------------------------------------------------------------------

def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate by ``(dy, dx)`` pixels, wrapping around (``np.roll``)."""
    return np.roll(image, (int(dy), int(dx)), axis=(0, 1))


def downscale2(image: np.ndarray) -> np.ndarray:
    """Halve the size by averaging 2x2 blocks (odd last row/column dropped)."""
    x = np.asarray(image, dtype=np.float32)
    h, w = (x.shape[0] // 2) * 2, (x.shape[1] // 2) * 2
    x = x[:h, :w]
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def max_abs_diff(a: np.ndarray, b: np.ndarray, margin: int = 0) -> float:
    """``max |a - b|``, ignoring ``margin`` pixels on every side."""
    d = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    if margin > 0:
        d = d[margin:-margin or None, margin:-margin or None]
    return float(d.max()) if d.size else 0.0


def time_call(fn, repeats: int = 3) -> float:  # noqa: ANN001 - any zero-argument callable
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs."""
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))

"""Convolution arithmetic along one axis, exactly as PyTorch 2.x computes it.

Every function works on one spatial axis (height or width); layers call them once per
axis, so rectangular inputs and kernels come for free. Notation (Dumoulin & Visin):
``n`` input size, ``k`` kernel size, ``s`` stride, ``p`` padding on each side, ``d``
dilation, ``op`` output_padding. The dilated kernel spans ``d*(k-1) + 1`` cells.

- convolution:            ``out = floor((n + 2p - d*(k-1) - 1) / s) + 1``
- transposed convolution: ``out = (n - 1)*s - 2p + d*(k-1) + op + 1``
- pooling (floor mode):   as convolution; ``ceil_mode`` rounds up, but the last window
  must start inside the input or the left padding: if ``(out-1)*s >= n + p`` then ``out -= 1``
- adaptive pooling:       bin ``i`` covers ``[floor(i*n/out), ceil((i+1)*n/out))``

Impossible settings raise :class:`convviz.SpecError` with the arithmetic in a student's words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from convviz.arithmetic import limits
from convviz.errors import Note, Number, Numbers, SpecError


def effective_kernel(k: int, d: int = 1) -> int:
    """Cells spanned by a kernel of size ``k`` with dilation ``d``: ``d*(k-1) + 1``."""
    return d * (k - 1) + 1


def _check_positive(name: str, value: int) -> None:
    if value < 1:
        raise SpecError.of("engine.not_positive", name=name, value=value)
    if name == "input size":
        limits.check("side", value, limits.MAX_SIDE)
    else:
        limits.check("arg", value, limits.MAX_ARG, arg=name)


def _check_sizes(n: int, k: int, s: int, d: int) -> None:
    """:func:`_check_positive` of an input size, kernel, stride and dilation, with a fast path
    for the usual case where all are in range (summaries call this for every layer)."""
    side, arg = limits.MAX_SIDE, limits.MAX_ARG
    if 0 < n <= side and 0 < k <= arg and 0 < s <= arg and 0 < d <= arg:
        return
    for name, value in (("input size", n), ("kernel_size", k), ("stride", s), ("dilation", d)):
        _check_positive(name, value)


def _side(out: int) -> int:
    """An output size, at most :data:`~convviz.arithmetic.limits.MAX_SIDE`."""
    return limits.check("side", out, limits.MAX_SIDE)


def _check_padding(p: int) -> None:
    if p < 0:
        raise SpecError.of("engine.negative_padding", padding=p)
    limits.check("arg", p, limits.MAX_ARG, arg="padding")


def same_padding(k: int, d: int = 1) -> tuple[int, int]:
    """Padding (before, after) of ``padding="same"`` at stride 1: total ``d*(k-1)``,
    the extra cell of an odd total going after, as PyTorch does."""
    total = d * (k - 1)
    return total // 2, total - total // 2


def conv_out(n: int, k: int, s: int = 1, p: int | tuple[int, int] = 0, d: int = 1) -> int:
    """Output size of a convolution: ``floor((n + p_before + p_after - d*(k-1) - 1)/s) + 1``.

    ``p`` is the padding on each side, or a (before, after) pair for ``padding="same"``.
    """
    _check_sizes(n, k, s, d)
    before, after = (p, p) if isinstance(p, int) else p
    _check_padding(min(before, after))
    padded = n + before + after
    span = effective_kernel(k, d)
    if span > padded:
        key = "engine.kernel_too_big" if d == 1 else "engine.dilated_kernel_too_big"
        raise SpecError.of(key, k=k, d=d, span=span, padded=padded, n=n, p=before + after)
    return _side((padded - span) // s + 1)


def convt_out(n: int, k: int, s: int = 1, p: int = 0, op: int = 0, d: int = 1) -> int:
    """Output size of a transposed convolution: ``(n-1)*s - 2p + d*(k-1) + op + 1``.

    PyTorch requires ``op < max(s, d)``: output_padding only picks among the input sizes
    that the matching convolution maps onto the same output size.
    """
    _check_sizes(n, k, s, d)
    _check_padding(p)
    if op < 0:
        raise SpecError.of("engine.negative_output_padding", op=op)
    if op >= max(s, d):
        raise SpecError.of("engine.output_padding_too_big", op=op, s=s, d=d)
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise SpecError.of(
            "engine.convt_too_small", n=n, k=k, s=s, p=p, op=op, d=d, out=out
        )
    return _side(out)


def pool_out(
    n: int, k: int, s: int | None = None, p: int = 0, d: int = 1, ceil_mode: bool = False
) -> int:
    """Output size of max/avg pooling (stride defaults to the window ``k``).

    floor mode: ``floor((n + 2p - d*(k-1) - 1)/s) + 1``; ceil mode rounds up instead, then
    drops the last window if it would start in the right padding: ``(out-1)*s >= n + p``.
    PyTorch also requires ``p <= k // 2`` (padding at most half the window).
    """
    s = k if s is None else s
    _check_sizes(n, k, s, d)
    _check_padding(p)
    if p > k // 2:
        raise SpecError.of("engine.pool_padding_too_big", p=p, k=k, half=k // 2)
    num = n + 2 * p - effective_kernel(k, d)
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        raise SpecError.of(
            "engine.pool_too_small", n=n, p=p, span=effective_kernel(k, d), padded=n + 2 * p
        )
    return _side(out)


def adaptive_bins(n: int, out: int) -> list[tuple[int, int]]:
    """Input range ``[start, end)`` of each output cell of adaptive pooling:
    ``start = floor(i*n/out)``, ``end = ceil((i+1)*n/out)``."""
    _check_positive("input size", n)
    _check_positive("output size", out)
    return [((i * n) // out, -(-((i + 1) * n) // out)) for i in range(out)]


@dataclass(frozen=True)
class Tiling:
    """Whether the windows tile the padded input exactly along one axis.

    ``ratio = (n + p_total - d*(k-1) - 1) / s``; when it is not whole, PyTorch floors it and
    the last ``unread`` rows (or columns) of the padded input are never read.
    """

    n: int
    k: int
    s: int
    p_total: int
    d: int

    @property
    def numerator(self) -> int:
        return self.n + self.p_total - self.d * (self.k - 1) - 1

    @property
    def exact(self) -> bool:
        return self.numerator % self.s == 0

    @property
    def unread(self) -> int:
        """Cells at the end of the padded input that no window reaches."""
        return self.numerator % self.s

    def suggestions(self) -> tuple[list[int], list[int]]:
        """Nearest per-side paddings and strides (up to 2 each) that tile exactly."""
        paddings, strides = _suggestions(self.n, self.k, self.s, self.p_total, self.d)
        return list(paddings), list(strides)

    def note(self, axis: str | Note = "") -> Note | None:
        """The lecture's warning with the numbers, or None when the windows tile exactly.

        When the cells no window reaches are only zero padding, the note says so: nothing of
        the real input is lost (the usual case of a stride-2 3x3 convolution with padding 1
        on an even input, as in ResNet)."""
        if self.exact:
            return None
        paddings, strides = self.suggestions()
        # the skipped cells are all zero padding (after-side padding, the larger half of an odd
        # total as with padding="same"): every real input pixel is still read
        only_padding = self.unread <= self.p_total - self.p_total // 2
        return Note(
            "engine.tiling_padding_only" if only_padding else "engine.tiling",
            {
                "axis": axis,
                "n": self.n, "k": self.k, "s": self.s, "p": self.p_total, "d": self.d,
                "num": self.numerator,
                "ratio": Number(self.numerator / self.s + 1, 2),  # 2.67 / 2,67 at render time
                "floor": self.numerator // self.s + 1,
                "unread": self.unread,
                "paddings": Numbers(tuple(paddings)),
                "strides": Numbers(tuple(strides)),
            },
        )


@lru_cache(maxsize=1024)
def _suggestions(n: int, k: int, s: int, p_total: int, d: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """:meth:`Tiling.suggestions`, computed once per setting (networks repeat their layers;
    the divisor search is the costly part of a summary)."""
    base = n - d * (k - 1) - 1
    paddings = sorted(
        (p for p in range(0, p_total // 2 + s + 1) if base + 2 * p >= 0 and (base + 2 * p) % s == 0),
        key=lambda p: (abs(2 * p - p_total), p),
    )[:2]
    num = base + p_total
    divisors: set[int] = set()
    t = 1
    while t * t <= num:
        if num % t == 0:
            divisors.update((t, num // t))
        t += 1
    strides = sorted(divisors, key=lambda t: (abs(t - s), t))[:2]
    return tuple(sorted(paddings)), tuple(sorted(strides))


def conv_formula(n: int, k: int, s: int, p: int, d: int = 1) -> tuple[str, str]:
    """The convolution formula with the numbers filled in: (plain text, LaTeX).

    ``p`` is the total padding (both sides).
    """
    num = n + p - d * (k - 1) - 1
    out = num // s + 1
    plain = f"floor(({n} + {p} - {d}*({k}-1) - 1) / {s}) + 1 = floor({num}/{s}) + 1 = {out}"
    latex = (
        rf"\left\lfloor \frac{{{n} + {p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1"
        rf" = \left\lfloor \frac{{{num}}}{{{s}}} \right\rfloor + 1 = {out}"
    )
    return plain, latex


def convt_formula(n: int, k: int, s: int, p: int, op: int, d: int = 1) -> tuple[str, str]:
    """The transposed-convolution formula with the numbers filled in: (plain, LaTeX)."""
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    plain = f"({n}-1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1 = {out}"
    latex = rf"({n}-1)\cdot{s} - 2\cdot{p} + {d}\cdot({k}-1) + {op} + 1 = {out}"
    return plain, latex


def pool_formula(
    n: int, k: int, s: int, p: int, d: int = 1, ceil_mode: bool = False
) -> tuple[str, str]:
    """The pooling formula with the numbers filled in: (plain, LaTeX); ``p`` per side."""
    num = n + 2 * p - d * (k - 1) - 1
    out = pool_out(n, k, s, p, d, ceil_mode)
    rnd, lo, hi = ("ceil", r"\left\lceil", r"\right\rceil") if ceil_mode else (
        "floor", r"\left\lfloor", r"\right\rfloor")
    raw = math.ceil(num / s) + 1 if ceil_mode else num // s + 1
    tail = f" -> {out} (last window would start in the padding)" if raw != out else ""
    ltail = rf" \to {out}" if raw != out else ""
    plain = f"{rnd}(({n} + 2*{p} - {d}*({k}-1) - 1) / {s}) + 1 = {rnd}({num}/{s}) + 1 = {raw}{tail}"
    latex = (
        rf"{lo} \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}} {hi} + 1"
        rf" = {lo} \frac{{{num}}}{{{s}}} {hi} + 1 = {raw}{ltail}"
    )
    return plain, latex

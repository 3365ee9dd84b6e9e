"""Receptive fields: which input cells each output unit of a layer can depend on.

Per axis, on an infinite input grid (the input's borders and padding are ignored, as usual),
unit ``i`` of a layer depends on the input cells ``lo(i) ... hi(i)`` (inclusive; with dilation
there may be holes inside, this is the bounding interval). The textbook recurrences for a
window operation (convolution or pooling with kernel ``k``, stride ``s``, dilation ``d`` and
``p`` padding cells before the input) are::

    jump_out  = jump_in * s
    size_out  = size_in + d*(k-1) * jump_in
    start_out = start_in + (d*(k-1)/2 - p) * jump_in

where ``jump`` is the distance (in input cells) between the fields of neighbouring units and
``start`` is the centre of the field of unit 0, so unit ``i`` is centred at ``start + i*jump``.

We do not use these recurrences directly: we track ``lo(i)`` and ``hi(i)`` exactly, which is
needed for the transposed convolution. A transposed convolution (stride ``s``) is the direct
convolution of the input with ``s-1`` zeros inserted between its cells, so its output unit
``o`` reads input cell ``i`` through kernel tap ``u`` when ``o + p = i*s + u*d``. Only the
taps with ``o + p - u*d`` divisible by ``s`` exist: neighbouring output units read different
numbers of input cells (with ``k=4, s=2`` every unit reads 2 cells; with ``k=3, s=2`` units
alternate between 2 and 1; with ``d=2, s=2`` every other unit reads nothing at all). The
jump divides by ``s``. The fields are periodic: ``lo(i + P) = lo(i) + Q`` with a period of
``P`` units (1 for every network without transposed convolutions), so we store one period.

Reported per axis:

- ``size``: the largest field over the output units (``hi - lo + 1``). For networks without
  transposed convolutions every unit has the same field, so this is the textbook size.
- ``jump``: ``Q / P`` input cells per output unit (a fraction after a transposed convolution).
- ``start``: the centre of unit 0's field. When the fields differ between neighbouring units
  (only after a transposed convolution) it is the average of ``centre(i) - i*jump`` over the
  units of one period that read any input, so ``start + i*jump`` is the centre line the
  fields are spread around; :meth:`AxisField.bounds` gives the exact interval of any unit.

Branches: a ``Residual`` adds its body and its shortcut, so an output unit depends on the
union of both fields; for ``Concat`` a position's channels come from different branches and we
report the union too. Both are the largest of the paths whenever the paths' fields share a
centre (true for every preset: ResNet and GoogLeNet pad their branches to keep them aligned).
If the paths have different jumps there is no single periodic description and the field is
reported as unknown (``None``), as after ``Flatten``, ``Linear`` or global pooling.

A ``Scale`` block (squeeze-and-excitation) multiplies its input by channel weights computed
by its body, so an output unit depends on the union of the input's field and the body's, by
the same rule. The body of a squeeze-and-excitation block starts with global pooling: its
weights depend on the whole input, the union is the whole input, and the field is reported as
unknown (``None``) from that block on. A ``Side`` block (a side output) does not change the
main path's field; its own row shows the field of the side output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from math import gcd

from convviz.arithmetic.limits import RF_MAX_PERIOD, RF_WORK_BUDGET

Pair = tuple[int, int]  # (height, width) values of a 2-D layer

_EMPTY = (1, 0)  # lo > hi: a unit that reads no input cell (only the bias)


@dataclass
class WorkBudget:
    """Receptive-field cells still allowed (see :data:`~convviz.arithmetic.limits.RF_WORK_BUDGET`);
    ``refused`` counts the fields left unknown because they would have cost more."""

    left: int
    refused: int = 0

    def spend(self, cells: int, period: int) -> bool:
        """Take ``cells`` from the budget; False (nothing taken) when it is not enough or
        the period is longer than :data:`~convviz.arithmetic.limits.RF_MAX_PERIOD`."""
        if cells > self.left or period > RF_MAX_PERIOD:
            self.refused += 1
            return False
        self.left -= cells
        return True


_BUDGET: ContextVar[WorkBudget | None] = ContextVar("convviz_rf_budget", default=None)


@contextmanager
def work_budget(cells: int = RF_WORK_BUDGET) -> Iterator[WorkBudget]:
    """Share one budget between every field computed inside the ``with`` block (a summary
    uses one per network); outside such a block each layer has a budget of its own."""
    budget = WorkBudget(cells)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _spend(cells: int, period: int) -> bool:
    budget = _BUDGET.get()
    return (budget or WorkBudget(RF_WORK_BUDGET)).spend(cells, period)


def _number(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


@dataclass(frozen=True)
class AxisField:
    """Exact fields along one axis: unit ``i = q*period + r`` covers ``lo[r] + q*shift ...
    hi[r] + q*shift`` (inclusive; empty when lo > hi)."""

    period: int
    shift: int
    lo: tuple[int, ...]
    hi: tuple[int, ...]

    @staticmethod
    def identity() -> AxisField:
        """The network input: unit i is cell i."""
        return AxisField(1, 1, (0,), (0,))

    def bounds(self, i: int) -> tuple[int, int]:
        """(lo, hi) of unit ``i``; lo > hi when the unit reads no input."""
        q, r = divmod(i, self.period)
        lo, hi = self.lo[r], self.hi[r]
        if lo > hi:
            return _EMPTY
        return lo + q * self.shift, hi + q * self.shift

    @property
    def size(self) -> int:
        """Largest field over the units: ``max(hi - lo + 1)``."""
        return max(0, max(h - lo + 1 for lo, h in zip(self.lo, self.hi, strict=True)))

    @property
    def jump_fraction(self) -> Fraction:
        return Fraction(self.shift, self.period)

    @property
    def jump(self) -> int | float:
        """Input cells between the fields of neighbouring units."""
        return self.shift if self.period == 1 else _number(self.jump_fraction)

    @property
    def start(self) -> int | float:
        """Centre of unit 0's field (see the module docstring after transposed convs)."""
        if self.period == 1:
            total = self.lo[0] + self.hi[0]
            return total // 2 if total % 2 == 0 else total / 2
        # the mean over the non-empty units r of (lo + hi)/2 - r*shift/period, summed as
        # integers with one Fraction at the end (65,536 Fractions took 1.3 s per axis)
        rows = [(r, lo + hi) for r, (lo, hi) in enumerate(zip(self.lo, self.hi, strict=True)) if lo <= hi]
        ends, units = sum(t for _, t in rows), sum(r for r, _ in rows)
        return _number(Fraction(ends * self.period - 2 * units * self.shift, 2 * self.period * len(rows)))

    @property
    def empty(self) -> bool:
        return all(lo > hi for lo, hi in zip(self.lo, self.hi, strict=True))

    def _reach(self, first: int, step: int, count: int) -> tuple[int, int]:
        """(lo, hi) of the union of the fields of units ``first + u*step``, ``u = 0 ..
        count-1`` (``step >= 1``). Units ``T = period/gcd(period, step)`` apart have the
        same pattern shifted by a whole number of periods, i.e. further right; so the
        lowest ``lo`` is among the first ``T`` of them and the highest ``hi`` among the
        last ``T``: at most ``2*T`` units are read, whatever ``count`` is."""
        if count <= 0:
            return _EMPTY
        t = self.period // gcd(self.period, step)
        terms = range(count) if count <= 2 * t else chain(range(t), range(count - t, count))
        lo, hi = _EMPTY
        for u in terms:
            a, b = self.bounds(first + u * step)
            if a <= b:
                lo, hi = (a, b) if lo > hi else (min(lo, a), max(hi, b))
        return lo, hi

    def _gather(
        self, period: int, shift: int, reads: int, taps_of: Callable[[int], tuple[int, int, int]]
    ) -> AxisField | None:
        """The fields of ``period`` units; unit ``o`` reads the units ``taps_of(o) = (first,
        step, count)``. None (unknown) when the pattern is empty or the work (``reads``
        units per unit at most) is over the budget: nothing is enumerated then."""
        per_unit = 1 + 2 * min(reads, self.period)
        if not _spend(period * per_unit, period):
            return None
        los, his = [], []
        for o in range(period):
            lo, hi = self._reach(*taps_of(o))
            los.append(lo)
            his.append(hi)
        field = AxisField(period, shift, tuple(los), tuple(his))
        return None if field.empty else field

    def window(self, k: int, s: int, d: int = 1, p_before: int = 0) -> AxisField | None:
        """Convolution / pooling: unit ``o`` reads input units ``o*s - p_before + u*d``,
        ``u = 0 .. k-1``."""
        if self.period == 1:  # fields grow monotonically with i: first and last tap
            lo, hi, q = self.lo[0], self.hi[0], self.shift
            return AxisField(1, q * s, (lo - p_before * q,), (hi + (d * (k - 1) - p_before) * q,))
        period = self.period // gcd(self.period, s)
        shift = self.shift * (period * s // self.period)
        return self._gather(period, shift, k, lambda o: (o * s - p_before, d, k))

    def transposed(self, k: int, s: int, d: int = 1, p: int = 0) -> AxisField | None:
        """Transposed convolution: unit ``o`` reads input unit ``i`` through tap ``u`` when
        ``o + p - u*d == i*s`` (the direct convolution over the zero-inserted input).

        The taps of unit ``o`` solve ``u*d = o + p (mod s)``: with ``g = gcd(d, s)`` there
        are none unless ``g`` divides ``o + p``, else ``u = u0, u0 + s/g, ...`` (``u0`` from
        the inverse of ``d/g`` modulo ``s/g``), reading units ``d/g`` apart."""
        g = gcd(d, s)
        sg, dg = s // g, d // g
        inverse = pow(dg, -1, sg) if sg > 1 else 0

        def taps(o: int) -> tuple[int, int, int]:
            if (o + p) % g:
                return 0, 1, 0
            u0 = ((o + p) // g * inverse) % sg if sg > 1 else 0
            if u0 >= k:
                return 0, 1, 0
            count = (k - 1 - u0) // sg + 1
            last_u = u0 + (count - 1) * sg
            return (o + p - last_u * d) // s, dg, count

        return self._gather(self.period * s, self.shift, -(-k // sg), taps)

    def bins(self, n: int, out: int) -> AxisField | None:
        """Adaptive pooling from ``n`` to ``out`` cells: bin ``o`` reads units
        ``floor(o*n/out) ... ceil((o+1)*n/out) - 1``; the bins repeat every ``out/g`` units,
        moving ``n/g`` input units (``g = gcd(n, out)``)."""
        g = gcd(n, out)
        step_out, step_in = out // g, n // g
        m = self.period // gcd(self.period, step_in)
        period = step_out * m
        shift = self.shift * (step_in * m // self.period)

        def taps(o: int) -> tuple[int, int, int]:
            first = (o * n) // out
            return first, 1, -(-((o + 1) * n) // out) - first

        return self._gather(period, shift, -(-n // out) + 1, taps)

    def union(self, other: AxisField) -> AxisField | None:
        """Fields of a unit that depends on both paths; None when the jumps differ."""
        if self.period == 1 and other.period == 1:
            if self.shift != other.shift:
                return None
            return AxisField(1, self.shift, (min(self.lo[0], other.lo[0]),),
                             (max(self.hi[0], other.hi[0]),))
        if self.jump_fraction != other.jump_fraction:
            return None
        period = self.period * other.period // gcd(self.period, other.period)
        if not _spend(period, period):
            return None
        shift = self.shift * (period // self.period)
        los, his = [], []
        for o in range(period):
            a = self.bounds(o)
            b = other.bounds(o)
            parts = [x for x in (a, b) if x[0] <= x[1]]
            if parts:
                los.append(min(x[0] for x in parts))
                his.append(max(x[1] for x in parts))
            else:
                los.append(_EMPTY[0])
                his.append(_EMPTY[1])
        return AxisField(period, shift, tuple(los), tuple(his))


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of a layer's output units on the network input, per axis (h, w)."""

    h: AxisField
    w: AxisField

    @staticmethod
    def identity() -> ReceptiveField:
        return ReceptiveField(AxisField.identity(), AxisField.identity())

    @property
    def size(self) -> tuple[int, int]:
        return self.h.size, self.w.size

    @property
    def jump(self) -> tuple[int | float, int | float]:
        return self.h.jump, self.w.jump

    @property
    def start(self) -> tuple[int | float, int | float]:
        return self.h.start, self.w.start

    def bounds(self, i: int, j: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """Exact ((top, bottom), (left, right)) input cells of output unit (i, j)."""
        return self.h.bounds(i), self.w.bounds(j)

    def to_dict(self) -> dict[str, list[int | float]]:
        return {"size": list(self.size), "jump": list(self.jump), "start": list(self.start)}

    @staticmethod
    def combine(a: ReceptiveField | None, b: ReceptiveField | None) -> ReceptiveField | None:
        """Union of two paths' fields (None if either is unknown or the jumps differ)."""
        if a is None or b is None:
            return None
        h, w = a.h.union(b.h), a.w.union(b.w)
        return None if h is None or w is None else ReceptiveField(h, w)


def _per_axis(
    field: ReceptiveField | None, step: Callable[..., AxisField | None], k: Pair, s: Pair, d: Pair, p: Pair
) -> ReceptiveField | None:
    """Apply the per-axis ``step`` (an :class:`AxisField` method) with the height values to
    the rows and the width values to the columns."""
    if field is None:
        return None
    h = step(field.h, k[0], s[0], d[0], p[0])
    w = step(field.w, k[1], s[1], d[1], p[1])
    return None if h is None or w is None else ReceptiveField(h, w)


def window2d(field: ReceptiveField | None, k: Pair, s: Pair, d: Pair, p_before: Pair) -> ReceptiveField | None:
    """Field after a convolution or pooling layer (per axis)."""
    if k == (1, 1) and s == (1, 1) and p_before == (0, 0):
        return field  # a 1x1 window at stride 1 maps each unit to itself (fields are immutable)
    return _per_axis(field, AxisField.window, k, s, d, p_before)


def transposed2d(field: ReceptiveField | None, k: Pair, s: Pair, d: Pair, p: Pair) -> ReceptiveField | None:
    """Field after a transposed convolution (per axis)."""
    return _per_axis(field, AxisField.transposed, k, s, d, p)


def adaptive2d(
    field: ReceptiveField | None, n: tuple[int, int], out: tuple[int, int]
) -> ReceptiveField | None:
    """Field after adaptive pooling. An axis pooled to one cell from more (global pooling)
    makes the field unknown: every unit then sees the whole input."""
    if field is None:
        return None
    axes = []
    for axis, ni, oi in ((field.h, n[0], out[0]), (field.w, n[1], out[1])):
        if oi == ni:
            axes.append(axis)
        elif oi == 1:
            return None
        else:
            new = axis.bins(ni, oi)
            if new is None:
                return None
            axes.append(new)
    return ReceptiveField(axes[0], axes[1])

"""Step-by-step animation data for convolution, transposed convolution and pooling.

Pure numpy, no plotting: the figure builder (:mod:`convviz.figures.animation`) and the GIF
writer (:mod:`convviz.animation.gif`) both render what this module computes.

Style (conv_arithmetic, ezyang's visualizer): one configuration table
(:class:`AnimConfig`) drives every animation, and one precomputed index map
(:class:`IndexMap`) drives the frames and the highlighting alike.

Per axis (notation of Dumoulin & Visin: ``n`` input, ``k`` kernel, ``s`` stride, ``p``
padding, ``d`` dilation, ``op`` output_padding):

- convolution / pooling ("direct" view): window ``o`` reads padded cells
  ``o*s + d*u`` for taps ``u = 0..k-1``; ``out = floor((n + p_b + p_a - d*(k-1) - 1)/s) + 1``
  (pooling in ceil mode may add one last window that overhangs the padded input).
- transposed convolution, scatter view: input cell ``i`` adds ``x[i] * w[u]`` to canvas
  cell ``i*s + d*u``; the canvas has ``(n-1)*s + d*(k-1) + 1 + op`` cells and ``p`` are
  cropped on each side, so ``out = (n-1)*s - 2p + d*(k-1) + op + 1``.
- transposed convolution, direct view: the same output as a stride-1 convolution of the
  kernel rotated 180 degrees over the input with ``s-1`` zeros inserted between cells and
  ``d*(k-1) - p`` zeros of padding on each side (``k-p-1`` when ``d = 1``), plus ``op``
  more at the bottom/right. A negative padding crops the stretched input instead.

A 2-D step is the product of the two axes. Correlation (what PyTorch's ``conv2d`` does)
versus true convolution: true convolution applies the kernel rotated 180 degrees.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from convviz.arithmetic import conv_out, convt_out, effective_kernel, pool_out
from convviz.errors import SpecError
from convviz.i18n import translate

OPS = ("conv", "convt", "maxpool", "avgpool")
VIEWS = ("direct", "scatter")

# size cap of the animation (the arithmetic works for any size)
MAX_INPUT = 16
MAX_KERNEL = 7
MAX_GRID = 40  # cells per side of any drawn grid (padded/stretched input, canvas)
MAX_STEPS = 400

# kinds of drawn input-side cells
INPUT, PAD, ZERO, OVER = 0, 1, 2, 3

LECTURE_INPUT = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
LECTURE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
LECTURE_OUTPUT = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


# --------------------------------------------------------------------------- config table
@dataclass(frozen=True)
class AnimConfig:
    """The configuration table of one animation (both axes, PyTorch's parameters).

    ``pad`` is (top, bottom, left, right); transposed convolution and pooling use the same
    padding on both sides. ``flip`` asks for true convolution (kernel rotated 180 degrees,
    convolution only); ``view`` picks the transposed convolution's picture.
    """

    op: str
    h: int
    w: int
    kh: int
    kw: int
    sh: int = 1
    sw: int = 1
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)
    dh: int = 1
    dw: int = 1
    oph: int = 0
    opw: int = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    flip: bool = False
    view: str = "direct"

    @property
    def is_pool(self) -> bool:
        return self.op in ("maxpool", "avgpool")

    @property
    def scatter(self) -> bool:
        return self.op == "convt" and self.view == "scatter"

    def axis(self, which: int) -> _AxisSpec:
        if which == 0:
            return _AxisSpec(self.h, self.kh, self.sh, self.pad[0], self.pad[1], self.dh, self.oph)
        return _AxisSpec(self.w, self.kw, self.sw, self.pad[2], self.pad[3], self.dw, self.opw)

    def out_shape(self) -> tuple[int, int]:
        """Output size from :mod:`convviz.arithmetic` (raises SpecError when impossible)."""
        sizes = []
        for ax in (self.axis(0), self.axis(1)):
            if self.op == "conv":
                sizes.append(conv_out(ax.n, ax.k, ax.s, (ax.pb, ax.pa), ax.d))
            elif self.op == "convt":
                sizes.append(convt_out(ax.n, ax.k, ax.s, ax.pb, ax.op, ax.d))
            else:
                sizes.append(pool_out(ax.n, ax.k, ax.s, ax.pb, ax.d, self.ceil_mode))
        return sizes[0], sizes[1]


@dataclass(frozen=True)
class _AxisSpec:
    n: int
    k: int
    s: int
    pb: int
    pa: int
    d: int
    op: int


def _int(settings: dict, key: str, default: int) -> int:
    value = settings.get(key, default)
    if value is None:
        value = default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SpecError.of("anim.bad_setting", name=key, value=value) from exc


def config_from_settings(
    op: str, settings: dict, *, flip: bool = False, view: str = "direct"
) -> AnimConfig:
    """The configuration table from the Layer-arithmetic page's settings dict.

    Keys: h, w, kh, kw, sh, sw, ph, pw (or pad_top/pad_bottom/pad_left/pad_right for
    padding="same"), dh, dw, oph, opw, ceil_mode, count_include_pad.
    """
    if op not in OPS:
        raise SpecError.of("anim.bad_op", op=op, ops=", ".join(OPS))
    if view not in VIEWS:
        raise SpecError.of("anim.bad_view", view=view)
    ph, pw = _int(settings, "ph", 0), _int(settings, "pw", 0)
    if op == "conv":
        pad = (
            _int(settings, "pad_top", ph), _int(settings, "pad_bottom", ph),
            _int(settings, "pad_left", pw), _int(settings, "pad_right", pw),
        )
    else:
        pad = (ph, ph, pw, pw)
    kh, kw = _int(settings, "kh", 3), _int(settings, "kw", 3)
    pool = op in ("maxpool", "avgpool")
    return AnimConfig(
        op=op, h=_int(settings, "h", 5), w=_int(settings, "w", 5), kh=kh, kw=kw,
        sh=_int(settings, "sh", kh if pool else 1), sw=_int(settings, "sw", kw if pool else 1),
        pad=pad,
        dh=1 if op == "avgpool" else _int(settings, "dh", 1),
        dw=1 if op == "avgpool" else _int(settings, "dw", 1),
        oph=_int(settings, "oph", 0) if op == "convt" else 0,
        opw=_int(settings, "opw", 0) if op == "convt" else 0,
        ceil_mode=bool(settings.get("ceil_mode", False)) and pool,
        count_include_pad=bool(settings.get("count_include_pad", True)),
        flip=bool(flip) and op == "conv",
        view=view if op == "convt" else "direct",
    )


# --------------------------------------------------------------------------- per-axis layout
@dataclass(frozen=True)
class AxisLayout:
    """One axis of the drawing and of the index map.

    ``kinds``/``source`` describe the input-side cells drawn (padded input, stretched input
    or plain input for the scatter view); ``starts`` are the window starts (direct view);
    ``canvas``/``crop`` the scatter canvas and how many cells are cropped before it.
    """

    kinds: tuple[int, ...]
    source: tuple[int, ...]  # input index of each drawn cell, -1 for padding / zeros
    starts: tuple[int, ...]  # direct view: first cell of each window
    d: int
    k: int
    out: int
    pad_shown: int  # padding before the input in the drawing (negative: cropped)
    canvas: int = 0  # scatter: full canvas length
    crop: int = 0  # scatter: cells cropped at the start (and at the end, minus op)


def _axis_layout(cfg: AnimConfig, ax: _AxisSpec, out: int) -> AxisLayout:
    span = effective_kernel(ax.k, ax.d)
    if cfg.op == "convt" and cfg.view == "scatter":
        canvas = (ax.n - 1) * ax.s + span + ax.op
        return AxisLayout(
            kinds=(INPUT,) * ax.n, source=tuple(range(ax.n)), starts=(), d=ax.d, k=ax.k,
            out=out, pad_shown=0, canvas=canvas, crop=ax.pb,
        )
    if cfg.op == "convt":
        stretched = (ax.n - 1) * ax.s + 1
        before = ax.d * (ax.k - 1) - ax.pb
        after = ax.d * (ax.k - 1) - ax.pb + ax.op
        kinds, source = [], []
        for t in range(-before, stretched + after):
            if t < 0 or t >= stretched:
                kinds.append(PAD)
                source.append(-1)
            elif t % ax.s:
                kinds.append(ZERO)
                source.append(-1)
            else:
                kinds.append(INPUT)
                source.append(t // ax.s)
        starts = tuple(range(len(kinds) - span + 1))
        return AxisLayout(tuple(kinds), tuple(source), starts, ax.d, ax.k, out, before)
    kinds = [PAD] * ax.pb + [INPUT] * ax.n + [PAD] * ax.pa
    source = [-1] * ax.pb + list(range(ax.n)) + [-1] * ax.pa
    starts = tuple(o * ax.s for o in range(out))
    overhang = max(0, starts[-1] + span - len(kinds)) if starts else 0
    kinds += [OVER] * overhang
    source += [-1] * overhang
    return AxisLayout(tuple(kinds), tuple(source), starts, ax.d, ax.k, out, ax.pb)


# --------------------------------------------------------------------------- index map
@dataclass(frozen=True)
class IndexMap:
    """For every step source, the cells it touches and the kernel tap of each.

    Direct view: sources are output cells ``(a, b)``; ``targets[a, b, u, v]`` is the drawn
    input-side cell ``(r, c)`` that tap ``(u, v)`` reads. Scatter view: sources are input
    cells ``(i, j)``; ``targets[i, j, u, v]`` is the canvas cell it writes.
    ``inverse[(r, c)]`` lists the sources that touch cell ``(r, c)``.
    """

    targets: np.ndarray  # int, shape (src_h, src_w, kh, kw, 2)
    inverse: dict[tuple[int, int], tuple[tuple[int, int], ...]]


def _index_map(rows: AxisLayout, cols: AxisLayout, scatter: bool, src_h: int, src_w: int,
               s: tuple[int, int]) -> IndexMap:
    kh, kw = rows.k, cols.k
    u = np.arange(kh)
    v = np.arange(kw)
    if scatter:
        r = np.arange(src_h)[:, None] * s[0] + u[None, :] * rows.d  # (src_h, kh)
        c = np.arange(src_w)[:, None] * s[1] + v[None, :] * cols.d
    else:
        r = np.asarray(rows.starts)[:, None] + u[None, :] * rows.d
        c = np.asarray(cols.starts)[:, None] + v[None, :] * cols.d
    targets = np.empty((src_h, src_w, kh, kw, 2), dtype=int)
    targets[..., 0] = r[:, None, :, None]
    targets[..., 1] = c[None, :, None, :]
    inverse: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a in range(src_h):
        for b in range(src_w):
            for cell in {(int(x), int(y)) for x, y in targets[a, b].reshape(-1, 2)}:
                inverse.setdefault(cell, []).append((a, b))
    return IndexMap(targets, {key: tuple(val) for key, val in inverse.items()})


# --------------------------------------------------------------------------- steps
@dataclass(frozen=True)
class Step:
    """One frame: which cell is computed (direct) or stamped (scatter), from what.

    ``cells`` are the drawn input-side cells of the window (direct) or the canvas cells
    written (scatter), one per kernel tap in ``taps``; ``values`` the input values read
    (the stamping value repeated in the scatter view); ``weights`` the kernel weights
    used (empty for pooling); ``products`` value*weight. ``result`` is the sum, max or
    average (direct view). Max pooling names its ``winner`` cell, average pooling its
    ``divisor``; pooling ``used`` marks the taps that take part.
    """

    index: int
    source: tuple[int, int]  # output cell (direct) or input cell (scatter)
    cells: tuple[tuple[int, int], ...]
    taps: tuple[tuple[int, int], ...]
    values: tuple[float, ...]
    weights: tuple[float, ...]
    products: tuple[float, ...]
    result: float
    used: tuple[bool, ...] = ()
    winner: tuple[int, int] | None = None
    divisor: int | None = None


def fmt(x: float) -> str:
    """A number as a student writes it: ``4``, ``-1``, ``0.33``, ``-inf``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Animation:
    """Everything needed to draw and explain one animation.

    ``grid`` holds the values of the drawn input side (padded / stretched input; the plain
    input in the scatter view), ``kinds`` its cell kinds (INPUT, PAD, ZERO, OVER).
    ``kernel`` is the kernel as applied (rotated for true convolution and for the
    transposed convolution's direct view); ``user_kernel`` the one the user gave.
    ``output`` is the final result; in the scatter view ``canvas`` is the full canvas
    before cropping and ``crop`` = (top, left) how many cells the output drops.
    """

    config: AnimConfig
    x: np.ndarray
    user_kernel: np.ndarray
    kernel: np.ndarray
    grid: np.ndarray
    kinds: np.ndarray
    source_rows: tuple[int, ...]
    source_cols: tuple[int, ...]
    rows: AxisLayout
    cols: AxisLayout
    index_map: IndexMap
    steps: tuple[Step, ...]
    output: np.ndarray
    canvas: np.ndarray | None = None
    crop: tuple[int, int] = (0, 0)

    @property
    def n_steps(self) -> int:
        return len(self.steps)

    @property
    def out_side_shape(self) -> tuple[int, int]:
        """Shape of the drawn output side: the full canvas (scatter) or the output."""
        if self.canvas is not None:
            return self.canvas.shape
        return self.output.shape

    @cached_property
    def partials(self) -> np.ndarray:
        """Output side after each step (``n_steps`` x out-side shape); NaN = not yet computed.

        Direct view: the cells computed so far. Scatter view: the running sums on the canvas
        (cells never written yet are NaN).
        """
        shape = self.out_side_shape
        states = np.full((self.n_steps, *shape), np.nan)
        current = np.full(shape, np.nan)
        for t, step in enumerate(self.steps):
            if self.canvas is None:
                current[step.source] = step.result
            else:
                for (r, c), p in zip(step.cells, step.products, strict=True):
                    current[r, c] = (0.0 if math.isnan(current[r, c]) else current[r, c]) + p
            states[t] = current
        return states

    def output_cells_for_input(self, r: int, c: int) -> list[tuple[int, int]]:
        """Pick an input-side cell (padding too): the out-side cells that read it
        (direct) or that it writes (scatter)."""
        if self.canvas is None:
            return list(self.index_map.inverse.get((r, c), ()))
        return sorted({(int(a), int(b)) for a, b in self.index_map.targets[r, c].reshape(-1, 2)})

    def input_cells_for_output(self, a: int, b: int) -> list[tuple[int, int]]:
        """Pick an out-side cell: the input-side cells of its window (direct) or the input
        cells whose stamps reach it (scatter)."""
        if self.canvas is None:
            return sorted({(int(r), int(c)) for r, c in self.index_map.targets[a, b].reshape(-1, 2)})
        return list(self.index_map.inverse.get((a, b), ()))

    def step_of_output(self, a: int, b: int) -> int | None:
        """The step that computes output cell (a, b) (direct view)."""
        if self.canvas is not None:
            return None
        return a * self.output.shape[1] + b

    def step_text(self, t: int, lang: str = "en", times: str = "×") -> str:
        """The step's computation in words: ``1×1 + 1×0 + ... = 4``.

        ``times`` is the multiplication sign (``"*"`` gives a plain ASCII form).
        """
        step = self.steps[t]
        op = self.config.op
        a, b = step.source
        if self.canvas is not None:
            terms = ", ".join(
                f"{fmt(x)}{times}{fmt(w)}={fmt(p)}"
                for x, w, p in zip(step.values, step.weights, step.products, strict=True)
            )
            return translate("anim.text_stamp", lang, i=a, j=b, x=fmt(step.values[0]), terms=terms,
                             times=times)
        if op in ("conv", "convt"):
            terms = " + ".join(
                f"{fmt(x)}{times}{fmt(w)}" for x, w in zip(step.values, step.weights, strict=True)
            )
            body = f"{terms} = {fmt(step.result)}"
        elif op == "maxpool":
            vals = ", ".join(fmt(x) for x, u in zip(step.values, step.used, strict=True) if u)
            body = f"max({vals}) = {fmt(step.result)}"
        else:
            vals = " + ".join(fmt(x) for x, u in zip(step.values, step.used, strict=True) if u)
            body = f"({vals}) / {step.divisor} = {fmt(step.result)}"
        return translate("anim.text_step", lang, a=a, b=b, body=body)


def check_cap(cfg: AnimConfig) -> None:
    """The animation's size cap (16x16 input, 7x7 kernel): SpecError with the catalog message."""
    if max(cfg.h, cfg.w) > MAX_INPUT or max(cfg.kh, cfg.kw) > MAX_KERNEL:
        raise SpecError.of(
            "anim.too_big", h=cfg.h, w=cfg.w, kh=cfg.kh, kw=cfg.kw,
            max_in=MAX_INPUT, max_k=MAX_KERNEL,
        )


def _check_drawing(rows: AxisLayout, cols: AxisLayout, n_steps: int, out_shape: tuple[int, int]) -> None:
    side = max(len(rows.kinds), len(cols.kinds), rows.canvas, cols.canvas, *out_shape)
    if side > MAX_GRID or n_steps > MAX_STEPS:
        raise SpecError.of("anim.too_many_cells", side=side, steps=n_steps,
                           max_side=MAX_GRID, max_steps=MAX_STEPS)


def build_animation(cfg: AnimConfig, x: np.ndarray, kernel: np.ndarray | None = None) -> Animation:
    """All frames of the animation of ``cfg`` on input ``x`` with ``kernel``.

    Raises SpecError (catalog-backed) for impossible settings, the size cap, or values whose
    shape does not match the settings.
    """
    check_cap(cfg)
    out_h, out_w = cfg.out_shape()
    x = np.asarray(x, dtype=float)
    if x.shape != (cfg.h, cfg.w):
        raise SpecError.of("anim.shape_mismatch", what="input", got="x".join(map(str, x.shape)),
                           want=f"{cfg.h}x{cfg.w}")
    if cfg.is_pool:
        user_kernel = np.ones((cfg.kh, cfg.kw))
    else:
        user_kernel = np.asarray(kernel, dtype=float)
        if user_kernel.shape != (cfg.kh, cfg.kw):
            raise SpecError.of("anim.shape_mismatch", what="kernel",
                               got="x".join(map(str, user_kernel.shape)), want=f"{cfg.kh}x{cfg.kw}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(user_kernel))):
        raise SpecError.of("anim.not_finite")
    rows = _axis_layout(cfg, cfg.axis(0), out_h)
    cols = _axis_layout(cfg, cfg.axis(1), out_w)
    scatter = cfg.scatter
    n_steps = cfg.h * cfg.w if scatter else out_h * out_w
    _check_drawing(rows, cols, n_steps, (out_h, out_w))

    applied = user_kernel
    if cfg.flip or (cfg.op == "convt" and not scatter):
        applied = user_kernel[::-1, ::-1].copy()

    # a cell is real input only when both axes are; otherwise OVER > PAD > ZERO
    rk, ck = np.asarray(rows.kinds)[:, None], np.asarray(cols.kinds)[None, :]
    kinds = np.where((rk == OVER) | (ck == OVER), OVER,
                     np.where((rk == PAD) | (ck == PAD), PAD,
                              np.where((rk == ZERO) | (ck == ZERO), ZERO, INPUT)))
    src_r, src_c = np.asarray(rows.source), np.asarray(cols.source)
    grid = np.zeros(kinds.shape)
    real = kinds == INPUT
    grid[real] = x[np.broadcast_to(src_r[:, None], kinds.shape)[real],
                   np.broadcast_to(src_c[None, :], kinds.shape)[real]]
    if cfg.op == "maxpool":
        grid[kinds == PAD] = -np.inf
    grid[kinds == OVER] = np.nan

    src_h, src_w = (cfg.h, cfg.w) if scatter else (out_h, out_w)
    imap = _index_map(rows, cols, scatter, src_h, src_w, (cfg.sh, cfg.sw))
    taps = tuple((u, v) for u in range(cfg.kh) for v in range(cfg.kw))
    weights = tuple(float(applied[u, v]) for u, v in taps)
    steps: list[Step] = []
    canvas = None
    crop = (0, 0)
    if scatter:
        canvas = np.zeros((rows.canvas, cols.canvas))
        crop = (rows.crop, cols.crop)
        for i in range(cfg.h):
            for j in range(cfg.w):
                cells = tuple((int(r), int(c)) for r, c in imap.targets[i, j].reshape(-1, 2))
                value = float(x[i, j])
                products = tuple(value * w for w in weights)
                for (r, c), p in zip(cells, products, strict=True):
                    canvas[r, c] += p
                steps.append(Step(len(steps), (i, j), cells, taps, (value,) * len(taps),
                                  weights, products, value))
        output = canvas[crop[0]: crop[0] + out_h, crop[1]: crop[1] + out_w].copy()
    else:
        output = np.zeros((out_h, out_w))
        for a in range(out_h):
            for b in range(out_w):
                cells = tuple((int(r), int(c)) for r, c in imap.targets[a, b].reshape(-1, 2))
                values = tuple(float(grid[r, c]) for r, c in cells)
                cell_kinds = [int(kinds[r, c]) for r, c in cells]
                if cfg.op in ("conv", "convt"):
                    products = tuple(v * w for v, w in zip(values, weights, strict=True))
                    result = float(sum(products))
                    step = Step(len(steps), (a, b), cells, taps, values, weights, products, result)
                elif cfg.op == "maxpool":
                    used = tuple(k == INPUT for k in cell_kinds)
                    result, winner = -math.inf, None
                    for cell, v, u in zip(cells, values, used, strict=True):
                        if u and v > result:  # first maximum in reading order, as PyTorch
                            result, winner = v, cell
                    step = Step(len(steps), (a, b), cells, taps, values, (), (), result,
                                used, winner=winner)
                else:
                    counted = (INPUT, PAD) if cfg.count_include_pad else (INPUT,)
                    used = tuple(k in counted for k in cell_kinds)
                    divisor = sum(used)
                    total = sum(v for v, k in zip(values, cell_kinds, strict=True) if k == INPUT)
                    result = total / divisor if divisor else math.nan
                    step = Step(len(steps), (a, b), cells, taps, values, (), (), result,
                                used, divisor=divisor)
                output[a, b] = step.result
                steps.append(step)
    return Animation(
        config=cfg, x=x, user_kernel=user_kernel, kernel=applied, grid=grid, kinds=kinds,
        source_rows=rows.source, source_cols=cols.source, rows=rows, cols=cols,
        index_map=imap, steps=tuple(steps), output=output, canvas=canvas, crop=crop,
    )


# --------------------------------------------------------------------------- values
def lecture_values(h: int, w: int, kh: int, kw: int) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's 5x5 binary image and 3x3 kernel, repeated or cut to the sizes asked."""
    img = np.asarray(LECTURE_INPUT, dtype=float)
    ker = np.asarray(LECTURE_KERNEL, dtype=float)
    tile = np.tile(img, (-(-h // 5), -(-w // 5)))[:h, :w]
    ktile = np.tile(ker, (-(-kh // 3), -(-kw // 3)))[:kh, :kw]
    return tile, ktile


def random_values(h: int, w: int, kh: int, kw: int, seed: int = 0,
                  op: str = "conv") -> tuple[np.ndarray, np.ndarray]:
    """Seeded small integers: input 0..3 (0..9 for pooling), kernel -1..2 (not symmetric
    when it can help it, so correlation and true convolution differ)."""
    rng = np.random.default_rng(seed)
    hi = 10 if op in ("maxpool", "avgpool") else 4
    x = rng.integers(0, hi, size=(h, w)).astype(float)
    k = rng.integers(-1, 3, size=(kh, kw)).astype(float)
    if kh * kw > 1 and np.array_equal(k, k[::-1, ::-1]):
        k[0, 0] += 1
    return x, k


_SPLIT = re.compile(r"[,\s;]+")


def parse_matrix(text: str, what: str = "input") -> np.ndarray:
    """A matrix from text: one row per line (or rows separated by ``;``), numbers separated
    by spaces or commas; or JSON ``[[...], ...]``."""
    text = (text or "").strip()
    if not text:
        raise SpecError.of("anim.empty_matrix", what=what)
    if text.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError.of("anim.bad_json", what=what, error=exc.msg) from exc
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [data]
    else:
        lines = [ln for ln in re.split(r"[\n;]+", text) if ln.strip()]
        rows = [[tok for tok in _SPLIT.split(ln.strip()) if tok] for ln in lines]
    out: list[list[float]] = []
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            raise SpecError.of("anim.ragged", what=what)
        vals = []
        for tok in row:
            try:
                val = float(tok)
            except (TypeError, ValueError) as exc:
                raise SpecError.of("anim.bad_number", what=what, row=r + 1, token=str(tok)) from exc
            if not math.isfinite(val):
                raise SpecError.of("anim.bad_number", what=what, row=r + 1, token=str(tok))
            vals.append(val)
        out.append(vals)
    if len({len(row) for row in out}) != 1 or not out[0]:
        raise SpecError.of("anim.ragged", what=what)
    return np.asarray(out, dtype=float)


def parse_values_file(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Input and kernel from a file's text: JSON ``{"input": [[...]], "kernel": [[...]]}``,
    or two matrices (text/CSV) separated by a blank line (the kernel may be left out for
    pooling)."""
    stripped = (text or "").strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise SpecError.of("anim.bad_json", what="file", error=exc.msg) from exc
        if not isinstance(data, dict) or "input" not in data:
            raise SpecError.of("anim.file_keys")
        x = parse_matrix(json.dumps(data["input"]), "input")
        k = parse_matrix(json.dumps(data["kernel"]), "kernel") if data.get("kernel") else None
        return x, k
    blocks = [b for b in re.split(r"\n\s*\n", stripped.replace("\r\n", "\n")) if b.strip()]
    if not blocks or len(blocks) > 2:
        raise SpecError.of("anim.file_blocks", n=len(blocks))
    x = parse_matrix(blocks[0], "input")
    k = parse_matrix(blocks[1], "kernel") if len(blocks) == 2 else None
    return x, k


def matrix_text(m: np.ndarray) -> str:
    """A matrix as editable text (one row per line)."""
    return "\n".join(" ".join(fmt(v) for v in row) for row in np.asarray(m))


# --------------------------------------------------------------------------- gallery
@dataclass(frozen=True)
class GalleryCase:
    """A classic case (conv_arithmetic's names); square sizes, both axes the same."""

    key: str
    op: str
    i: int
    k: int
    s: int = 1
    p: int = 0
    d: int = 1
    op_pad: int = 0
    pad_mode: str = "number"
    ceil: bool = False

    def settings(self) -> dict:
        """The settings dict of :func:`config_from_settings`."""
        pads = (self.p, self.p)
        if self.pad_mode == "same":
            total = self.d * (self.k - 1)
            pads = (total // 2, total - total // 2)
        return {
            "h": self.i, "w": self.i, "kh": self.k, "kw": self.k, "sh": self.s, "sw": self.s,
            "ph": pads[0], "pw": pads[0], "pad_top": pads[0], "pad_bottom": pads[1],
            "pad_left": pads[0], "pad_right": pads[1], "dh": self.d, "dw": self.d,
            "oph": self.op_pad, "opw": self.op_pad, "ceil_mode": self.ceil,
            "count_include_pad": True,
        }


GALLERY: tuple[GalleryCase, ...] = (
    GalleryCase("lecture", "conv", 5, 3),
    GalleryCase("no_padding_no_strides", "conv", 4, 3),
    GalleryCase("arbitrary_padding", "conv", 5, 4, p=2),
    GalleryCase("same_padding", "conv", 5, 3, p=1, pad_mode="same"),
    GalleryCase("full_padding", "conv", 5, 3, p=2),
    GalleryCase("no_padding_strides", "conv", 5, 3, s=2),
    GalleryCase("padding_strides", "conv", 5, 3, s=2, p=1),
    GalleryCase("padding_strides_odd", "conv", 6, 3, s=2, p=1),
    GalleryCase("dilation", "conv", 7, 3, d=2),
    GalleryCase("no_padding_no_strides_t", "convt", 2, 3),
    GalleryCase("arbitrary_padding_t", "convt", 6, 4, p=2),
    GalleryCase("same_padding_t", "convt", 5, 3, p=1),
    GalleryCase("full_padding_t", "convt", 7, 3, p=2),
    GalleryCase("no_padding_strides_t", "convt", 2, 3, s=2),
    GalleryCase("padding_strides_t", "convt", 3, 3, s=2, p=1),
    GalleryCase("padding_strides_odd_t", "convt", 3, 3, s=2, p=1, op_pad=1),
    GalleryCase("dilation_t", "convt", 3, 3, d=2),
    GalleryCase("max_pool", "maxpool", 4, 2, s=2),
    GalleryCase("avg_pool_ceil", "avgpool", 5, 2, s=2, ceil=True),
)


def gallery_case(key: str) -> GalleryCase:
    for case in GALLERY:
        if case.key == key:
            return case
    raise KeyError(key)


def apply_gallery_case(case: GalleryCase | str) -> dict:
    """The Layer-arithmetic page's widget keys and values for a gallery case."""
    if isinstance(case, str):
        case = gallery_case(case)
    return {
        "arith_op": case.op, "arith_h": case.i, "arith_w": case.i, "arith_kh": case.k,
        "arith_kw": case.k, "arith_sh": case.s, "arith_sw": case.s, "arith_ph": case.p,
        "arith_pw": case.p, "arith_dh": case.d, "arith_dw": case.d, "arith_oph": case.op_pad,
        "arith_opw": case.op_pad, "arith_ceil": case.ceil, "arith_cip": True,
        "arith_pad_mode": case.pad_mode,
    }


# --------------------------------------------------------------------------- scene geometry
@dataclass(frozen=True)
class Scene:
    """Where the figure and the GIF draw each panel, in cell units (x right, y down).

    Panels: the input side (padded / stretched input), the kernel (drawn at its dilated
    span, gaps visible) and the output side (output, or the scatter canvas), left to right,
    tops aligned, with a ``gap`` of cells between them. ``labels`` name each panel.
    """

    in_origin: tuple[float, float]
    in_shape: tuple[int, int]
    k_origin: tuple[float, float]
    k_span: tuple[int, int]
    out_origin: tuple[float, float]
    out_shape: tuple[int, int]
    width: float
    height: float
    labels: dict[str, str]


def _pad_label(pads: tuple[int, int, int, int]) -> str:
    t, b, left, r = pads
    if t == b == left == r:
        return str(t)
    if t == b and left == r:
        return f"{t}x{left}"
    return f"({t},{b})x({left},{r})"


def _pair(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}x{b}"


def scene(anim: Animation, lang: str = "en", gap: float = 2.0, *, stacked: bool = False,
          vgap: tuple[float, float] = (1.5, 1.5)) -> Scene:
    """Panel positions (in cells) and the labels ("input 7x7 · padding 1 · stride 2", ...).

    Side by side (input, kernel, output from left to right, ``gap`` cells apart), or
    ``stacked`` for narrow screens: input on top, then the kernel ``vgap[0]`` cells lower,
    then the output ``vgap[1]`` cells below the kernel (room for their labels).
    """
    cfg = anim.config
    gh, gw = anim.kinds.shape
    kspan = (effective_kernel(cfg.kh, cfg.dh), effective_kernel(cfg.kw, cfg.dw))
    oh, ow = anim.out_side_shape
    k_x = gw + gap
    out_x = k_x + kspan[1] + gap
    sep = " · "
    parts = [translate("anim.label_input", lang, h=cfg.h, w=cfg.w)]
    if cfg.op == "convt" and not cfg.scatter:
        z = (_pair(cfg.sh - 1, cfg.sw - 1))
        if cfg.sh > 1 or cfg.sw > 1:
            parts.append(translate("anim.label_zeros", lang, z=z))
        pb = (anim.rows.pad_shown, anim.cols.pad_shown)
        if min(pb) < 0:
            parts.append(translate("anim.label_cropped", lang, p=_pair(-pb[0], -pb[1])))
        else:
            parts.append(translate("anim.label_padding", lang, p=_pair(*pb)))
        parts.append(translate("anim.label_stride", lang, s=1))
    elif cfg.scatter:
        parts.append(translate("anim.label_stride", lang, s=_pair(cfg.sh, cfg.sw)))
    else:
        if any(cfg.pad):
            parts.append(translate("anim.label_padding", lang, p=_pad_label(cfg.pad)))
        parts.append(translate("anim.label_stride", lang, s=_pair(cfg.sh, cfg.sw)))
        if cfg.ceil_mode and (anim.kinds == OVER).any():
            parts.append(translate("anim.label_ceil", lang))
    kkey = "anim.label_window" if cfg.is_pool else (
        "anim.label_kernel_rot" if cfg.flip or (cfg.op == "convt" and not cfg.scatter)
        else "anim.label_kernel")
    kparts = [translate(kkey, lang, h=cfg.kh, w=cfg.kw)]
    if cfg.dh > 1 or cfg.dw > 1:
        kparts.append(translate("anim.label_dilation", lang, d=_pair(cfg.dh, cfg.dw)))
    out_h, out_w = anim.output.shape
    oparts = [translate("anim.label_output", lang, h=out_h, w=out_w)]
    if cfg.scatter and (cfg.pad[0] or cfg.pad[2]):
        oparts.append(translate("anim.label_canvas", lang, h=oh, w=ow,
                                p=_pair(cfg.pad[0], cfg.pad[2])))
    if cfg.op == "convt" and (cfg.oph or cfg.opw):
        oparts.append(translate("anim.label_output_padding", lang, op=_pair(cfg.oph, cfg.opw)))
    labels = {"input": sep.join(parts), "kernel": sep.join(kparts), "output": sep.join(oparts)}
    if stacked:
        k_y = gh + vgap[0]
        out_y = k_y + kspan[0] + vgap[1]
        return Scene(
            in_origin=(0.0, 0.0), in_shape=(gh, gw), k_origin=(0.0, k_y), k_span=kspan,
            out_origin=(0.0, out_y), out_shape=(oh, ow), width=float(max(gw, kspan[1], ow)),
            height=out_y + oh, labels=labels,
        )
    return Scene(
        in_origin=(0.0, 0.0), in_shape=(gh, gw), k_origin=(k_x, 0.0), k_span=kspan,
        out_origin=(out_x, 0.0), out_shape=(oh, ow), width=out_x + ow,
        height=float(max(gh, oh, kspan[0])), labels=labels,
    )

"""Step-by-step animation data for convolution, transposed convolution and pooling.

Pure numpy, no plotting: the figure builder (:mod:`convviz.figures.animation`) and the GIF
writer (:mod:`convviz.animation.gif`) both render what this module computes.

Style (conv_arithmetic, ezyang's visualizer): one layer
(:class:`convviz.arithmetic.layer_calc.LayerSettings`, the same the Layer-arithmetic page and
the CLI use) drives every animation, and one precomputed index map (:class:`IndexMap`)
drives the frames and the highlighting alike.

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

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from convviz.arithmetic import effective_kernel
from convviz.arithmetic.layer_calc import OP_TYPES, Axis, LayerSettings
from convviz.errors import SpecError
from convviz.i18n import LIST_SEPARATORS, NUMBER_SEPARATORS, translate

OPS = tuple(OP_TYPES)
VIEWS = ("direct", "scatter")

# size cap of the animation (the arithmetic works for any size)
MAX_INPUT = 16
MAX_KERNEL = 7
MAX_GRID = 40  # cells per side of any drawn grid (padded/stretched input, canvas)
MAX_STEPS = 400

# kinds of drawn input-side cells
INPUT, PAD, ZERO, OVER = 0, 1, 2, 3


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



def _axis_layout(op: str, scatter: bool, ax: Axis, out: int) -> AxisLayout:
    span = effective_kernel(ax.k, ax.d)
    if scatter:
        canvas = (ax.n - 1) * ax.s + span + ax.op
        return AxisLayout(
            kinds=(INPUT,) * ax.n, source=tuple(range(ax.n)), starts=(), d=ax.d, k=ax.k,
            out=out, pad_shown=0, canvas=canvas, crop=ax.before,
        )
    if op == "convt":
        stretched = (ax.n - 1) * ax.s + 1
        before = ax.d * (ax.k - 1) - ax.before
        after = ax.d * (ax.k - 1) - ax.before + ax.op
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
    kinds = [PAD] * ax.before + [INPUT] * ax.n + [PAD] * ax.after
    source = [-1] * ax.before + list(range(ax.n)) + [-1] * ax.after
    starts = tuple(o * ax.s for o in range(out))
    overhang = max(0, starts[-1] + span - len(kinds)) if starts else 0
    kinds += [OVER] * overhang
    source += [-1] * overhang
    return AxisLayout(tuple(kinds), tuple(source), starts, ax.d, ax.k, out, ax.before)


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


def fmt(x: float, lang: str = "en") -> str:
    """A number as a student writes it in ``lang``: ``4``, ``-1``, ``0.33`` (``0,33`` in
    Spanish), ``-inf``; no thousands separator (a matrix cell stays one token)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", NUMBER_SEPARATORS.get(lang, NUMBER_SEPARATORS["en"])[1])


@dataclass(frozen=True)
class Animation:
    """Everything needed to draw and explain one animation.

    ``grid`` holds the values of the drawn input side (padded / stretched input; the plain
    input in the scatter view), ``kinds`` its cell kinds (INPUT, PAD, ZERO, OVER).
    ``kernel`` is the kernel as applied (rotated for true convolution and for the
    transposed convolution's direct view); ``user_kernel`` the one the user gave.
    ``output`` is the final result; in the scatter view ``canvas`` is the full canvas
    before cropping and ``crop`` = (top, left) how many cells the output drops.
    ``flip`` is true convolution (convolution only); ``view`` the transposed convolution's
    picture ("scatter" or "direct"; always "direct" for the other operations).
    """

    layer: LayerSettings
    flip: bool
    view: str
    x: np.ndarray
    user_kernel: np.ndarray
    kernel: np.ndarray
    grid: np.ndarray
    kinds: np.ndarray
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
    def op(self) -> str:
        return self.layer.op

    @property
    def is_pool(self) -> bool:
        return self.layer.is_pool

    @property
    def scatter(self) -> bool:
        """The transposed convolution's scatter view (each input cell stamps the kernel)."""
        return self.canvas is not None

    @cached_property
    def axes(self) -> tuple[Axis, Axis]:
        """The layer's (height, width) axes, padding resolved (see :class:`Axis`)."""
        return self.layer.axes()

    @property
    def pad(self) -> tuple[int, int, int, int]:
        """Padding (top, bottom, left, right)."""
        rows, cols = self.axes
        return rows.before, rows.after, cols.before, cols.after

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
        op = self.op
        a, b = step.source
        sep = LIST_SEPARATORS.get(lang, LIST_SEPARATORS["en"])

        def f(x: float) -> str:
            return fmt(x, lang)
        if self.canvas is not None:
            terms = sep.join(
                f"{f(x)}{times}{f(w)}={f(p)}"
                for x, w, p in zip(step.values, step.weights, step.products, strict=True)
            )
            return translate("anim.text_stamp", lang, i=a, j=b, x=f(step.values[0]), terms=terms,
                             times=times)
        if op in ("conv", "convt"):
            terms = " + ".join(
                f"{f(x)}{times}{f(w)}" for x, w in zip(step.values, step.weights, strict=True)
            )
            body = f"{terms} = {f(step.result)}"
        elif op == "maxpool":
            vals = sep.join(f(x) for x, u in zip(step.values, step.used, strict=True) if u)
            body = f"max({vals}) = {f(step.result)}"
        else:
            vals = " + ".join(f(x) for x, u in zip(step.values, step.used, strict=True) if u)
            body = f"({vals}) / {step.divisor} = {f(step.result)}"
        return translate("anim.text_step", lang, a=a, b=b, body=body)


def _check_ints(layer: LayerSettings) -> None:
    """Sizes must be whole numbers (a page or script may hand anything to the engine)."""
    fields = {"h": layer.h, "w": layer.w, "kernel": layer.kernel, "stride": layer.stride,
              "dilation": layer.dilation, "output_padding": layer.output_padding}
    if not isinstance(layer.padding, str):
        fields["padding"] = layer.padding
    for name, value in fields.items():
        parts = value if isinstance(value, (tuple, list)) else (value,)
        if len(parts) not in (1, 2) or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in parts):
            raise SpecError.of("anim.bad_setting", name=name, value=value)


def check_layer(layer: LayerSettings) -> tuple[int, int]:
    """The output size of ``layer`` if it can be animated: SpecError (catalog message) for an
    unknown operation, sizes that are not whole numbers, impossible settings or the
    animation's size cap (16x16 input, 7x7 kernel)."""
    if layer.op not in OPS:
        raise SpecError.of("anim.bad_op", op=layer.op, ops=", ".join(OPS))
    _check_ints(layer)
    (kh, kw), (h, w) = layer.kernel, (layer.h, layer.w)
    if max(h, w) > MAX_INPUT or max(kh, kw) > MAX_KERNEL:
        raise SpecError.of("anim.too_big", h=h, w=w, kh=kh, kw=kw, max_in=MAX_INPUT, max_k=MAX_KERNEL)
    return layer.output_size()


def _check_drawing(rows: AxisLayout, cols: AxisLayout, n_steps: int, out_shape: tuple[int, int]) -> None:
    side = max(len(rows.kinds), len(cols.kinds), rows.canvas, cols.canvas, *out_shape)
    if side > MAX_GRID or n_steps > MAX_STEPS:
        raise SpecError.of("anim.too_many_cells", side=side, steps=n_steps,
                           max_side=MAX_GRID, max_steps=MAX_STEPS)


def _checked_values(layer: LayerSettings, x: np.ndarray, kernel: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The input and the kernel as float arrays of the layer's sizes (all ones for pooling)."""
    x = np.asarray(x, dtype=float)
    if x.shape != (layer.h, layer.w):
        raise SpecError.of("anim.shape_mismatch", what="input", got="x".join(map(str, x.shape)),
                           want=f"{layer.h}x{layer.w}")
    if layer.is_pool:
        user_kernel = np.ones(layer.kernel)
    else:
        user_kernel = np.asarray(kernel, dtype=float)
        if user_kernel.shape != tuple(layer.kernel):
            raise SpecError.of("anim.shape_mismatch", what="kernel",
                               got="x".join(map(str, user_kernel.shape)),
                               want=f"{layer.kernel[0]}x{layer.kernel[1]}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(user_kernel))):
        raise SpecError.of("anim.not_finite")
    return x, user_kernel


def _input_side(op: str, rows: AxisLayout, cols: AxisLayout, x: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Kinds and values of the drawn input side. A cell is real input only when both axes
    are; otherwise OVER > PAD > ZERO. Max pooling pads with -inf; the overhang is NaN."""
    rk, ck = np.asarray(rows.kinds)[:, None], np.asarray(cols.kinds)[None, :]
    kinds = np.where((rk == OVER) | (ck == OVER), OVER,
                     np.where((rk == PAD) | (ck == PAD), PAD,
                              np.where((rk == ZERO) | (ck == ZERO), ZERO, INPUT)))
    src_r, src_c = np.asarray(rows.source), np.asarray(cols.source)
    grid = np.zeros(kinds.shape)
    real = kinds == INPUT
    grid[real] = x[np.broadcast_to(src_r[:, None], kinds.shape)[real],
                   np.broadcast_to(src_c[None, :], kinds.shape)[real]]
    if op == "maxpool":
        grid[kinds == PAD] = -np.inf
    grid[kinds == OVER] = np.nan
    return kinds, grid


def _scatter_steps(x: np.ndarray, imap: IndexMap, taps: tuple, weights: tuple[float, ...],
                   canvas: np.ndarray) -> list[Step]:
    """Transposed convolution, scatter view: input cell (i, j) adds x[i, j] * w to the
    canvas cells it reaches (``canvas`` is filled in place)."""
    steps: list[Step] = []
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            cells = tuple((int(r), int(c)) for r, c in imap.targets[i, j].reshape(-1, 2))
            value = float(x[i, j])
            products = tuple(value * w for w in weights)
            for (r, c), p in zip(cells, products, strict=True):
                canvas[r, c] += p
            steps.append(Step(len(steps), (i, j), cells, taps, (value,) * len(taps),
                              weights, products, value))
    return steps


def _window_step(index: int, source: tuple[int, int], cells: tuple, taps: tuple,
                 values: tuple[float, ...], cell_kinds: list[int], weights: tuple[float, ...],
                 op: str, count_include_pad: bool) -> Step:
    """One output cell of the direct view: the sum of products, the max or the average."""
    if op in ("conv", "convt"):
        products = tuple(v * w for v, w in zip(values, weights, strict=True))
        return Step(index, source, cells, taps, values, weights, products, float(sum(products)))
    if op == "maxpool":
        used = tuple(k == INPUT for k in cell_kinds)
        result, winner = -math.inf, None
        for cell, v, u in zip(cells, values, used, strict=True):
            if u and v > result:  # first maximum in reading order, as PyTorch
                result, winner = v, cell
        return Step(index, source, cells, taps, values, (), (), result, used, winner=winner)
    counted = (INPUT, PAD) if count_include_pad else (INPUT,)
    used = tuple(k in counted for k in cell_kinds)
    divisor = sum(used)
    total = sum(v for v, k in zip(values, cell_kinds, strict=True) if k == INPUT)
    result = total / divisor if divisor else math.nan
    return Step(index, source, cells, taps, values, (), (), result, used, divisor=divisor)


def _direct_steps(layer: LayerSettings, grid: np.ndarray, kinds: np.ndarray, imap: IndexMap,
                  taps: tuple, weights: tuple[float, ...], output: np.ndarray) -> list[Step]:
    """Direct view: one step per output cell, reading its window (``output`` is filled)."""
    steps: list[Step] = []
    for a in range(output.shape[0]):
        for b in range(output.shape[1]):
            cells = tuple((int(r), int(c)) for r, c in imap.targets[a, b].reshape(-1, 2))
            step = _window_step(len(steps), (a, b), cells, taps,
                                tuple(float(grid[r, c]) for r, c in cells),
                                [int(kinds[r, c]) for r, c in cells], weights, layer.op,
                                layer.count_include_pad)
            output[a, b] = step.result
            steps.append(step)
    return steps


def build_animation(layer: LayerSettings, x: np.ndarray, kernel: np.ndarray | None = None, *,
                    flip: bool = False, view: str = "direct") -> Animation:
    """All frames of the animation of ``layer`` on input ``x`` with ``kernel``.

    ``flip`` asks for true convolution (kernel rotated 180 degrees; convolution only),
    ``view`` for the transposed convolution's picture (ignored by the other operations).
    Raises SpecError (catalog-backed) for impossible settings, the size cap, or values whose
    shape does not match the settings.
    """
    if view not in VIEWS:
        raise SpecError.of("anim.bad_view", view=view)
    out_h, out_w = check_layer(layer)
    flip, view = bool(flip) and layer.op == "conv", view if layer.op == "convt" else "direct"
    scatter = view == "scatter"
    x, user_kernel = _checked_values(layer, x, kernel)
    ax_h, ax_w = layer.axes()
    rows = _axis_layout(layer.op, scatter, ax_h, out_h)
    cols = _axis_layout(layer.op, scatter, ax_w, out_w)
    _check_drawing(rows, cols, layer.h * layer.w if scatter else out_h * out_w, (out_h, out_w))
    applied = user_kernel[::-1, ::-1].copy() if flip or (layer.op == "convt" and not scatter) else user_kernel
    kinds, grid = _input_side(layer.op, rows, cols, x)
    src_h, src_w = (layer.h, layer.w) if scatter else (out_h, out_w)
    imap = _index_map(rows, cols, scatter, src_h, src_w, (ax_h.s, ax_w.s))
    taps = tuple((u, v) for u in range(ax_h.k) for v in range(ax_w.k))
    weights = tuple(float(applied[u, v]) for u, v in taps)
    canvas, crop = None, (0, 0)
    if scatter:
        canvas = np.zeros((rows.canvas, cols.canvas))
        crop = (rows.crop, cols.crop)
        steps = _scatter_steps(x, imap, taps, weights, canvas)
        output = canvas[crop[0]: crop[0] + out_h, crop[1]: crop[1] + out_w].copy()
    else:
        output = np.zeros((out_h, out_w))
        steps = _direct_steps(layer, grid, kinds, imap, taps, weights, output)
    return Animation(
        layer=layer, flip=flip, view=view, x=x, user_kernel=user_kernel, kernel=applied,
        grid=grid, kinds=kinds, rows=rows, cols=cols, index_map=imap, steps=tuple(steps),
        output=output, canvas=canvas, crop=crop,
    )

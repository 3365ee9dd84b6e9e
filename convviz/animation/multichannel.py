"""Step-by-step multi-channel convolution: up to 3 input channels and a few filters.

Each filter ``f`` has one kernel slice per input channel. Output unit ``(f, i, j)`` is::

    out[f, i, j] = b[f] + sum_c s_c,   s_c = sum_{u,v} w[f, c, u, v] * xpad[c, i*s + u, j*s + v]

so one step of the animation shows every channel's window, its sum of products ``s_c`` and
how the channel sums and the bias add up to ONE output value. Steps run filter by filter,
row by row. Pure numpy (data) plus a Pillow GIF writer; the plotly figure is
:func:`convviz.figures.multichannel.multichannel_figure`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from convviz.arithmetic.sizes import conv_out
from convviz.errors import SpecError
from convviz.i18n import fmt_number, translate

MAX_CHANNELS = 3
MAX_FILTERS = 4
MAX_SIDE = 9
MAX_KERNEL = 5


@dataclass(frozen=True)
class MultiStep:
    """One output value: filter ``f`` at output cell ``(i, j)``; its window starts at padded
    input cell ``(r0, c0)``."""

    f: int
    i: int
    j: int
    r0: int
    c0: int
    channel_sums: tuple[float, ...]
    bias: float
    value: float


@dataclass
class MultiChannelAnimation:
    x: np.ndarray  # (Cin, H, W)
    weights: np.ndarray  # (F, Cin, k, k)
    bias: np.ndarray  # (F,)
    stride: int
    padding: int
    output: np.ndarray  # (F, Ho, Wo)
    steps: list[MultiStep]

    @property
    def padded(self) -> np.ndarray:
        p = self.padding
        return np.pad(self.x, ((0, 0), (p, p), (p, p))) if p else self.x

    def step_text(self, t: int, lang: str = "en") -> str:
        """``map 1 (0, 2) = ch0 1.5 + ch1 −2 + ch2 0 + bias 1 = 0.5`` in ``lang``."""
        st = self.steps[t]
        parts = " + ".join(translate("explain.mc_channel", lang, c=c, s=_n(s, lang))
                           for c, s in enumerate(st.channel_sums))
        return translate("explain.mc_step", lang, f=st.f, i=st.i, j=st.j, parts=parts, b=_n(st.bias, lang),
                         v=_n(st.value, lang))


def _n(v: float, lang: str) -> str:
    v = float(v)
    return fmt_number(int(v), lang) if v == int(v) else fmt_number(v, lang, spec=".3g")


def build_multichannel(x: np.ndarray, weights: np.ndarray, bias: np.ndarray | None = None,
                       stride: int = 1, padding: int = 0) -> MultiChannelAnimation:
    """Every step of the convolution of ``x`` (Cin, H, W) with ``weights`` (F, Cin, k, k).

    Raises SpecError (a ValueError) beyond the animation's caps or when the kernel does not fit.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if x.ndim != 3 or w.ndim != 4 or w.shape[1] != x.shape[0] or w.shape[2] != w.shape[3]:
        raise SpecError(f"input (Cin, H, W) {x.shape} and filters (F, Cin, k, k) {w.shape} do not match")
    cin, h, wd = x.shape
    f_n, _, k, _ = w.shape
    if cin > MAX_CHANNELS or f_n > MAX_FILTERS or max(h, wd) > MAX_SIDE or k > MAX_KERNEL:
        raise SpecError.of("explain.mc_cap", c=MAX_CHANNELS, f=MAX_FILTERS, n=MAX_SIDE, k=MAX_KERNEL)
    if stride < 1 or padding < 0:
        raise SpecError("stride must be >= 1 and padding >= 0")
    b = np.zeros(f_n) if bias is None else np.asarray(bias, dtype=np.float64)
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    if k > min(h, wd) + 2 * padding:
        raise SpecError.of("explain.mc_too_small", k=k, h=h + 2 * padding, w=wd + 2 * padding)
    ho, wo = conv_out(h, k, stride, padding), conv_out(wd, k, stride, padding)
    out = np.zeros((f_n, ho, wo))
    steps = []
    for f in range(f_n):
        for i in range(ho):
            for j in range(wo):
                r0, c0 = i * stride, j * stride
                win = xp[:, r0 : r0 + k, c0 : c0 + k]
                sums = tuple(float((win[c] * w[f, c]).sum()) for c in range(cin))
                out[f, i, j] = sum(sums) + b[f]
                steps.append(MultiStep(f, i, j, r0, c0, sums, float(b[f]), float(out[f, i, j])))
    return MultiChannelAnimation(x, w, b, stride, padding, out, steps)


def example_values(cin: int, h: int, w: int, filters: int, k: int, seed: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Small integers that are easy to add by hand: inputs 0..3, weights -1..1, biases 0..1."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 4, (cin, h, w)).astype(float), rng.integers(-1, 2, (filters, cin, k, k)).astype(float),
            rng.integers(0, 2, filters).astype(float))


# ------------------------------------------------------------------ GIF


PALETTE = [(255, 255, 255), (17, 24, 39), (75, 85, 99), (219, 234, 254), (254, 215, 170), (220, 252, 231),
           (194, 65, 12), (21, 128, 61), (30, 58, 138), (20, 83, 45)]
WHITE, TEXT, LINE, INPUT, KERNEL, OUTPUT, WINDOW, CELL, IN_LABEL, OUT_LABEL = range(len(PALETTE))


def _grid(d: object, x0: int, y0: int, values: np.ndarray, fill: int, cell: int, font: object, lang: str) -> None:
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            box = (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
            d.rectangle(box, fill=fill, outline=LINE)
            if np.isfinite(values[r, c]):
                d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), _n(values[r, c], lang), fill=TEXT,
                       font=font, anchor="mm")


def render_frames(anim: MultiChannelAnimation, lang: str = "en", cell: int = 34) -> list:
    """One palette image per step: the padded input channels with the window, the filter's
    kernel slices, the output maps with the current cell, and the step's sum in words.
    The input is drawn once; each frame only redraws what changes."""
    from PIL import Image, ImageDraw

    from convviz.animation.gif import _font

    xp = anim.padded
    cin, hp, wp = xp.shape
    f_n, _, k, _ = anim.weights.shape
    _, ho, wo = anim.output.shape
    font, small = _font(max(11, cell // 3)), _font(13)
    gap = cell
    width = max(cin * (wp * cell + gap), f_n * (wo * cell + gap), cin * (k * cell + gap)) + gap
    y_k = gap + hp * cell + gap
    y_o = y_k + k * cell + gap
    height = y_o + ho * cell + 2 * gap
    base = Image.new("P", (width, height), WHITE)
    base.putpalette([v for rgb in PALETTE for v in rgb])
    d = ImageDraw.Draw(base)
    for c in range(cin):
        _grid(d, gap + c * (wp * cell + gap), gap, xp[c], INPUT, cell, font, lang)
    kernels = {}
    shown = np.full(anim.output.shape, np.nan)
    frames = []
    for t, st in enumerate(anim.steps):
        if st.f not in kernels:
            kernels[st.f] = base.copy()
            dk = ImageDraw.Draw(kernels[st.f])
            for c in range(cin):
                _grid(dk, gap + c * (k * cell + gap), y_k, anim.weights[st.f, c], KERNEL, cell, font, lang)
        shown[st.f, st.i, st.j] = st.value
        img = kernels[st.f].copy()
        d = ImageDraw.Draw(img)
        for c in range(cin):
            x0 = gap + c * (wp * cell + gap)
            d.text((x0, gap - 4), f"ch {c}: Σ = {_n(st.channel_sums[c], lang)}", fill=IN_LABEL, font=small, anchor="ld")
            d.rectangle((x0 + st.c0 * cell, gap + st.r0 * cell, x0 + (st.c0 + k) * cell, gap + (st.r0 + k) * cell),
                        outline=WINDOW, width=4)
        for f in range(f_n):
            x0 = gap + f * (wo * cell + gap)
            d.text((x0, y_o - 4), f"{f}", fill=OUT_LABEL, font=small, anchor="ld")
            _grid(d, x0, y_o, shown[f], OUTPUT, cell, font, lang)
            if f == st.f:
                d.rectangle((x0 + st.j * cell, y_o + st.i * cell, x0 + (st.j + 1) * cell, y_o + (st.i + 1) * cell),
                            outline=CELL, width=4)
        d.text((gap, height - gap), anim.step_text(t, lang), fill=TEXT, font=small, anchor="ls")
        frames.append(img)
    return frames
def write_multichannel_gif(anim: MultiChannelAnimation, lang: str = "en", frame_ms: int = 700) -> bytes:
    """The animation as a looping GIF."""
    frames = render_frames(anim, lang)
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0)
    return buf.getvalue()

"""Animated GIF of an animation (Pillow): the same frame data the plotly figure draws.

Looping, labelled ("input 7x7 · padding 1 · stride 2", "kernel 3x3", "output 4x4", the
step's computation in words), sized for slides (960 pixels wide by default) and drawn on
a fixed small palette, so no per-frame colour quantization is needed: the static picture
is drawn once, each frame only adds the window, the current cell(s) and the numbers.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from convviz.animation.frames import INPUT, OVER, PAD, ZERO, Animation, fmt
from convviz.animation.scene import Scene, scene, wrap_label
from convviz.i18n import translate

# a fixed palette (RGB): index -> colour; text antialiasing uses the greys
PALETTE: list[tuple[int, int, int]] = [
    (255, 255, 255),  # 0 background / padding
    (17, 24, 39),  # 1 text
    (75, 85, 99),  # 2 grid lines
    (158, 202, 225),  # 3 input
    (238, 238, 238),  # 4 inserted zeros
    (253, 174, 107),  # 5 kernel
    (255, 245, 235),  # 6 kernel gaps
    (199, 233, 192),  # 7 output
    (247, 247, 247),  # 8 cropped canvas
    (255, 160, 80),  # 9 window fill
    (194, 65, 12),  # 10 window outline
    (35, 139, 69),  # 11 current output cell
    (20, 83, 45),  # 12 current outline
    (185, 28, 28),  # 13 winner
    (30, 58, 138),  # 14 input label
    (154, 52, 18),  # 15 kernel label / weights
    (160, 160, 160),  # 16 grey
    (210, 210, 210),  # 17 light grey
    (120, 120, 120),  # 18 mid grey
]
C = {name: i for i, name in enumerate(
    ["bg", "text", "line", "input", "zero", "kernel", "gap", "output", "cropped", "window",
     "window_line", "current", "current_line", "winner", "in_label", "k_label", "grey",
     "light", "mid"])}

_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
MARGIN = 20  # pixels around the picture


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _palette_image() -> Image.Image:
    pal = Image.new("P", (1, 1))
    flat = [v for rgb in PALETTE for v in rgb]
    pal.putpalette(flat + [0] * (768 - len(flat)))
    return pal


def _rgb(name: str) -> tuple[int, int, int]:
    return PALETTE[C[name]]


def _dashed_rect(draw: ImageDraw.ImageDraw, box, color, dash: int = 4) -> None:
    x0, y0, x1, y1 = box
    for x in range(int(x0), int(x1), dash * 2):
        draw.line([(x, y0), (min(x + dash, x1), y0)], fill=color)
        draw.line([(x, y1), (min(x + dash, x1), y1)], fill=color)
    for y in range(int(y0), int(y1), dash * 2):
        draw.line([(x0, y), (x0, min(y + dash, y1))], fill=color)
        draw.line([(x1, y), (x1, min(y + dash, y1))], fill=color)


def _hidden_value(anim: Animation, kind: int) -> bool:
    """Cells whose number is not written: the ceil-mode overhang and max pooling's -inf pads."""
    return kind == OVER or (kind == PAD and anim.op == "maxpool")


@dataclass(frozen=True)
class _Page:
    """The pixel geometry of one GIF: cell size, fonts, where the panels and the text go."""

    sc: Scene
    width: int
    cell: int
    top: int
    grid_bottom: int
    height: int
    in_lines: list[str]
    out_lines: list[str]
    line_h: int
    wrap_at: int
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    label_font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    eq_font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    lang: str = "en"

    def box(self, origin: tuple[float, float], r: int, c: int, inset: int = 0) -> tuple[float, ...]:
        x0 = MARGIN + (origin[0] + c) * self.cell
        y0 = self.top + (origin[1] + r) * self.cell
        return (x0 + inset, y0 + inset, x0 + self.cell - inset, y0 + self.cell - inset)

    def center(self, origin: tuple[float, float], r: int, c: int) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box(origin, r, c)
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    @property
    def eq_top(self) -> int:
        """Where the step's computation starts (under the kernel's label)."""
        return self.grid_bottom + self.label_font.size + 18


def _page(anim: Animation, lang: str, width: int) -> _Page:
    sc = scene(anim, lang)
    cell = int(max(14, min(56, (width - 2 * MARGIN) / sc.width)))
    label_font = _font(max(13, min(20, int(cell * 0.4))))
    eq_font = _font(max(13, min(20, int(width / 60))))
    wrap_at = max(40, int((width - 2 * MARGIN) / (eq_font.size * 0.55)))
    longest = max(len(anim.step_text(t, lang)) for t in range(anim.n_steps)) + 12
    line_h = int(label_font.size * 1.3)
    in_room, out_room = (sc.k_origin[0] - 0.5) * cell, width - 2 * MARGIN - sc.out_origin[0] * cell
    in_lines = wrap_label(sc.labels["input"], lambda line: label_font.getlength(line) <= in_room)
    out_lines = wrap_label(sc.labels["output"], lambda line: label_font.getlength(line) <= out_room)
    top = MARGIN + max(len(in_lines), len(out_lines)) * line_h + 8
    grid_bottom = top + int(sc.height * cell)
    eq_lines = -(-longest // wrap_at)
    height = grid_bottom + label_font.size + 18 + eq_lines * int(eq_font.size * 1.35) + MARGIN
    return _Page(sc, width, cell, top, grid_bottom, height, in_lines, out_lines, line_h, wrap_at,
                 _font(int(cell * 0.42)), _font(max(9, int(cell * 0.26))), label_font, eq_font, lang)


def _draw_input_side(draw: ImageDraw.ImageDraw, anim: Animation, g: _Page) -> None:
    fill = {INPUT: "input", PAD: "bg", ZERO: "zero", OVER: "bg"}
    gh, gw = g.sc.in_shape
    for r in range(gh):
        for c in range(gw):
            k = int(anim.kinds[r, c])
            b = g.box(g.sc.in_origin, r, c)
            draw.rectangle(b, fill=_rgb(fill[k]))
            if k == INPUT:
                draw.rectangle(b, outline=_rgb("line"))
            else:
                _dashed_rect(draw, b, _rgb("mid"), dash=3 if k == OVER else 5)
            if not _hidden_value(anim, k):
                draw.text(g.center(g.sc.in_origin, r, c), fmt(anim.grid[r, c], g.lang), font=g.font,
                          fill=_rgb("text"), anchor="mm")


def _draw_kernel(draw: ImageDraw.ImageDraw, anim: Animation, g: _Page) -> None:
    rows, cols = anim.axes
    taps = {(u * rows.d, v * cols.d): (u, v) for u in range(rows.k) for v in range(cols.k)}
    for r in range(g.sc.k_span[0]):
        for c in range(g.sc.k_span[1]):
            b = g.box(g.sc.k_origin, r, c)
            if (r, c) in taps:
                draw.rectangle(b, fill=_rgb("kernel"), outline=_rgb("line"))
                if not anim.is_pool:
                    u, v = taps[(r, c)]
                    draw.text(g.center(g.sc.k_origin, r, c), fmt(anim.kernel[u, v], g.lang), font=g.font,
                              fill=_rgb("text"), anchor="mm")
            else:
                draw.rectangle(b, fill=_rgb("gap"))
                _dashed_rect(draw, b, _rgb("grey"), dash=2)


def _draw_out_cell(draw: ImageDraw.ImageDraw, anim: Animation, g: _Page, r: int, c: int,
                   value: float | None = None) -> None:
    """An out-side cell: output green, the scatter canvas's cropped border dashed grey."""
    b = g.box(g.sc.out_origin, r, c)
    (t0, l0), (out_h, out_w) = anim.crop, anim.output.shape
    if t0 <= r < t0 + out_h and l0 <= c < l0 + out_w:
        draw.rectangle(b, fill=_rgb("output"), outline=_rgb("line"))
    else:
        draw.rectangle(b, fill=_rgb("cropped"))
        _dashed_rect(draw, b, _rgb("mid"))
    if value is not None:
        draw.text(g.center(g.sc.out_origin, r, c), fmt(value, g.lang), font=g.font, fill=_rgb("text"),
                  anchor="mm")


def _draw_static(anim: Animation, g: _Page) -> Image.Image:
    """Everything that does not change from frame to frame: the panels and their labels."""
    base = Image.new("RGB", (g.width, g.height), _rgb("bg"))
    draw = ImageDraw.Draw(base)
    _draw_input_side(draw, anim, g)
    _draw_kernel(draw, anim, g)
    for r in range(g.sc.out_shape[0]):
        for c in range(g.sc.out_shape[1]):
            _draw_out_cell(draw, anim, g, r, c)
    for lines, x, color in ((g.in_lines, g.sc.in_origin[0], "in_label"),
                            (g.out_lines, g.sc.out_origin[0], "current_line")):
        for i, line in enumerate(reversed(lines)):
            draw.text((MARGIN + x * g.cell, g.top - 8 - i * g.line_h), line, font=g.label_font,
                      fill=_rgb(color), anchor="ls")
    draw.text((MARGIN + g.sc.k_origin[0] * g.cell, g.top + g.sc.k_span[0] * g.cell + 6),
              g.sc.labels["kernel"], font=g.label_font, fill=_rgb("k_label"), anchor="la")
    return base


def _step_cells(anim: Animation, t: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(input-side cells lit as the window, out-side cells lit as current) of step ``t``."""
    step = anim.steps[t]
    if anim.scatter:
        return [step.source], sorted(set(step.cells))
    return list(step.cells), [step.source]


def _draw_step(img: Image.Image, anim: Animation, g: _Page, t: int, text: str) -> None:
    """The highlights of step ``t`` on a copy of the state: window, weights, current cells,
    the max-pooling winner and the computation in words."""
    step, part = anim.steps[t], anim.partials[t]
    window, current = _step_cells(anim, t)
    d = ImageDraw.Draw(img)
    for r, c in window:
        d.rectangle(g.box(g.sc.in_origin, r, c, inset=2), fill=_rgb("window"),
                    outline=_rgb("window_line"), width=3)
        if anim.scatter:
            val = anim.x[r, c]
        else:
            val = None if _hidden_value(anim, int(anim.kinds[r, c])) else anim.grid[r, c]
        if val is not None:
            d.text(g.center(g.sc.in_origin, r, c), fmt(val, g.lang), font=g.font, fill=_rgb("text"), anchor="mm")
    if not anim.scatter and not anim.is_pool:
        for (r, c), w in zip(step.cells, step.weights, strict=True):
            x0, y0, x1, y1 = g.box(g.sc.in_origin, r, c)
            d.text((x1 - 4, y1 - 3), "×" + fmt(w, g.lang), font=g.small, fill=_rgb("k_label"), anchor="rd")
    for r, c in current:
        d.rectangle(g.box(g.sc.out_origin, r, c, inset=2), fill=_rgb("current"),
                    outline=_rgb("current_line"), width=3)
        d.text(g.center(g.sc.out_origin, r, c), fmt(part[r, c], g.lang), font=g.font, fill=_rgb("bg"), anchor="mm")
    if step.winner is not None:
        d.ellipse(g.box(g.sc.in_origin, *step.winner, inset=5), outline=_rgb("winner"), width=4)
    y = g.eq_top
    for line in textwrap.wrap(text, g.wrap_at, break_long_words=False):
        d.text((MARGIN, y), line, font=g.eq_font, fill=_rgb("text"), anchor="la")
        y += int(g.eq_font.size * 1.35)


def render_gif_frames(anim: Animation, lang: str = "en", width: int = 960) -> list[Image.Image]:
    """One RGB image per step (plus nothing else): the GIF's frames before quantization."""
    g = _page(anim, lang, width)
    # ``state`` holds the output side as computed so far; each frame is a copy of it plus
    # the step's highlights, so every number is drawn once, not once per frame
    state = base = _draw_static(anim, g)
    frames: list[Image.Image] = []
    step_word = translate("anim.step", lang)
    for t in range(anim.n_steps):
        img = state.copy()
        _draw_step(img, anim, g, t, f"{step_word}{t + 1}/{anim.n_steps}: {anim.step_text(t, lang)}")
        frames.append(img)
        if state is base:
            state = base.copy()
        sd = ImageDraw.Draw(state)
        for r, c in _step_cells(anim, t)[1]:
            _draw_out_cell(sd, anim, g, r, c, anim.partials[t][r, c])
    return frames


def write_gif(anim: Animation, lang: str = "en", *, width: int = 960, frame_ms: int = 700,
              hold_last_ms: int = 2000) -> bytes:
    """The animation as GIF bytes: one frame per step, looping forever, palette images."""
    pal = _palette_image()
    frames = [
        img.quantize(palette=pal, dither=Image.Dither.NONE)
        for img in render_gif_frames(anim, lang, width)
    ]
    durations = [frame_ms] * len(frames)
    durations[-1] = max(frame_ms, hold_last_ms)
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=durations)
    return buf.getvalue()

"""Animated GIF of an animation (Pillow): the same frame data the plotly figure draws.

Looping, labelled ("input 7x7 · padding 1 · stride 2", "kernel 3x3", "output 4x4", the
step's computation in words), sized for slides (960 pixels wide by default) and drawn on
a fixed small palette, so no per-frame colour quantization is needed: the static picture
is drawn once, each frame only adds the window, the current cell(s) and the numbers.
"""

from __future__ import annotations

import io
import textwrap
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from convviz.animation.frames import INPUT, OVER, PAD, ZERO, Animation, fmt, scene
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


def render_gif_frames(anim: Animation, lang: str = "en", width: int = 960) -> list[Image.Image]:
    """One RGB image per step (plus nothing else): the GIF's frames before quantization."""
    sc = scene(anim, lang)
    cfg = anim.config
    scatter_view = anim.canvas is not None
    margin = 20
    cell = int(max(14, min(56, (width - 2 * margin) / sc.width)))
    font = _font(int(cell * 0.42))
    small = _font(max(9, int(cell * 0.26)))
    label_font = _font(max(13, min(20, int(cell * 0.4))))
    eq_font = _font(max(13, min(20, int(width / 60))))
    wrap_at = max(40, int((width - 2 * margin) / (eq_font.size * 0.55)))
    longest = max(len(anim.step_text(t, lang)) for t in range(anim.n_steps)) + 12
    eq_lines = -(-longest // wrap_at)
    line_h = int(label_font.size * 1.3)

    def wrap_label(text: str, room: float) -> list[str]:
        lines: list[str] = []
        for part in text.split(" · "):
            if lines and label_font.getlength(lines[-1] + " · " + part) <= room:
                lines[-1] += " · " + part
            else:
                lines.append(part)
        return lines

    in_room = (sc.k_origin[0] - 0.5) * cell
    out_room = width - 2 * margin - sc.out_origin[0] * cell
    in_lines = wrap_label(sc.labels["input"], in_room)
    out_lines = wrap_label(sc.labels["output"], out_room)
    top = margin + max(len(in_lines), len(out_lines)) * line_h + 8
    grid_bottom = top + int(sc.height * cell)
    k_label_h = label_font.size + 8
    height = grid_bottom + k_label_h + 10 + eq_lines * int(eq_font.size * 1.35) + margin

    def box(origin, r, c, inset=0):
        x0 = margin + (origin[0] + c) * cell
        y0 = top + (origin[1] + r) * cell
        return (x0 + inset, y0 + inset, x0 + cell - inset, y0 + cell - inset)

    def center(origin, r, c):
        x0, y0, x1, y1 = box(origin, r, c)
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    base = Image.new("RGB", (width, height), _rgb("bg"))
    draw = ImageDraw.Draw(base)
    gh, gw = sc.in_shape
    fill = {INPUT: "input", PAD: "bg", ZERO: "zero", OVER: "bg"}
    for r in range(gh):
        for c in range(gw):
            k = int(anim.kinds[r, c])
            b = box(sc.in_origin, r, c)
            draw.rectangle(b, fill=_rgb(fill[k]))
            if k == INPUT:
                draw.rectangle(b, outline=_rgb("line"))
            else:
                _dashed_rect(draw, b, _rgb("mid"), dash=3 if k == OVER else 5)
            if not (k == OVER or (k == PAD and cfg.op == "maxpool")):
                draw.text(center(sc.in_origin, r, c), fmt(anim.grid[r, c]), font=font,
                          fill=_rgb("text"), anchor="mm")
    taps = {(u * cfg.dh, v * cfg.dw): (u, v) for u in range(cfg.kh) for v in range(cfg.kw)}
    for r in range(sc.k_span[0]):
        for c in range(sc.k_span[1]):
            b = box(sc.k_origin, r, c)
            if (r, c) in taps:
                draw.rectangle(b, fill=_rgb("kernel"), outline=_rgb("line"))
                if not cfg.is_pool:
                    u, v = taps[(r, c)]
                    draw.text(center(sc.k_origin, r, c), fmt(anim.kernel[u, v]), font=font,
                              fill=_rgb("text"), anchor="mm")
            else:
                draw.rectangle(b, fill=_rgb("gap"))
                _dashed_rect(draw, b, _rgb("grey"), dash=2)
    oh, ow = sc.out_shape
    out_h, out_w = anim.output.shape
    t0, l0 = anim.crop
    for r in range(oh):
        for c in range(ow):
            b = box(sc.out_origin, r, c)
            inside = t0 <= r < t0 + out_h and l0 <= c < l0 + out_w
            if inside:
                draw.rectangle(b, fill=_rgb("output"), outline=_rgb("line"))
            else:
                draw.rectangle(b, fill=_rgb("cropped"))
                _dashed_rect(draw, b, _rgb("mid"))
    for lines, x, color in ((in_lines, sc.in_origin[0], "in_label"),
                            (out_lines, sc.out_origin[0], "current_line")):
        for i, line in enumerate(reversed(lines)):
            draw.text((margin + x * cell, top - 8 - i * line_h), line, font=label_font,
                      fill=_rgb(color), anchor="ls")
    draw.text((margin + sc.k_origin[0] * cell, top + sc.k_span[0] * cell + 6),
              sc.labels["kernel"], font=label_font, fill=_rgb("k_label"), anchor="la")

    def draw_out_cell(d: ImageDraw.ImageDraw, r: int, c: int, value: float) -> None:
        b = box(sc.out_origin, r, c)
        if t0 <= r < t0 + out_h and l0 <= c < l0 + out_w:
            d.rectangle(b, fill=_rgb("output"), outline=_rgb("line"))
        else:
            d.rectangle(b, fill=_rgb("cropped"))
            _dashed_rect(d, b, _rgb("mid"))
        d.text(center(sc.out_origin, r, c), fmt(value), font=font, fill=_rgb("text"),
               anchor="mm")

    # ``state`` holds the output side as computed so far; each frame is a copy of it plus
    # the step's highlights, so every number is drawn once, not once per frame
    state = base
    frames: list[Image.Image] = []
    step_word = translate("anim.step", lang)
    for t, step in enumerate(anim.steps):
        part = anim.partials[t]
        if scatter_view:
            window, current = [step.source], sorted(set(step.cells))
        else:
            window, current = list(step.cells), [step.source]
        img = state.copy()
        d = ImageDraw.Draw(img)
        for r, c in window:
            b = box(sc.in_origin, r, c, inset=2)
            d.rectangle(b, fill=_rgb("window"), outline=_rgb("window_line"), width=3)
            k = int(anim.kinds[r, c]) if not scatter_view else INPUT
            if scatter_view:
                val = anim.x[r, c]
            elif k == OVER or (k == PAD and cfg.op == "maxpool"):
                val = None
            else:
                val = anim.grid[r, c]
            if val is not None:
                d.text(center(sc.in_origin, r, c), fmt(val), font=font, fill=_rgb("text"),
                       anchor="mm")
        if not scatter_view and not cfg.is_pool:
            for (r, c), w in zip(step.cells, step.weights, strict=True):
                x0, y0, x1, y1 = box(sc.in_origin, r, c)
                d.text((x1 - 4, y1 - 3), "×" + fmt(w), font=small, fill=_rgb("k_label"),
                       anchor="rd")
        for r, c in current:
            d.rectangle(box(sc.out_origin, r, c, inset=2), fill=_rgb("current"),
                        outline=_rgb("current_line"), width=3)
            d.text(center(sc.out_origin, r, c), fmt(part[r, c]), font=font, fill=_rgb("bg"),
                   anchor="mm")
        if step.winner is not None:
            x0, y0, x1, y1 = box(sc.in_origin, *step.winner, inset=5)
            d.ellipse((x0, y0, x1, y1), outline=_rgb("winner"), width=4)
        text = f"{step_word}{t + 1}/{anim.n_steps}: {anim.step_text(t, lang)}"
        y = grid_bottom + k_label_h + 10
        for line in textwrap.wrap(text, wrap_at, break_long_words=False):
            d.text((margin, y), line, font=eq_font, fill=_rgb("text"), anchor="la")
            y += int(eq_font.size * 1.35)
        frames.append(img)
        if state is base:
            state = base.copy()
        sd = ImageDraw.Draw(state)
        for r, c in current:
            draw_out_cell(sd, r, c, part[r, c])
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

"""The step-by-step animation as a plotly figure with frames (data in, figure out).

Renders :class:`convviz.animation.frames.Animation` laid out by
:func:`convviz.animation.scene.scene`: the input side (input cells blue, padding dashed white, inserted zeros grey, ceil-mode overhang dotted),
the kernel (orange, drawn at its dilated span so the gaps show) and the output side
(green; the scatter view draws the whole canvas and dashes the cropped border).

Compact by construction: every group of cells is ONE scatter trace of closed polygons
(no layout shapes), frames only update the six dynamic traces, and everything is plain
lists (no numpy arrays), so a 9x9 input with a 3x3 kernel stays well under 300 KB of JSON.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go

from convviz.animation.frames import INPUT, OVER, PAD, ZERO, Animation, fmt
from convviz.animation.scene import Scene, scene, wrap_label
from convviz.figures import separators
from convviz.i18n import translate

COLORS = {
    "input": "#9ecae1", "pad": "#ffffff", "zero": "#eeeeee", "over": "#ffffff",
    "kernel": "#fdae6b", "gap": "#fff5eb", "output": "#c7e9c0", "cropped": "#f7f7f7",
    "line": "#4b5563", "window": "rgba(255,127,14,0.55)", "current": "rgba(35,139,69,0.75)",
    "pick": "rgba(217,70,239,0.45)", "winner": "#b91c1c", "text": "#111827",
}

def _scatter(**kw: object) -> dict:
    """A scatter trace as a plain dict (plotly validation is the slow part of a figure)."""
    return {"type": "scatter", **kw}


def _polys(cells: list[tuple[float, float]], x0: float, y0: float, inset: float = 0.0
           ) -> tuple[list, list]:
    """Closed unit squares for the cells (row, col) of a panel at (x0, y0)."""
    xs: list = []
    ys: list = []
    for r, c in cells:
        left, top = x0 + c + inset, y0 + r + inset
        right, bottom = x0 + c + 1 - inset, y0 + r + 1 - inset
        xs += [left, right, right, left, left, None]
        ys += [top, top, bottom, bottom, top, None]
    return xs, ys


def _cells_trace(cells, x0, y0, fill, dash="solid", name="", width=1.0, inset=0.0,
                 line=COLORS["line"]) -> dict:
    xs, ys = _polys(cells, x0, y0, inset)
    return _scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill,
                      line={"color": line, "width": width, "dash": dash},
                      hoverinfo="skip", showlegend=False, name=name)


def _text_trace(cells_text, x0, y0, size, color=COLORS["text"], dx=0.5, dy=0.5,
                name="") -> dict:
    xs = [round(x0 + c + dx, 3) for (r, c), _ in cells_text]
    ys = [round(y0 + r + dy, 3) for (r, c), _ in cells_text]
    return _scatter(x=xs, y=ys, text=[t for _, t in cells_text], mode="text",
                      textfont={"size": size, "color": color}, hoverinfo="skip",
                      showlegend=False, name=name)


WIDE_PX = 780  # drawn for a laptop / projector content column (wider screens just add margin)
COMPACT_PX = 340  # a phone's content column (390-pixel screen minus Streamlit's padding)
MIN_CELL_PX = 18.0  # below this, side by side is too small: stack the panels
MIN_FONT = 10  # cell numbers never smaller than this (pixels)
SLIDER_PX = 112  # the step slider: the bottom margin it is drawn in
BUTTONS_PX = 44  # Play / Pause / Slow / Fast above the plot
MAX_HEIGHT_PX = {True: 780, False: 1000}  # stacked figure height cap (narrow, wide): one screen
WEIGHTS_MIN_CELL_PX = 26.0  # the small "×w" weights in the window only in cells this big


def _chars(room_px: float, font_px: float) -> int:
    """How many characters of a proportional font fit in ``room_px`` (digits ~0.56 em)."""
    return max(8, int(room_px / (font_px * 0.6)))


def _wrap_lines(text: str, room_px: float, font_px: float) -> list[str]:
    return textwrap.wrap(text, width=_chars(room_px, font_px), break_long_words=False) or [" "]


def _wrap_label(text: str, room_px: float, font_px: float) -> list[str]:
    """Wrap a label at its `` · `` separators to fit ``room_px``."""
    room = _chars(room_px, font_px)
    return wrap_label(text, lambda line: len(line) <= room)


def _pick_text(anim: Animation, lang: str, pick_output: tuple[int, int] | None,
               pick_input: tuple[int, int] | None) -> str:
    """What a picked cell reads / feeds, in words (empty without a pick)."""
    if pick_input is not None:
        r, c = pick_input
        key = "anim.pick_in_scatter" if anim.scatter else "anim.pick_in"
        return translate(key, lang, r=r, c=c, n=len(anim.output_cells_for_input(r, c)))
    if pick_output is not None:
        a, b = pick_output
        key = "anim.pick_out_scatter" if anim.scatter else "anim.pick_out"
        return translate(key, lang, a=a, b=b, n=len(anim.input_cells_for_output(a, b)))
    return ""


def side_by_side_fits(anim: Animation, width_px: float = WIDE_PX, lang: str = "en") -> bool:
    """Whether input, kernel and output side by side get cells of at least MIN_CELL_PX."""
    return width_px / (scene(anim, lang).width + 1) >= MIN_CELL_PX


@dataclass(frozen=True)
class _Layout:
    """How one figure is laid out: the scene, the cell size and fonts in pixels, the wrapped
    panel labels, and the rows of cells above (labels) and below (kernel label) the panels."""

    sc: Scene
    stacked: bool
    cell_px: float
    font: int
    small: int
    label_px: int
    eq_px: int
    labels: tuple[list[str], list[str], list[str]]  # input, kernel, output: wrapped lines
    top_rows: float
    below_rows: float
    eq_texts: list[list[str]]
    eq_px_total: float
    pick_lines: list[str]
    pick_px: float
    lang: str = "en"


def _stacked_layout(anim: Animation, lang: str, flat: Scene, width_px: int, label_px: int,
                    text_px: float) -> tuple[Scene, float, tuple, float, float]:
    """Input, kernel and output under each other: as big as the width allows, but the whole
    figure on about one screen (``text_px``: the step's computation and the pick text)."""
    narrow = width_px < 500
    line_px = label_px * 1.35
    panel_w = max(flat.in_shape[1], flat.k_span[1], flat.out_shape[1])
    cell_px = min(40.0 if narrow else 48.0, width_px / (panel_w + 1))
    lines = tuple(_wrap_label(flat.labels[name], width_px - 10, label_px)
                  for name in ("input", "kernel", "output"))
    n_rows = flat.in_shape[0] + flat.k_span[0] + flat.out_shape[0] + 1.3
    fixed_px = sum(len(part) for part in lines) * line_px + 28 + text_px + BUTTONS_PX + SLIDER_PX
    cell_px = min(cell_px, max(22.0, (MAX_HEIGHT_PX[narrow] - fixed_px) / n_rows))
    gaps = [(len(part) * line_px + 10) / cell_px for part in lines[1:]]
    sc = scene(anim, lang, stacked=True, vgap=(0.5 + gaps[0], 0.5 + gaps[1]))
    return sc, cell_px, lines, (len(lines[0]) * line_px + 8) / cell_px, 0.0


def _side_layout(sc: Scene, width_px: int, label_px: int) -> tuple[Scene, float, tuple, float, float]:
    """Input, kernel and output side by side; the kernel's label under the kernel."""
    line_px = label_px * 1.35
    cell_px = min(56.0, width_px / (sc.width + 1))
    in_lines = _wrap_label(sc.labels["input"], (sc.k_origin[0] - 0.5) * cell_px, label_px)
    out_lines = _wrap_label(sc.labels["output"], (sc.width - sc.out_origin[0] + 0.5) * cell_px, label_px)
    k_lines = _wrap_label(sc.labels["kernel"], sc.k_span[1] * cell_px + 1.5 * cell_px, label_px)
    top_rows = (max(len(in_lines), len(out_lines)) * line_px + 8) / cell_px
    k_bottom = sc.k_span[0] + (len(k_lines) * line_px + 6) / cell_px
    return sc, cell_px, (in_lines, k_lines, out_lines), top_rows, max(0.0, k_bottom - sc.height)


def _layout(anim: Animation, lang: str, width_px: int, stacked: bool, pick_text: str) -> _Layout:
    narrow = width_px < 500
    label_px, eq_px = (13, 14) if narrow else (14, 16)
    flat = scene(anim, lang)
    step_word = translate("anim.step", lang)
    eq_texts = [_wrap_lines(f"{step_word}{t + 1}/{anim.n_steps}: " + anim.step_text(t, lang),
                            width_px - 12, eq_px) for t in range(anim.n_steps)]
    eq_px_total = max(len(lines) for lines in eq_texts) * eq_px * 1.3 + 8
    pick_lines = _wrap_lines(pick_text, width_px - 12, 13) if pick_text else []
    pick_px = len(pick_lines) * 13 * 1.35 + 6 if pick_lines else 0.0
    if stacked:
        sc, cell_px, lines, top_rows, below_rows = _stacked_layout(
            anim, lang, flat, width_px, label_px, eq_px_total + pick_px)
    else:
        sc, cell_px, lines, top_rows, below_rows = _side_layout(flat, width_px, label_px)
    font = int(max(MIN_FONT, min(18, cell_px * 0.46)))
    return _Layout(sc, stacked, cell_px, font, int(max(8, font * 0.7)), label_px, eq_px, lines,
                   top_rows, below_rows, eq_texts, eq_px_total, pick_lines, pick_px, lang)


def _input_traces(anim: Animation, lay: _Layout) -> list[dict]:
    """The input side: cells grouped by kind, and the numbers (blank for max pooling's -inf
    padding and the ceil-mode overhang)."""
    (ix, iy), (gh, gw) = lay.sc.in_origin, lay.sc.in_shape
    kinds = anim.kinds
    traces = []
    groups = {INPUT: ("input", "solid"), PAD: ("pad", "dash"), ZERO: ("zero", "dash"),
              OVER: ("over", "dot")}
    for kind, (color, dash) in groups.items():
        cells = [(r, c) for r in range(gh) for c in range(gw) if kinds[r, c] == kind]
        if cells:
            traces.append(_cells_trace(cells, ix, iy, COLORS[color], dash, name=color))
    in_text = [((r, c), fmt(anim.grid[r, c], lay.lang)) for r in range(gh) for c in range(gw)
               if not (kinds[r, c] == OVER or (kinds[r, c] == PAD and anim.op == "maxpool"))]
    traces.append(_text_trace(in_text, ix, iy, lay.font, name="in_text"))
    return traces


def _kernel_traces(anim: Animation, lay: _Layout) -> list[dict]:
    """The kernel at its dilated span: taps coloured (with their weights), gaps pale, dotted."""
    kx, ky = lay.sc.k_origin
    rows, cols = anim.axes
    taps = [(u * rows.d, v * cols.d) for u in range(rows.k) for v in range(cols.k)]
    tapset = set(taps)
    gaps = [(r, c) for r in range(lay.sc.k_span[0]) for c in range(lay.sc.k_span[1])
            if (r, c) not in tapset]
    traces = [_cells_trace(gaps, kx, ky, COLORS["gap"], "dot", name="gaps")] if gaps else []
    traces.append(_cells_trace(taps, kx, ky, COLORS["kernel"], name="kernel"))
    if not anim.is_pool:
        traces.append(_text_trace(
            [((r, c), fmt(anim.kernel[r // rows.d, c // cols.d], lay.lang)) for r, c in taps],
            kx, ky, lay.font, name="k_text"))
    return traces


def _output_traces(anim: Animation, lay: _Layout) -> list[dict]:
    """The output side (the scatter view: the whole canvas, its cropped border dashed)."""
    (ox, oy), (oh, ow) = lay.sc.out_origin, lay.sc.out_shape
    cells = [(r, c) for r in range(oh) for c in range(ow)]
    if not anim.scatter:
        return [_cells_trace(cells, ox, oy, COLORS["output"], name="output")]
    (t, left), (out_h, out_w) = anim.crop, anim.output.shape
    inside = [(r, c) for r, c in cells if t <= r < t + out_h and left <= c < left + out_w]
    kept = set(inside)
    cropped = [cell for cell in cells if cell not in kept]
    traces = [_cells_trace(cropped, ox, oy, COLORS["cropped"], "dash", name="cropped")] if cropped else []
    return [*traces, _cells_trace(inside, ox, oy, COLORS["output"], name="output")]


def _pick_traces(anim: Animation, lay: _Layout, pick_output: tuple[int, int] | None,
                 pick_input: tuple[int, int] | None) -> list[dict]:
    """Static highlights of a picked cell and the cells it reads or feeds."""
    (ix, iy), (ox, oy) = lay.sc.in_origin, lay.sc.out_origin
    pairs = []  # (input-side cells, out-side cells)
    if pick_output is not None:
        pairs.append((anim.input_cells_for_output(*pick_output), [pick_output]))
    if pick_input is not None:
        pairs.append(([pick_input], anim.output_cells_for_input(*pick_input)))
    traces = []
    for src, dst in pairs:
        traces.append(_cells_trace(src, ix, iy, COLORS["pick"], width=3, line="#a21caf", name="pick_src"))
        if dst:
            traces.append(_cells_trace(dst, ox, oy, COLORS["pick"], width=3, line="#a21caf",
                                       name="pick_dst"))
    return traces


def _hit_traces(lay: _Layout, lang: str) -> list[dict]:
    """Invisible, hoverable markers on every input-side and out-side cell: a click picks it."""
    (ix, iy), (gh, gw) = lay.sc.in_origin, lay.sc.in_shape
    (ox, oy), (oh, ow) = lay.sc.out_origin, lay.sc.out_shape
    traces = []
    for side, (x0, y0, h, w, key) in enumerate(((ix, iy, gh, gw, "anim.hover_in"),
                                                 (ox, oy, oh, ow, "anim.hover_out"))):
        cells = [(r, c) for r in range(h) for c in range(w)]
        traces.append(_scatter(
            x=[x0 + c + 0.5 for r, c in cells], y=[y0 + r + 0.5 for r, c in cells],
            customdata=[[side, r, c] for r, c in cells], mode="markers",
            marker={"symbol": "square", "size": max(6.0, lay.cell_px * 0.9),
                    "color": "rgba(0,0,0,0)"},
            hovertemplate=translate(key, lang, r="%{customdata[1]}", c="%{customdata[2]}")
            + "<extra></extra>",
            showlegend=False, name=f"hit_{side}"))
    return traces


def _dynamic(anim: Animation, lay: _Layout, t: int, text_at: tuple[float, float]) -> list[dict]:
    """The six traces a frame updates: window, weights, current cell(s), out-side numbers,
    max-pooling winner and the step's computation (at ``text_at``)."""
    step = anim.steps[t]
    (ix, iy), (ox, oy), (oh, ow) = lay.sc.in_origin, lay.sc.out_origin, lay.sc.out_shape
    win_cells, cur = ([step.source], list(step.cells)) if anim.scatter else (list(step.cells), [step.source])
    wx, wy = _polys(win_cells, ix, iy, inset=0.06)
    weights = _scatter(x=[], y=[], text=[])
    if not (anim.scatter or anim.is_pool or lay.cell_px < WEIGHTS_MIN_CELL_PX):
        wtxt = [((r, c), "×" + fmt(w, lay.lang)) for (r, c), w in zip(step.cells, step.weights, strict=True)]
        wt = _text_trace(wtxt, ix, iy, lay.small, color="#9a3412", dx=0.78, dy=0.8)
        weights = _scatter(x=wt["x"], y=wt["y"], text=wt["text"])
    cx, cy = _polys(cur, ox, oy, inset=0.06)
    part = anim.partials[t]
    ot = _text_trace([((r, c), fmt(part[r, c], lay.lang)) for r in range(oh) for c in range(ow)
                      if part[r, c] == part[r, c]], ox, oy, lay.font)
    winner = _scatter(x=[], y=[])
    if step.winner is not None:
        winner = _scatter(x=[ix + step.winner[1] + 0.5], y=[iy + step.winner[0] + 0.5])
    equation = _scatter(x=[round(text_at[0], 3)], y=[round(text_at[1], 3)],
                        text=["<br>".join(lay.eq_texts[t])])
    return [_scatter(x=wx, y=wy), weights, _scatter(x=cx, y=cy),
            _scatter(x=ot["x"], y=ot["y"], text=ot["text"]), winner, equation]


def _styled(first: list[dict], lay: _Layout) -> list[dict]:
    """The dynamic traces as first shown, with their styles (frames only change the data)."""
    hidden = {"hoverinfo": "skip", "showlegend": False}
    return [
        _scatter(x=first[0]["x"], y=first[0]["y"], mode="lines", fill="toself",
                 fillcolor=COLORS["window"], line={"color": "#c2410c", "width": 2.5},
                 name="window", **hidden),
        _scatter(x=first[1]["x"], y=first[1]["y"], text=first[1]["text"], mode="text",
                 textfont={"size": lay.small, "color": "#9a3412"}, name="weights", **hidden),
        _scatter(x=first[2]["x"], y=first[2]["y"], mode="lines", fill="toself",
                 fillcolor=COLORS["current"], line={"color": "#14532d", "width": 2.5},
                 name="current", **hidden),
        _scatter(x=first[3]["x"], y=first[3]["y"], text=first[3]["text"], mode="text",
                 textfont={"size": lay.font, "color": COLORS["text"]}, name="out_text", **hidden),
        _scatter(x=first[4]["x"], y=first[4]["y"], mode="markers",
                 marker={"symbol": "circle-open", "size": lay.cell_px * 0.8,
                         "color": COLORS["winner"], "line": {"width": 3}},
                 name="winner", **hidden),
        _scatter(x=first[5]["x"], y=first[5]["y"], text=first[5]["text"], mode="text",
                 textposition="bottom right", textfont={"size": lay.eq_px, "color": COLORS["text"]},
                 name="equation", **hidden),
    ]


def _buttons(lang: str, frame_ms: int) -> list[dict]:
    """Play, Pause, Slow and Fast."""
    def play(label: str, ms: int) -> dict:
        return {"label": label, "method": "animate",
                "args": [None, {"frame": {"duration": ms, "redraw": True}, "fromcurrent": True,
                                "transition": {"duration": 0}, "mode": "immediate"}]}

    pause = {"label": translate("anim.pause", lang), "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False},
                               "mode": "immediate", "transition": {"duration": 0}}]}
    return [play(translate("anim.play", lang), frame_ms), pause,
            play(translate("anim.slow", lang), frame_ms * 2),
            play(translate("anim.fast", lang), max(60, frame_ms // 3))]


def _slider(anim: Animation, lang: str, start: int, width_px: int) -> dict:
    """The step slider. Its step numbers are hidden when they would overlap (the current
    step is still shown above the slider and in the computation)."""
    tick_room = width_px / max(1, anim.n_steps)
    tick_font = 12 if tick_room >= 26 else 9 if tick_room >= 16 else 0
    return {
        "active": start, "x": 0.0, "len": 1.0, "y": 0, "yanchor": "top", "pad": {"t": 20},
        "currentvalue": {"prefix": translate("anim.step", lang),
                         "font": {"size": 14, "color": "#111827"}},
        "font": {"size": max(tick_font, 8),
                 "color": "#374151" if tick_font else "rgba(0,0,0,0)"},
        "steps": [{"label": str(t + 1), "method": "animate",
                   "args": [[str(t)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                       "transition": {"duration": 0}}]}
                  for t in range(anim.n_steps)],
    }


def _annotations(lay: _Layout, text_x: float, content_bottom: float) -> list[dict]:
    """The panel labels (above input and output, under or above the kernel) and the pick text."""
    def label(lines: list[str], x: float, y: float, color: str, anchor: str = "bottom") -> dict:
        return {"x": x, "y": y, "text": "<b>" + "<br>".join(lines) + "</b>", "showarrow": False,
                "xanchor": "left", "yanchor": anchor, "align": "left",
                "font": {"size": lay.label_px, "color": color}}

    (ix, iy), (kx, ky), (ox, oy) = lay.sc.in_origin, lay.sc.k_origin, lay.sc.out_origin
    in_lines, k_lines, out_lines = lay.labels
    if lay.stacked:
        notes = [label(in_lines, ix, iy - 0.12, "#1e3a8a"), label(k_lines, kx, ky - 0.12, "#9a3412"),
                 label(out_lines, ox, oy - 0.12, "#14532d")]
    else:
        notes = [label(in_lines, ix, -0.12, "#1e3a8a"),
                 label(k_lines, kx, ky + lay.sc.k_span[0] + 0.12, "#9a3412", anchor="top"),
                 label(out_lines, ox, -0.12, "#14532d")]
    if lay.pick_lines:
        notes.append({"x": text_x, "y": content_bottom + 0.3, "text": "<br>".join(lay.pick_lines),
                      "showarrow": False, "xanchor": "left", "yanchor": "top", "align": "left",
                      "font": {"size": 13, "color": "#a21caf"}})
    return notes


def build_animation_figure(
    anim: Animation,
    lang: str = "en",
    *,
    frame_ms: int = 700,
    start: int = 0,
    pick_output: tuple[int, int] | None = None,
    pick_input: tuple[int, int] | None = None,
    width_px: int = WIDE_PX,
    stacked: bool | None = None,
    clickable: bool = True,
) -> go.Figure:
    """The animated figure: Play/Pause, speed buttons and a step slider.

    Laid out for a plot ``width_px`` pixels wide (a wider container only adds side margin;
    the height follows the content, so there is no empty band). ``stacked`` puts input,
    kernel and output under each other (phones); ``None`` stacks only when side by side
    would give cells under MIN_CELL_PX. The step's computation is wrapped to the width.

    ``pick_output`` (out-side coordinates: the canvas in the scatter view) lights up the
    input-side cells it reads or that feed it; ``pick_input`` (input-side coordinates,
    padding included) lights up every out-side cell that reads it or that it writes.
    ``clickable`` adds invisible markers on every input-side and out-side cell whose
    ``customdata`` is ``[side, row, col]`` (side 0 = input, 1 = output) for click picking.
    """
    if stacked is None:
        stacked = not side_by_side_fits(anim, width_px, lang)
    lay = _layout(anim, lang, width_px, stacked, _pick_text(anim, lang, pick_output, pick_input))
    static = (_input_traces(anim, lay) + _kernel_traces(anim, lay) + _output_traces(anim, lay)
              + _pick_traces(anim, lay, pick_output, pick_input))
    if clickable:
        static += _hit_traces(lay, lang)
    # the step's computation, wrapped to the plot's width, under the panels (and the pick text)
    content_bottom = lay.sc.height + lay.below_rows
    pick_rows = lay.pick_px / lay.cell_px
    visible_w = width_px / lay.cell_px  # x range in cells; the content is centred in it
    x_left = lay.sc.width / 2 - visible_w / 2
    text_at = (x_left + 6 / lay.cell_px, content_bottom + 0.3 + pick_rows)
    start = min(max(0, start), anim.n_steps - 1)
    traces = static + _styled(_dynamic(anim, lay, start, text_at), lay)
    dyn_idx = list(range(len(static), len(traces)))
    frames = [{"name": str(t), "data": _dynamic(anim, lay, t, text_at), "traces": dyn_idx}
              for t in range(anim.n_steps)]
    y_top = -lay.top_rows
    eq_rows = 0.3 + pick_rows + lay.eq_px_total / lay.cell_px  # pick text and computation
    y_bottom = content_bottom + eq_rows
    layout = dict(
        height=int(round((y_bottom - y_top) * lay.cell_px + BUTTONS_PX + SLIDER_PX)),
        margin={"l": 0, "r": 0, "t": BUTTONS_PX, "b": SLIDER_PX},
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False, separators=separators(lang),
        hovermode="closest", dragmode=False,
        xaxis={"visible": False, "range": [x_left, x_left + visible_w], "fixedrange": True},
        yaxis={"visible": False, "range": [y_bottom, y_top], "fixedrange": True,
               "scaleanchor": "x", "scaleratio": 1},
        annotations=_annotations(lay, text_at[0], content_bottom),
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "y": 1.0, "xanchor": "left", "yanchor": "bottom",
                      "pad": {"r": 6, "t": 0, "b": 6}, "font": {"size": 13},
                      "buttons": _buttons(lang, frame_ms)}],
        sliders=[_slider(anim, lang, start, width_px)],
    )
    return AnimationFigure({"data": traces, "layout": layout}, frames)


class AnimationFigure(go.Figure):
    """A plotly Figure whose frames stay plain dicts.

    Turning ~50 frames into plotly objects costs ~0.7 s of validation on a page rerun; the
    frames here are valid by construction, so they are kept as dicts and added by
    ``to_dict`` (which ``to_json``, ``to_html`` and ``st.plotly_chart`` all go through).
    """

    def __init__(self, fig: dict, frames: list[dict]) -> None:
        super().__init__(fig, _validate=False)
        self._plain_frames = frames

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["frames"] = self._plain_frames
        return out

"""The step-by-step animation as a plotly figure with frames (data in, figure out).

Renders :class:`convviz.animation.frames.Animation` and its :func:`convviz.animation.frames.scene`: the input side
(input cells blue, padding dashed white, inserted zeros grey, ceil-mode overhang dotted),
the kernel (orange, drawn at its dilated span so the gaps show) and the output side
(green; the scatter view draws the whole canvas and dashes the cropped border).

Compact by construction: every group of cells is ONE scatter trace of closed polygons
(no layout shapes), frames only update the six dynamic traces, and everything is plain
lists (no numpy arrays), so a 9x9 input with a 3x3 kernel stays well under 300 KB of JSON.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from convviz.animation.frames import INPUT, OVER, PAD, ZERO, Animation, fmt, scene
from convviz.i18n import translate

COLORS = {
    "input": "#9ecae1", "pad": "#ffffff", "zero": "#eeeeee", "over": "#ffffff",
    "kernel": "#fdae6b", "gap": "#fff5eb", "output": "#c7e9c0", "cropped": "#f7f7f7",
    "line": "#4b5563", "window": "rgba(255,127,14,0.55)", "current": "rgba(35,139,69,0.75)",
    "pick": "rgba(217,70,239,0.45)", "winner": "#b91c1c", "text": "#111827",
}

# dynamic traces, in this order, right after the static ones
DYNAMIC = ("window", "weights", "current", "out_text", "winner", "equation")


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


def _out_side_cells(anim: Animation, out_cells):
    """Output cells (a, b) in out-side coordinates (the canvas in the scatter view)."""
    t, left = anim.crop
    return [(a + t, b + left) for a, b in out_cells]


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
    lines: list[str] = []
    for part in text.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= room:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def _pick_text(anim: Animation, lang: str, pick_output: tuple[int, int] | None,
               pick_input: tuple[int, int] | None) -> str:
    """What a picked cell reads / feeds, in words (empty without a pick)."""
    scatter_view = anim.canvas is not None
    if pick_input is not None:
        r, c = pick_input
        key = "anim.pick_in_scatter" if scatter_view else "anim.pick_in"
        return translate(key, lang, r=r, c=c, n=len(anim.output_cells_for_input(r, c)))
    if pick_output is not None:
        a, b = pick_output
        key = "anim.pick_out_scatter" if scatter_view else "anim.pick_out"
        return translate(key, lang, a=a, b=b, n=len(anim.input_cells_for_output(a, b)))
    return ""


def side_by_side_fits(anim: Animation, width_px: float = WIDE_PX, lang: str = "en") -> bool:
    """Whether input, kernel and output side by side get cells of at least MIN_CELL_PX."""
    return width_px / (scene(anim, lang).width + 1) >= MIN_CELL_PX


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
    cfg = anim.config
    scatter_view = anim.canvas is not None
    if stacked is None:
        stacked = not side_by_side_fits(anim, width_px, lang)
    narrow = width_px < 500
    label_px = 13 if narrow else 14
    eq_px = 14 if narrow else 16
    line_px = label_px * 1.35
    flat = scene(anim, lang)
    labels = flat.labels
    step_word = translate("anim.step", lang)
    eq_texts = [_wrap_lines(f"{step_word}{t + 1}/{anim.n_steps}: " + anim.step_text(t, lang),
                            width_px - 12, eq_px) for t in range(anim.n_steps)]
    eq_px_total = max(len(lines) for lines in eq_texts) * eq_px * 1.3 + 8
    pick_text = _pick_text(anim, lang, pick_output, pick_input)
    pick_lines = _wrap_lines(pick_text, width_px - 12, 13) if pick_text else []
    pick_px = len(pick_lines) * 13 * 1.35 + 6 if pick_lines else 0.0
    if stacked:
        panel_w = max(flat.in_shape[1], flat.k_span[1], flat.out_shape[1])
        cell_px = min(40.0 if narrow else 48.0, width_px / (panel_w + 1))
        in_lines = _wrap_label(labels["input"], width_px - 10, label_px)
        k_lines = _wrap_label(labels["kernel"], width_px - 10, label_px)
        out_lines = _wrap_label(labels["output"], width_px - 10, label_px)
        # as big as the width allows, but the whole figure on about one screen
        n_rows = flat.in_shape[0] + flat.k_span[0] + flat.out_shape[0] + 1.3
        fixed_px = ((len(in_lines) + len(k_lines) + len(out_lines)) * line_px + 28
                    + eq_px_total + pick_px + BUTTONS_PX + SLIDER_PX)
        cell_px = min(cell_px, max(22.0, (MAX_HEIGHT_PX[narrow] - fixed_px) / n_rows))
        rows = (len(k_lines) * line_px + 10) / cell_px, (len(out_lines) * line_px + 10) / cell_px
        sc = scene(anim, lang, stacked=True, vgap=(0.5 + rows[0], 0.5 + rows[1]))
        top_rows = (len(in_lines) * line_px + 8) / cell_px
        below_rows = 0.0
    else:
        sc = flat
        cell_px = min(56.0, width_px / (sc.width + 1))
        room_in = (sc.k_origin[0] - 0.5) * cell_px
        room_out = (sc.width - sc.out_origin[0] + 0.5) * cell_px
        in_lines = _wrap_label(labels["input"], room_in, label_px)
        out_lines = _wrap_label(labels["output"], room_out, label_px)
        k_lines = _wrap_label(labels["kernel"], sc.k_span[1] * cell_px + 1.5 * cell_px, label_px)
        top_rows = (max(len(in_lines), len(out_lines)) * line_px + 8) / cell_px
        k_bottom = sc.k_span[0] + (len(k_lines) * line_px + 6) / cell_px
        below_rows = max(0.0, k_bottom - sc.height)
    font = int(max(MIN_FONT, min(18, cell_px * 0.46)))
    small = int(max(8, font * 0.7))
    ix, iy = sc.in_origin
    kx, ky = sc.k_origin
    ox, oy = sc.out_origin
    gh, gw = sc.in_shape
    oh, ow = sc.out_shape

    static: list[dict] = []
    kinds = anim.kinds
    groups = {INPUT: ("input", "solid"), PAD: ("pad", "dash"), ZERO: ("zero", "dash"),
              OVER: ("over", "dot")}
    for kind, (color, dash) in groups.items():
        cells = [(r, c) for r in range(gh) for c in range(gw) if kinds[r, c] == kind]
        if cells:
            static.append(_cells_trace(cells, ix, iy, COLORS[color], dash, name=color))
    # numbers of the input side: real inputs, padding zeros (blank for max pooling's -inf)
    in_text = []
    for r in range(gh):
        for c in range(gw):
            k = kinds[r, c]
            if k == OVER or (k == PAD and cfg.op == "maxpool"):
                continue
            in_text.append(((r, c), fmt(anim.grid[r, c])))
    static.append(_text_trace(in_text, ix, iy, font, name="in_text"))
    # kernel at its dilated span: taps coloured, gaps pale and dotted
    taps = [(u * cfg.dh, v * cfg.dw) for u in range(cfg.kh) for v in range(cfg.kw)]
    tapset = set(taps)
    gaps = [(r, c) for r in range(sc.k_span[0]) for c in range(sc.k_span[1])
            if (r, c) not in tapset]
    if gaps:
        static.append(_cells_trace(gaps, kx, ky, COLORS["gap"], "dot", name="gaps"))
    static.append(_cells_trace(taps, kx, ky, COLORS["kernel"], name="kernel"))
    if not cfg.is_pool:
        static.append(_text_trace(
            [((r, c), fmt(anim.kernel[r // cfg.dh, c // cfg.dw])) for r, c in taps],
            kx, ky, font, name="k_text"))
    # output side
    if scatter_view:
        t, left = anim.crop
        out_h, out_w = anim.output.shape
        inside = [(r, c) for r in range(oh) for c in range(ow)
                  if t <= r < t + out_h and left <= c < left + out_w]
        cropped = [(r, c) for r in range(oh) for c in range(ow)
                   if not (t <= r < t + out_h and left <= c < left + out_w)]
        if cropped:
            static.append(_cells_trace(cropped, ox, oy, COLORS["cropped"], "dash",
                                       name="cropped"))
        static.append(_cells_trace(inside, ox, oy, COLORS["output"], name="output"))
    else:
        static.append(_cells_trace([(r, c) for r in range(oh) for c in range(ow)], ox, oy,
                                   COLORS["output"], name="output"))
    # picks: static highlights
    if pick_output is not None:
        a, b = pick_output
        src = anim.input_cells_for_output(a, b)
        static.append(_cells_trace(src, ix, iy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_src"))
        static.append(_cells_trace([(a, b)], ox, oy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_dst"))
    if pick_input is not None:
        r, c = pick_input
        dst = anim.output_cells_for_input(r, c)
        static.append(_cells_trace([(r, c)], ix, iy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_src"))
        if dst:
            static.append(_cells_trace(dst, ox, oy, COLORS["pick"], width=3, line="#a21caf",
                                       name="pick_dst"))
    if clickable:  # invisible, hoverable markers: a click on a cell picks it
        for side, (x0, y0, h, w, key) in enumerate(((ix, iy, gh, gw, "anim.hover_in"),
                                                     (ox, oy, oh, ow, "anim.hover_out"))):
            cells = [(r, c) for r in range(h) for c in range(w)]
            static.append(_scatter(
                x=[x0 + c + 0.5 for r, c in cells], y=[y0 + r + 0.5 for r, c in cells],
                customdata=[[side, r, c] for r, c in cells], mode="markers",
                marker={"symbol": "square", "size": max(6.0, cell_px * 0.9),
                        "color": "rgba(0,0,0,0)"},
                hovertemplate=translate(key, lang, r="%{customdata[1]}", c="%{customdata[2]}")
                + "<extra></extra>",
                showlegend=False, name=f"hit_{side}"))

    # the step's computation, wrapped to the plot's width, under the panels
    content_bottom = sc.height + below_rows
    pick_rows = pick_px / cell_px
    eq_y = content_bottom + 0.3 + pick_rows
    eq_rows = 0.3 + pick_rows + eq_px_total / cell_px
    visible_w = width_px / cell_px  # x range in cells; the content is centred in it
    x_mid = sc.width / 2
    x_left = x_mid - visible_w / 2
    text_x = x_left + 6 / cell_px

    def dynamic(t: int) -> list[dict]:
        step = anim.steps[t]
        if scatter_view:
            win_cells = [step.source]
            cur = list(step.cells)
        else:
            win_cells = list(step.cells)
            cur = [step.source]
        # window (input side) and the kernel weights at each tap (bottom-right, small)
        wx, wy = _polys(win_cells, ix, iy, inset=0.06)
        window = _scatter(x=wx, y=wy)
        if scatter_view or cfg.is_pool or cell_px < WEIGHTS_MIN_CELL_PX:
            weights = _scatter(x=[], y=[], text=[])
        else:
            wtxt = [((r, c), "×" + fmt(w)) for (r, c), w in zip(step.cells, step.weights,
                                                                 strict=True)]
            weights = _text_trace(wtxt, ix, iy, small, color="#9a3412", dx=0.78, dy=0.8)
            weights = _scatter(x=weights["x"], y=weights["y"], text=weights["text"])
        cx, cy = _polys(cur, ox, oy, inset=0.06)
        current = _scatter(x=cx, y=cy)
        part = anim.partials[t]
        otxt = [((r, c), fmt(part[r, c])) for r in range(oh) for c in range(ow)
                if part[r, c] == part[r, c]]
        ot = _text_trace(otxt, ox, oy, font)
        out_text = _scatter(x=ot["x"], y=ot["y"], text=ot["text"])
        if step.winner is not None:
            r, c = step.winner
            winner = _scatter(x=[ix + c + 0.5], y=[iy + r + 0.5])
        else:
            winner = _scatter(x=[], y=[])
        equation = _scatter(x=[round(text_x, 3)], y=[round(eq_y, 3)],
                            text=["<br>".join(eq_texts[t])])
        return [window, weights, current, out_text, winner, equation]

    start = min(max(0, start), anim.n_steps - 1)
    first = dynamic(start)
    styled = [
        _scatter(x=first[0]["x"], y=first[0]["y"], mode="lines", fill="toself",
                 fillcolor=COLORS["window"], line={"color": "#c2410c", "width": 2.5},
                 hoverinfo="skip", showlegend=False, name="window"),
        _scatter(x=first[1]["x"], y=first[1]["y"], text=first[1]["text"], mode="text",
                 textfont={"size": small, "color": "#9a3412"}, hoverinfo="skip",
                 showlegend=False, name="weights"),
        _scatter(x=first[2]["x"], y=first[2]["y"], mode="lines", fill="toself",
                 fillcolor=COLORS["current"], line={"color": "#14532d", "width": 2.5},
                 hoverinfo="skip", showlegend=False, name="current"),
        _scatter(x=first[3]["x"], y=first[3]["y"], text=first[3]["text"], mode="text",
                 textfont={"size": font, "color": COLORS["text"]}, hoverinfo="skip",
                 showlegend=False, name="out_text"),
        _scatter(x=first[4]["x"], y=first[4]["y"], mode="markers",
                 marker={"symbol": "circle-open", "size": cell_px * 0.8,
                         "color": COLORS["winner"], "line": {"width": 3}},
                 hoverinfo="skip", showlegend=False, name="winner"),
        _scatter(x=first[5]["x"], y=first[5]["y"], text=first[5]["text"], mode="text",
                 textposition="bottom right", textfont={"size": eq_px, "color": COLORS["text"]},
                 hoverinfo="skip", showlegend=False, name="equation"),
    ]
    traces = static + styled
    dyn_idx = list(range(len(static), len(traces)))
    frames = [{"name": str(t), "data": dynamic(t), "traces": dyn_idx}
              for t in range(anim.n_steps)]

    def play(ms: int) -> dict:
        return {"label": "", "method": "animate",
                "args": [None, {"frame": {"duration": ms, "redraw": True}, "fromcurrent": True,
                                "transition": {"duration": 0}, "mode": "immediate"}]}

    buttons = []
    for label, ms in ((translate("anim.play", lang), frame_ms),
                      (translate("anim.slow", lang), frame_ms * 2),
                      (translate("anim.fast", lang), max(60, frame_ms // 3))):
        btn = play(ms)
        btn["label"] = label
        buttons.append(btn)
    buttons.insert(1, {"label": translate("anim.pause", lang), "method": "animate",
                       "args": [[None], {"frame": {"duration": 0, "redraw": False},
                                         "mode": "immediate", "transition": {"duration": 0}}]})
    # the step numbers under the slider: hidden when they would overlap (the current step
    # is still shown above the slider and in the computation)
    tick_room = width_px / max(1, anim.n_steps)
    tick_font = 12 if tick_room >= 26 else 9 if tick_room >= 16 else 0
    slider = {
        "active": start, "x": 0.0, "len": 1.0, "y": 0, "yanchor": "top", "pad": {"t": 20},
        "currentvalue": {"prefix": step_word, "font": {"size": 14, "color": "#111827"}},
        "font": {"size": max(tick_font, 8),
                 "color": "#374151" if tick_font else "rgba(0,0,0,0)"},
        "steps": [{"label": str(t + 1), "method": "animate",
                   "args": [[str(t)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                       "transition": {"duration": 0}}]}
                  for t in range(anim.n_steps)],
    }

    def label(lines: list[str], x: float, y: float, color: str, anchor: str = "bottom") -> dict:
        return {"x": x, "y": y, "text": "<b>" + "<br>".join(lines) + "</b>", "showarrow": False,
                "xanchor": "left", "yanchor": anchor, "align": "left",
                "font": {"size": label_px, "color": color}}

    if stacked:
        annotations = [
            label(in_lines, ix, iy - 0.12, "#1e3a8a"),
            label(k_lines, kx, ky - 0.12, "#9a3412"),
            label(out_lines, ox, oy - 0.12, "#14532d"),
        ]
    else:
        annotations = [
            label(in_lines, ix, -0.12, "#1e3a8a"),
            label(k_lines, kx, ky + sc.k_span[0] + 0.12, "#9a3412", anchor="top"),
            label(out_lines, ox, -0.12, "#14532d"),
        ]
    if pick_text:
        annotations.append({"x": text_x, "y": content_bottom + 0.3,
                            "text": "<br>".join(pick_lines), "showarrow": False,
                            "xanchor": "left", "yanchor": "top", "align": "left",
                            "font": {"size": 13, "color": "#a21caf"}})
    y_top = -top_rows
    y_bottom = content_bottom + eq_rows
    plot_h = (y_bottom - y_top) * cell_px
    layout = dict(
        height=int(round(plot_h + BUTTONS_PX + SLIDER_PX)),
        margin={"l": 0, "r": 0, "t": BUTTONS_PX, "b": SLIDER_PX},
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False,
        hovermode="closest", dragmode=False,
        xaxis={"visible": False, "range": [x_left, x_left + visible_w], "fixedrange": True},
        yaxis={"visible": False, "range": [y_bottom, y_top], "fixedrange": True,
               "scaleanchor": "x", "scaleratio": 1},
        annotations=annotations,
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "y": 1.0, "xanchor": "left", "yanchor": "bottom",
                      "pad": {"r": 6, "t": 0, "b": 6}, "font": {"size": 13},
                      "buttons": buttons}],
        sliders=[slider],
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

    @property
    def n_frames(self) -> int:
        return len(self._plain_frames)

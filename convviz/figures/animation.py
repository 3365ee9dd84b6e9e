"""The step-by-step animation as a plotly figure with frames (data in, figure out).

Renders :class:`convviz.frames.Animation` and its :func:`convviz.frames.scene`: the input side
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

from convviz.frames import INPUT, OVER, PAD, ZERO, Animation, fmt, scene
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


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) or " "


def _out_side_cells(anim: Animation, out_cells):
    """Output cells (a, b) in out-side coordinates (the canvas in the scatter view)."""
    t, left = anim.crop
    return [(a + t, b + left) for a, b in out_cells]


def build_animation_figure(
    anim: Animation,
    lang: str = "en",
    *,
    frame_ms: int = 700,
    start: int = 0,
    pick_output: tuple[int, int] | None = None,
    pick_input: tuple[int, int] | None = None,
    width_px: int = 900,
) -> go.Figure:
    """The animated figure: Play/Pause, speed buttons and a step slider.

    ``pick_output`` (out-side coordinates: the canvas in the scatter view) lights up the
    input-side cells it reads or that feed it; ``pick_input`` (input-side coordinates,
    padding included) lights up every out-side cell that reads it or that it writes.
    """
    sc = scene(anim, lang)
    cfg = anim.config
    scatter_view = anim.canvas is not None
    cell_px = max(10.0, width_px / (sc.width + 1))
    font = int(max(8, min(18, cell_px * 0.42)))
    small = int(max(7, font * 0.7))
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
    pick_text = ""
    if pick_output is not None:
        a, b = pick_output
        src = anim.input_cells_for_output(a, b)
        static.append(_cells_trace(src, ix, iy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_src"))
        static.append(_cells_trace([(a, b)], ox, oy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_dst"))
        key = "anim.pick_out_scatter" if scatter_view else "anim.pick_out"
        pick_text = translate(key, lang, a=a, b=b, n=len(src))
    if pick_input is not None:
        r, c = pick_input
        dst = anim.output_cells_for_input(r, c)
        static.append(_cells_trace([(r, c)], ix, iy, COLORS["pick"], width=3, line="#a21caf",
                                   name="pick_src"))
        if dst:
            static.append(_cells_trace(dst, ox, oy, COLORS["pick"], width=3, line="#a21caf",
                                       name="pick_dst"))
        key = "anim.pick_in_scatter" if scatter_view else "anim.pick_in"
        pick_text = translate(key, lang, r=r, c=c, n=len(dst))

    eq_y = sc.height + 0.9
    wrap_at = max(40, int(width_px / (font * 0.62)))

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
        if scatter_view or cfg.is_pool:
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
        label = f"{translate('anim.step', lang)}{t + 1}/{anim.n_steps}: "
        equation = _scatter(x=[ix], y=[eq_y],
                              text=[_wrap(label + anim.step_text(t, lang), wrap_at)])
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
                   textposition="bottom right", textfont={"size": font, "color": COLORS["text"]},
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
    slider = {
        "active": start, "x": 0.0, "len": 1.0, "y": 0, "yanchor": "top", "pad": {"t": 30},
        "currentvalue": {"prefix": translate("anim.step", lang), "font": {"size": 14}},
        "font": {"size": 11 if anim.n_steps <= 30 else 8},
        "steps": [{"label": str(t + 1), "method": "animate",
                   "args": [[str(t)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                       "transition": {"duration": 0}}]}
                  for t in range(anim.n_steps)],
    }
    label_y = -0.35

    def wrap_label(text: str, cells: float) -> str:
        room = max(8, int(cells * cell_px / (14 * 0.6)))
        lines: list[str] = []
        for part in text.split(" · "):
            if lines and len(lines[-1]) + 3 + len(part) <= room:
                lines[-1] += " · " + part
            else:
                lines.append(part)
        return "<br>".join(lines)

    annotations = [
        {"x": ix, "y": label_y, "text": f"<b>{wrap_label(sc.labels['input'], kx - 0.5)}</b>", "showarrow": False,
         "xanchor": "left", "yanchor": "bottom", "font": {"size": 14, "color": "#1e3a8a"}},
        {"x": kx, "y": ky + sc.k_span[0] + 0.2, "text": f"<b>{sc.labels['kernel']}</b>",
         "showarrow": False, "xanchor": "left", "yanchor": "top",
         "font": {"size": 13, "color": "#9a3412"}},
        {"x": ox, "y": label_y, "text": f"<b>{wrap_label(sc.labels['output'], sc.width - ox + 0.5)}</b>", "showarrow": False,
         "xanchor": "left", "yanchor": "bottom", "font": {"size": 14, "color": "#14532d"}},
    ]
    if pick_text:
        annotations.append({"x": ox + ow, "y": sc.height + 0.2, "text": pick_text,
                            "showarrow": False, "xanchor": "right", "yanchor": "top",
                            "font": {"size": 13, "color": "#a21caf"}})
    longest = max(len(anim.step_text(t, lang)) for t in range(anim.n_steps)) + 12
    lines = -(-longest // wrap_at)
    eq_rows = 0.9 + lines * font * 1.45 / cell_px
    rows_total = sc.height + 1.3 + eq_rows
    height = int(min(950, max(360, rows_total * cell_px + 150)))
    layout = dict(
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False,
        xaxis={"visible": False, "range": [-0.5, sc.width + 0.5], "fixedrange": True},
        yaxis={"visible": False, "range": [sc.height + eq_rows, -1.3], "fixedrange": True,
               "scaleanchor": "x", "scaleratio": 1},
        annotations=annotations,
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "y": 1.02, "xanchor": "left", "yanchor": "bottom",
                      "pad": {"r": 6, "t": 0}, "buttons": buttons}],
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

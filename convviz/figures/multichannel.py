"""The multi-channel step-by-step animation as a plotly figure with frames.

Top row: the (padded) input channels with the window of the current step on every channel;
middle row: the current filter's kernel slices (one per channel); bottom row: the output maps,
filled in step by step, the current cell outlined. Under them, the step's sum: every channel's
sum of products plus the bias gives ONE output value. Pure builder: the
:class:`convviz.animation.multichannel.MultiChannelAnimation` in, a figure out.
"""

from __future__ import annotations

import numpy as np

from convviz.animation.multichannel import MultiChannelAnimation, _n
from convviz.figures.animation import AnimationFigure
from convviz.i18n import translate

GAP = 1.5


def _mosaic(blocks: list[np.ndarray], gap: float) -> tuple[np.ndarray, list[float]]:
    """Blocks side by side (same height) with ``gap`` empty columns; their x offsets."""
    g = int(gap * 2) // 2 or 1
    h = max(b.shape[0] for b in blocks)
    width = sum(b.shape[1] for b in blocks) + g * (len(blocks) - 1)
    out = np.full((h, width), np.nan)
    offsets, x = [], 0
    for b in blocks:
        out[: b.shape[0], x : x + b.shape[1]] = b
        offsets.append(float(x))
        x += b.shape[1] + g
    return out, offsets


def _text(z: np.ndarray, lang: str) -> list[list[str]]:
    return [["" if not np.isfinite(v) else _n(v, lang) for v in row] for row in z]


SCALES = {
    "input": [[0, "#eff6ff"], [1, "#60a5fa"]],
    "diverging": [[0, "#60a5fa"], [0.5, "#ffffff"], [1, "#f87171"]],
}


def _heat(z: np.ndarray, y0: float, scale: str, lang: str, name: str, top: float) -> dict:
    cells = [[float(v) if np.isfinite(v) else None for v in row] for row in z]
    low = 0.0 if scale == "input" else -top
    return {"type": "heatmap", "z": cells, "x0": 0, "dx": 1, "y0": y0, "dy": 1, "colorscale": SCALES[scale],
            "zmin": low, "zmax": top,
            "showscale": False, "text": _text(z, lang), "texttemplate": "%{text}", "hoverongaps": False,
            "name": name, "xgap": 1, "ygap": 1, "hovertemplate": "%{z}<extra></extra>"}


def _rects(rects: list[tuple[float, float, float, float]], color: str, name: str) -> dict:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x0, y0, x1, y1 in rects:
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": {"color": color, "width": 4},
            "hoverinfo": "skip", "name": name, "showlegend": False}


def multichannel_figure(anim: MultiChannelAnimation, lang: str = "en", frame_ms: int = 700) -> AnimationFigure:
    """The animation (Play / slider); frame ``t`` is step ``t``."""
    xp = anim.padded
    cin, hp, wp = xp.shape
    f_n, _, k, _ = anim.weights.shape
    _, ho, wo = anim.output.shape
    inp, in_x = _mosaic([xp[c] for c in range(cin)], GAP)
    y_k = hp + 2.5
    y_o = y_k + k + 2.5
    y_t = y_o + ho + 1.5

    def kernel(f: int) -> np.ndarray:
        return _mosaic([anim.weights[f, c] for c in range(cin)], GAP)[0]

    w_top = float(np.abs(anim.weights).max()) or 1.0
    o_top = float(np.abs(anim.output).max()) or 1.0
    k_x = _mosaic([anim.weights[0, c] for c in range(cin)], GAP)[1]
    filled = np.full(anim.output.shape, np.nan)
    out_x = _mosaic([filled[f] for f in range(f_n)], GAP)[1]

    def dynamic(t: int) -> list[dict]:
        st = anim.steps[t]
        shown = filled.copy()
        for s in anim.steps[: t + 1]:
            shown[s.f, s.i, s.j] = s.value
        out = _mosaic([shown[f] for f in range(f_n)], GAP)[0]
        win = [(in_x[c] + st.c0 - 0.5, st.r0 - 0.5, in_x[c] + st.c0 + k - 0.5, st.r0 + k - 0.5) for c in range(cin)]
        cell = [(out_x[st.f] + st.j - 0.5, y_o + st.i - 0.5, out_x[st.f] + st.j + 0.5, y_o + st.i + 0.5)]
        sums = [{"x": in_x[c] + wp / 2 - 0.5, "y": -1.0, "text": f"Σ = {_n(st.channel_sums[c], lang)}"}
                for c in range(cin)]
        return [
            _heat(kernel(st.f), y_k, "diverging", lang, "kernel", w_top),
            _heat(out, y_o, "diverging", lang, "output", o_top),
            _rects(win, "#c2410c", "window"),
            _rects(cell, "#15803d", "cell"),
            {"type": "scatter", "x": [s["x"] for s in sums] + [-0.5], "y": [s["y"] for s in sums] + [y_t],
             "mode": "text", "text": [s["text"] for s in sums] + [anim.step_text(t, lang)],
             "textposition": ["middle center"] * cin + ["middle right"], "hoverinfo": "skip", "name": "sums",
             "textfont": {"size": 14}},
        ]

    static = [_heat(inp, 0, "input", lang, "input", float(np.abs(xp).max()) or 1.0)]
    idx = list(range(1, 6))
    frames = [{"name": str(t), "data": dynamic(t), "traces": idx} for t in range(len(anim.steps))]
    fig = AnimationFigure({"data": static + frames[0]["data"], "layout": {}}, frames)
    labels = [(in_x[c] + wp / 2 - 0.5, -2.2, translate("explain.mc_input", lang, c=c)) for c in range(cin)]
    labels += [(k_x[c] + k / 2 - 0.5, y_k - 1.2, translate("explain.mc_kernel", lang, c=c)) for c in range(cin)]
    labels += [(out_x[f] + wo / 2 - 0.5, y_o - 1.2, translate("explain.mc_map", lang, f=f)) for f in range(f_n)]
    fig.update_layout(
        annotations=[{"x": x, "y": y, "text": t, "showarrow": False, "font": {"size": 12}} for x, y, t in labels],
        height=int(120 + 34 * (y_t + 3)), margin={"l": 10, "r": 10, "t": 30, "b": 80}, plot_bgcolor="white",
        paper_bgcolor="white", showlegend=False, dragmode=False, separators=",." if lang == "es" else ".,",
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": -0.02, "xanchor": "left", "yanchor": "top",
                      "buttons": [{"label": translate("explain.mc_play", lang), "method": "animate",
                                   "args": [None, {"frame": {"duration": frame_ms, "redraw": True},
                                                   "fromcurrent": True, "transition": {"duration": 0}}]}]}],
        sliders=[{"active": 0, "x": 0.12, "len": 0.88, "y": -0.02, "currentvalue": {"visible": False},
                  "steps": [{"label": str(t + 1), "method": "animate",
                             "args": [[str(t)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}]}
                            for t in range(len(anim.steps))]}],
    )
    width = max(inp.shape[1], out_x[-1] + wo, k_x[-1] + k)
    fig.update_xaxes(visible=False, range=[-1, width + 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[y_t + 1.5, -3], fixedrange=True, scaleanchor="x")
    return fig

"""Where the figure and the GIF draw an animation's panels, and what their labels say."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from convviz.animation.frames import OVER, Animation
from convviz.arithmetic import effective_kernel
from convviz.i18n import translate


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


def wrap_label(text: str, fits: Callable[[str], bool]) -> list[str]:
    """A panel label broken at its `` · `` separators into lines, joining parts while the
    line ``fits`` (the figure counts characters, the GIF measures pixels)."""
    lines: list[str] = []
    for part in text.split(" · "):
        if lines and fits(lines[-1] + " · " + part):
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def _input_label(anim: Animation, lang: str) -> list[str]:
    """The input panel's label: input 7x7 · padding 1 · stride 2 (the transposed
    convolution's direct view names its inserted zeros and padding or crop instead)."""
    (rows, cols), layer = anim.axes, anim.layer
    parts = [translate("anim.label_input", lang, h=layer.h, w=layer.w)]
    if anim.op == "convt" and not anim.scatter:
        if rows.s > 1 or cols.s > 1:
            parts.append(translate("anim.label_zeros", lang, z=_pair(rows.s - 1, cols.s - 1)))
        pb = (anim.rows.pad_shown, anim.cols.pad_shown)
        if min(pb) < 0:
            parts.append(translate("anim.label_cropped", lang, p=_pair(-pb[0], -pb[1])))
        else:
            parts.append(translate("anim.label_padding", lang, p=_pair(*pb)))
        parts.append(translate("anim.label_stride", lang, s=1))
    elif anim.scatter:
        parts.append(translate("anim.label_stride", lang, s=_pair(rows.s, cols.s)))
    else:
        if any(anim.pad):
            parts.append(translate("anim.label_padding", lang, p=_pad_label(anim.pad)))
        parts.append(translate("anim.label_stride", lang, s=_pair(rows.s, cols.s)))
        if layer.ceil_mode and anim.is_pool and (anim.kinds == OVER).any():
            parts.append(translate("anim.label_ceil", lang))
    return parts


def _kernel_label(anim: Animation, lang: str) -> list[str]:
    rows, cols = anim.axes
    key = "anim.label_window" if anim.is_pool else (
        "anim.label_kernel_rot" if anim.flip or (anim.op == "convt" and not anim.scatter)
        else "anim.label_kernel")
    parts = [translate(key, lang, h=rows.k, w=cols.k)]
    if rows.d > 1 or cols.d > 1:
        parts.append(translate("anim.label_dilation", lang, d=_pair(rows.d, cols.d)))
    return parts


def _output_label(anim: Animation, lang: str) -> list[str]:
    rows, cols = anim.axes
    out_h, out_w = anim.output.shape
    parts = [translate("anim.label_output", lang, h=out_h, w=out_w)]
    if anim.scatter and (rows.before or cols.before):
        oh, ow = anim.out_side_shape
        parts.append(translate("anim.label_canvas", lang, h=oh, w=ow, p=_pair(rows.before, cols.before)))
    if rows.op or cols.op:
        parts.append(translate("anim.label_output_padding", lang, op=_pair(rows.op, cols.op)))
    return parts


def scene(anim: Animation, lang: str = "en", gap: float = 2.0, *, stacked: bool = False,
          vgap: tuple[float, float] = (1.5, 1.5)) -> Scene:
    """Panel positions (in cells) and the labels ("input 7x7 · padding 1 · stride 2", ...).

    Side by side (input, kernel, output from left to right, ``gap`` cells apart), or
    ``stacked`` for narrow screens: input on top, then the kernel ``vgap[0]`` cells lower,
    then the output ``vgap[1]`` cells below the kernel (room for their labels).
    """
    rows, cols = anim.axes
    gh, gw = anim.kinds.shape
    kspan = (effective_kernel(rows.k, rows.d), effective_kernel(cols.k, cols.d))
    oh, ow = anim.out_side_shape
    sep = " · "
    labels = {"input": sep.join(_input_label(anim, lang)), "kernel": sep.join(_kernel_label(anim, lang)),
              "output": sep.join(_output_label(anim, lang))}
    if stacked:
        k_y = gh + vgap[0]
        out_y = k_y + kspan[0] + vgap[1]
        return Scene(
            in_origin=(0.0, 0.0), in_shape=(gh, gw), k_origin=(0.0, k_y), k_span=kspan,
            out_origin=(0.0, out_y), out_shape=(oh, ow), width=float(max(gw, kspan[1], ow)),
            height=out_y + oh, labels=labels,
        )
    k_x = gw + gap
    out_x = k_x + kspan[1] + gap
    return Scene(
        in_origin=(0.0, 0.0), in_shape=(gh, gw), k_origin=(k_x, 0.0), k_span=kspan,
        out_origin=(out_x, 0.0), out_shape=(oh, ow), width=out_x + ow,
        height=float(max(gh, oh, kspan[0])), labels=labels,
    )

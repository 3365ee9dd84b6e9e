"""One screen for a projector: the Layer-arithmetic page's controls in a compact column beside
its results (output shape, key numbers, the formula filled in, the animation), so at 1280x720
the animation, the formula and the numbers are seen together; a phone keeps one stacked column.
Also the formula as the lecture writes it beside PyTorch's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import streamlit as st

from convviz.arithmetic.layer_calc import LayerSettings
from convviz.arithmetic.lecture_forms import lecture_form, lecture_params_form
from pages.ui import tr

_MOBILE = re.compile(r"Mobi|Android|iPhone|iPod|Windows Phone", re.IGNORECASE)
COMPACT_CSS = """<style>
/* less empty space above the page's title: the projector's 720 rows are precious */
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 3rem; }
@media (min-width: 1000px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2.5rem; padding-right: 2.5rem; }
}
</style>"""


def is_phone() -> bool:
    """A phone's browser, from the User-Agent header (Streamlit does not expose the viewport
    width); the animation's "compact layout" toggle overrides it for the figure."""
    try:
        agent = st.context.headers.get("User-Agent", "") or ""
    except Exception:  # noqa: BLE001 - no request context (AppTest): assume a desktop
        return False
    return bool(_MOBILE.search(agent))


def compact_page() -> None:
    """Less padding around every page (called once by app.py); styles only, no script."""
    st.html(COMPACT_CSS)


@dataclass(frozen=True)
class Boxes:
    """Where the Layer-arithmetic page draws each part."""

    head: Any  # the title
    summary: Any  # output shape and key numbers
    settings: Any  # the layer's settings
    controls: Any  # the animation's controls
    formulas: Any  # the output size, the lecture's form beside PyTorch's
    figure: Any  # the animation
    details: Any  # warnings, how the counts are made, receptive field


def projector_boxes(phone: bool) -> Boxes:
    """On a laptop or projector, two columns: title, output shape, key numbers and then the
    settings on the left; the formula and the animation on the right, at the top, so the
    three are seen together. On a phone one column in the page's reading order."""
    if phone:
        head, settings, summary, formulas_, details, controls, figure = (st.container() for _ in range(7))
        return Boxes(head, summary, settings, controls, formulas_, figure, details)
    left, right = st.columns([1, 2.1], gap="medium")
    head, summary, settings, controls = (left.container() for _ in range(4))
    formulas_, figure, details = (right.container() for _ in range(3))
    return Boxes(head, summary, settings, controls, formulas_, figure, details)


def formulas(layer: LayerSettings, result: Any, lang: str, phone: bool = False) -> None:
    """The output size per axis: the lecture's form above PyTorch's, the same numbers in both
    (one block when height and width have the same numbers). On a phone PyTorch's form breaks
    after its first "=" (on one line it was cut off)."""
    axes = layer.axes()
    rows = [(tr("arith.height"), 0), (tr("arith.width"), 1)]
    if axes[0] == axes[1]:
        rows = [(f"{tr('arith.height')} = {tr('arith.width')}", 0)]
    lecture_name, pytorch_name = tr("arith.lecture_form"), tr("arith.pytorch_form")
    for label, i in rows:
        a = axes[i]
        lines = []
        if layer.op != "convt" and a.before == a.after:
            lines.append(rf"\text{{{lecture_name}}}: & \quad {lecture_form(a.n, a.k, a.s, a.before, a.d, lang)}")
        first, _, rest = result.latex[i].partition(" = ")
        if phone and rest:  # on one line it was cut off on a phone
            lines.append(rf"\text{{{pytorch_name}}}: & \quad {first} \\ & \quad = {rest}")
        else:
            lines.append(rf"\text{{{pytorch_name}}}: & \quad {result.latex[i]}")
        st.caption(f"**{label}**")
        st.latex(r"\small \begin{aligned}" + r" \\[4pt] ".join(lines) + r"\end{aligned}")


def params_formula(layer: LayerSettings, lang: str) -> None:
    """The lecture's parameter rule (F·F·C_in + 1)·C_out with the layer's numbers (with groups,
    C_in/g; without a bias, no + 1); convolutions and transposed convolutions only."""
    if layer.op not in ("conv", "convt"):
        return
    st.caption(f"**{tr('arith.params_lecture')}**")
    st.latex(r"\small " + lecture_params_form(*layer.kernel, layer.in_channels, layer.out_channels,
                                               layer.groups, layer.bias, lang))

"""The Layer-arithmetic page's widget keys and the one layer they describe.

The engine only knows :class:`convviz.arithmetic.layer_calc.LayerSettings`; the names of
the page's widgets stay here: :func:`layer_from_state` reads them into a layer,
:func:`widget_values` writes a layer (a gallery case) back into them.
"""

from __future__ import annotations

from collections.abc import Mapping

from convviz.arithmetic.layer_calc import LayerSettings

DEFAULTS: dict[str, object] = {
    "arith_op": "conv", "arith_h": 5, "arith_w": 5, "arith_cin": 1, "arith_cout": 1,  # the lecture example: 5x5, 3x3
    "arith_kh": 3, "arith_kw": 3, "arith_sh": 1, "arith_sw": 1, "arith_pad_mode": "number",
    "arith_ph": 0, "arith_pw": 0, "arith_dh": 1, "arith_dw": 1, "arith_oph": 0, "arith_opw": 0,
    "arith_groups": 1, "arith_bias": True, "arith_ceil": False, "arith_cip": True,
}


def layer_from_state(op: str, state: Mapping[str, object]) -> LayerSettings:
    """The layer the widgets describe (widgets hidden for ``op`` are not read)."""
    conv = op in ("conv", "convt")
    number = op != "conv" or state["arith_pad_mode"] == "number"
    return LayerSettings(
        op=op, h=state["arith_h"], w=state["arith_w"], in_channels=state["arith_cin"],
        out_channels=state["arith_cout"] if conv else state["arith_cin"],
        kernel=(state["arith_kh"], state["arith_kw"]), stride=(state["arith_sh"], state["arith_sw"]),
        padding=(state["arith_ph"], state["arith_pw"]) if number else state["arith_pad_mode"],
        dilation=(state["arith_dh"], state["arith_dw"]) if op != "avgpool" else (1, 1),
        output_padding=(state["arith_oph"], state["arith_opw"]), groups=state["arith_groups"],
        bias=state["arith_bias"], ceil_mode=state["arith_ceil"], count_include_pad=state["arith_cip"],
    )  # type: ignore[arg-type]


def widget_values(layer: LayerSettings) -> dict[str, object]:
    """The widget keys and values that show ``layer`` (channels, groups and bias are kept)."""
    (pt, _), (pl, _) = layer.padding_pairs()
    return {
        "arith_op": layer.op, "arith_h": layer.h, "arith_w": layer.w,
        "arith_kh": layer.kernel[0], "arith_kw": layer.kernel[1],
        "arith_sh": layer.stride[0], "arith_sw": layer.stride[1], "arith_ph": pt, "arith_pw": pl,
        "arith_dh": layer.dilation[0], "arith_dw": layer.dilation[1],
        "arith_oph": layer.output_padding[0], "arith_opw": layer.output_padding[1],
        "arith_ceil": layer.ceil_mode, "arith_cip": layer.count_include_pad,
        "arith_pad_mode": layer.padding if isinstance(layer.padding, str) else "number",
    }

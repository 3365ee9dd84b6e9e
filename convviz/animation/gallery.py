"""The gallery: conv_arithmetic's classic cases (Dumoulin & Visin) and the lecture's example,
each one layer (:class:`convviz.arithmetic.layer_calc.LayerSettings`), square sizes."""

from __future__ import annotations

from convviz.arithmetic.layer_calc import LayerSettings


def _square(op: str, i: int, k: int, s: int = 1, p: int | str = 0, d: int = 1, output_padding: int = 0,
            ceil: bool = False) -> LayerSettings:
    """A layer with the same size, kernel, stride, padding and dilation on both axes."""
    return LayerSettings(op=op, h=i, w=i, kernel=(k, k), stride=(s, s),
                         padding=p if isinstance(p, str) else (p, p), dilation=(d, d),
                         output_padding=(output_padding, output_padding), ceil_mode=ceil)


GALLERY: dict[str, LayerSettings] = {
    "lecture": _square("conv", 5, 3),
    "no_padding_no_strides": _square("conv", 4, 3),
    "arbitrary_padding": _square("conv", 5, 4, p=2),
    "same_padding": _square("conv", 5, 3, p="same"),
    "full_padding": _square("conv", 5, 3, p=2),
    "no_padding_strides": _square("conv", 5, 3, s=2),
    "padding_strides": _square("conv", 5, 3, s=2, p=1),
    "padding_strides_odd": _square("conv", 6, 3, s=2, p=1),
    "dilation": _square("conv", 7, 3, d=2),
    "no_padding_no_strides_t": _square("convt", 2, 3),
    "arbitrary_padding_t": _square("convt", 6, 4, p=2),
    "same_padding_t": _square("convt", 5, 3, p=1),
    "full_padding_t": _square("convt", 7, 3, p=2),
    "no_padding_strides_t": _square("convt", 2, 3, s=2),
    "padding_strides_t": _square("convt", 3, 3, s=2, p=1),
    "padding_strides_odd_t": _square("convt", 3, 3, s=2, p=1, output_padding=1),
    "dilation_t": _square("convt", 3, 3, d=2),
    "max_pool": _square("maxpool", 4, 2, s=2),
    "avg_pool_ceil": _square("avgpool", 5, 2, s=2, ceil=True),
}
"""Gallery key (its button label is the catalog's ``anim.case_<key>``) -> the layer."""

"""The arithmetic of layers and networks: how big each output is, how many parameters and
operations a layer costs, which inputs a unit sees (receptive field), and the network specs,
presets, summaries and exports built on them.

The output-size rules live in :mod:`convviz.arithmetic.sizes` and are re-exported here, so
``from convviz.arithmetic import conv_out`` keeps working. Submodules are imported on use.
"""

from __future__ import annotations

from convviz.arithmetic.sizes import (
    Tiling,
    adaptive_bins,
    conv_formula,
    conv_out,
    convt_formula,
    convt_out,
    effective_kernel,
    pool_formula,
    pool_out,
    same_padding,
)

__all__ = [
    "Tiling",
    "adaptive_bins",
    "conv_formula",
    "conv_out",
    "convt_formula",
    "convt_out",
    "effective_kernel",
    "pool_formula",
    "pool_out",
    "same_padding",
]

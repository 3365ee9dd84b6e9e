"""ConvViz engine: convolution arithmetic, network summaries, animation frames,
image filters and a small numpy CNN. Pure Python + numpy; never imports streamlit.
"""

from __future__ import annotations

from typing import Any

from convviz.errors import SpecError

__all__ = ["SpecError", "summarize"]
__version__ = "0.1.0"


def summarize(spec: Any, input_shape: Any = None) -> Any:
    """Summarise a network: see :func:`convviz.arithmetic.summary.summarize`."""
    from convviz.arithmetic.summary import summarize as _summarize

    return _summarize(spec, input_shape)

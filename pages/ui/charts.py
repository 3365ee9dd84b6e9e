"""Plotly figures shown on every rerun, serialised once.

``st.plotly_chart`` calls the figure's ``to_dict`` on every rerun: a deep copy of every trace
and a base64 pass over every array (about 2 ms for a small heatmap, far more for an
animation's frames), while turning that dict into JSON takes a twentieth of it. The pages
keep their figures in caches and show the same object on every rerun, so :func:`frozen`
marks a figure as finished and its ``to_dict`` is computed once and kept on the object.

A frozen figure must not be changed afterwards (cached figures are shared read-only
between sessions anyway). ``bench/RESULTS-load.md`` has the measured effect.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from plotly.basedatatypes import BaseFigure

Fig = TypeVar("Fig", bound=BaseFigure)
_MEMO = "_convviz_frozen_dict"


@cache
def _frozen_class(cls: type) -> type:
    """``cls`` with a ``to_dict`` that is computed once per object."""

    def to_dict(self: BaseFigure) -> dict:
        memo = self.__dict__.get(_MEMO)
        if memo is None:
            memo = cls.to_dict(self)
            self.__dict__[_MEMO] = memo  # two first reruns at once: both compute the same
        return memo

    def __reduce__(self: BaseFigure) -> tuple:
        """Copies and pickles are plain ``cls`` figures, made from a copy of the memo (plotly's
        own ``__reduce__`` adds keys to the dict ``to_dict`` returns: here, the memo)."""
        props = dict(to_dict(self))
        props["_grid_str"], props["_grid_ref"] = self._grid_str, self._grid_ref
        return (cls, (props,))

    return type(f"Frozen{cls.__name__}", (cls,), {"to_dict": to_dict, "__reduce__": __reduce__,
                                                  "__module__": __name__, "_convviz_frozen": True})


def frozen(fig: Fig) -> Fig:
    """``fig`` itself, from now on serialised once (see the module's docstring)."""
    if not getattr(type(fig), "_convviz_frozen", False):
        fig.__class__ = _frozen_class(type(fig))
    return fig

"""Pure figure builders: data in, plotly figure out (one module per page's concept).

Plotly is imported only here, never on the engine's arithmetic path, so the CLI stays fast.
"""

from convviz.i18n import NUMBER_SEPARATORS


def separators(lang: str) -> str:
    """plotly's ``layout.separators`` for ``lang``: decimal mark, then thousands separator
    (``",."`` in Spanish), so ticks and ``%{y:.2f}`` hovers read 0,25 and 61.706 there."""
    thousands, decimal = NUMBER_SEPARATORS.get(lang, NUMBER_SEPARATORS["en"])
    return decimal + thousands

"""Reading numbers back from the page in either language (for the page tests).

Written independently of :func:`convviz.i18n.fmt_number`: Spanish numbers group thousands
with ``.`` and use ``,`` for decimals (``61.706``, ``0,71``), English the other way round.
"""

from __future__ import annotations

import re

_PATTERN = {
    # a number ends where no digit, and no separator followed by a digit, comes next (so the
    # full stop of a sentence or the comma of a list is not read as part of it)
    "en": re.compile(r"(?<![\d.,])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d|[.,]\d)"),
    "es": re.compile(r"(?<![\d.,])-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?!\d|[.,]\d)"),
}


def parse_number(text: str, lang: str) -> float | int:
    """``"61.706"`` (es) or ``"61,706"`` (en) -> 61706; ``"0,71"`` (es) -> 0.71. Raises
    ValueError when ``text`` is not one number written the ``lang`` way."""
    text = text.strip().replace("\u00a0", " ")
    match = _PATTERN[lang].fullmatch(text)
    if not match:
        raise ValueError(f"not a {lang} number: {text!r}")
    group, decimal = (",", ".") if lang == "en" else (".", ",")
    plain = text.replace(group, "").replace(decimal, ".")
    return float(plain) if "." in plain else int(plain)


def numbers_in(text: str, lang: str) -> list[float | int]:
    """Every number written the ``lang`` way in ``text`` (thousands groups kept together)."""
    return [parse_number(m.group(0), lang) for m in _PATTERN[lang].finditer(text)]

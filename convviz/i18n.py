"""One string catalog per language (English and Spanish) for every user-facing string.

The catalog of a language is the union of the JSON files in ``locales/<lang>/``;
a key ``"name"`` in ``filters.json`` is looked up as ``"filters.name"``. Values are
``str.format`` templates: ``translate("arith.output", "en", h=4, w=4)``.
A missing key falls back to English, then to the key itself, so a page never crashes
on a missing translation (the tests make sure none is missing).
"""

from __future__ import annotations

import json
import numbers
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
_LOCALES = Path(__file__).with_name("locales")


@cache
def catalog(lang: str) -> dict[str, str]:
    """All strings of ``lang`` as a flat ``{"section.key": text}`` dict."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; choose one of {sorted(LANGUAGES)}")
    strings: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        section = path.stem
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            strings[f"{section}.{key}"] = text
    return strings


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``values`` filled into its ``{placeholders}``."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


NUMBER_SEPARATORS: dict[str, tuple[str, str]] = {"en": (",", "."), "es": (".", ",")}
"""``(thousands, decimal)`` separators of each language: ``61,706`` / ``0.71`` in English,
``61.706`` / ``0,71`` in Spanish. Pages use them for numbers shown to the user; the CLI and
the CSV / JSON exports keep plain digits with a ``.`` decimal point."""

LIST_SEPARATORS: dict[str, str] = {"en": ", ", "es": "; "}
"""Between the numbers of a list or vector: ``[0.5, 1.2]`` in English, ``[0,5; 1,2]`` in Spanish
(whose comma is the decimal mark)."""


def fmt_numbers(values: object, lang: str = DEFAULT_LANGUAGE, decimals: int | None = None, *,
                spec: str | None = None) -> str:
    """Numbers joined with the list separator of ``lang``: ``"1, 2.5"`` / ``"1; 2,5"``."""
    sep = LIST_SEPARATORS.get(lang, LIST_SEPARATORS[DEFAULT_LANGUAGE])
    return sep.join(fmt_number(v, lang, decimals, spec=spec) for v in values)  # type: ignore[attr-defined]


def fmt_number(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int | None = None, *,
               spec: str | None = None) -> str:
    """``value`` written with the separators of ``lang`` (:data:`NUMBER_SEPARATORS`).

    - ``decimals=None``: integers exactly with thousands grouped (``61706 -> "61.706"`` in
      Spanish), other numbers with 6 significant digits (``0.5 -> "0,5"``);
    - ``decimals=n``: fixed ``n`` decimals, thousands grouped (``1234.5, n=2 -> "1.234,50"``);
    - ``spec``: any Python format spec instead (``".4g"``, ``".1%"``, ``",.2f"``). A Spanish
      percentage gets a no-break space before ``%`` (``"71,0 %"``), as Spanish writes it.

    The number is formatted the English (Python) way first, then ``,`` and ``.`` are swapped.
    """
    if spec is None:
        if decimals is not None:
            spec = f",.{decimals}f"
        elif isinstance(value, numbers.Integral):
            spec = ","
        else:
            spec = ",.6g"
    text = format(value, spec)
    thousands, decimal = NUMBER_SEPARATORS.get(lang, NUMBER_SEPARATORS[DEFAULT_LANGUAGE])
    text = text.translate({ord(","): thousands, ord("."): decimal})
    if lang == "es" and text.endswith("%"):
        text = text[:-1] + "\u00a0%"
    return text

"""One string catalog per language (English and Spanish) for every user-facing string.

The catalog of a language is the union of the JSON files in ``locales/<lang>/``;
a key ``"name"`` in ``filters.json`` is looked up as ``"filters.name"``. Values are
``str.format`` templates: ``translate("arith.output", "en", h=4, w=4)``.
A missing key falls back to English, then to the key itself, so a page never crashes
on a missing translation (the tests make sure none is missing).
"""

from __future__ import annotations

import json
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

"""The two catalogs have the same keys and the same placeholders in every string."""

from __future__ import annotations

import string

import pytest

from convviz.i18n import LANGUAGES, catalog, translate


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_keys() -> None:
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    english = keys["en"]
    assert len(english) > 10
    for lang, lang_keys in keys.items():
        assert lang_keys - english == set(), f"{lang} has keys English lacks"
        assert english - lang_keys == set(), f"{lang} lacks keys"


def test_placeholders_match_between_languages() -> None:
    english = catalog("en")
    for lang in LANGUAGES:
        for key, text in catalog(lang).items():
            assert _fields(text) == _fields(english[key]), f"{lang}:{key}"


def test_no_empty_strings_and_translation_differs_somewhere() -> None:
    en, es = catalog("en"), catalog("es")
    assert all(v.strip() for v in en.values()) and all(v.strip() for v in es.values())
    assert sum(en[k] != es[k] for k in en) > len(en) // 2


def test_translate_fills_values_and_falls_back_to_the_key() -> None:
    assert translate("common.language", "es") == "Idioma"
    assert translate("no.such.key", "es") == "no.such.key"


def test_every_translatable_error_shares_one_base_and_one_translation() -> None:
    """SpecError, the spec tools' errors, ImageError and KernelError are ConvVizErrors: the
    same key and values give the message in each language, nested notes translated too."""
    from convviz import ConvVizError, SpecError
    from convviz.arithmetic.effective_rf import ERFError, ERFTooLarge
    from convviz.arithmetic.spec_edit import EditError
    from convviz.errors import CatalogError, Note
    from convviz.images import ImageError, load_image
    from convviz.images.filters import KernelError

    for cls in (SpecError, CatalogError, EditError, ERFError, ERFTooLarge, ImageError, KernelError):
        assert issubclass(cls, ConvVizError) and issubclass(cls, ValueError)
    err = SpecError.of("engine.on_axis", axis=Note("engine.axis_h"), reason=Note("engine.divisor_zero")).at("layers.2")
    assert str(err).startswith("layers.2: ") and str(err) == err.localized("en")
    assert err.localized("es") != err.localized("en") and "layers.2: " in err.localized("es")
    with pytest.raises(ImageError) as info:
        load_image(b"not an image", "es")
    image_err = info.value
    assert str(image_err) == image_err.localized("es") != image_err.localized("en")
    erf = ERFError("rf.erf_bad_arg", name="layers.0", value=Note("engine.divisor_zero"))
    assert Note("engine.divisor_zero").text("es") in erf.localized("es")

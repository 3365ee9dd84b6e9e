"""The lecture's terms in English and Spanish, each with a one-line definition.

The words and definitions live in the catalogs (``locales/<lang>/glossary.json``: keys
``term_<id>`` and ``def_<id>``); this module fixes the terms and their order (the lecture's):
from the convolution itself to the layers, training, and the networks' building blocks. The
Spanish words are the lecture's own (filtro / kernel / máscara, stride, padding, feature map,
epoch, batch, learning rate...). Every page shows the glossary (``pages.ui.glossary``).
"""

from __future__ import annotations

from dataclasses import dataclass

from convviz.i18n import LANGUAGES, translate

TERMS: tuple[str, ...] = (
    "convolution", "correlation", "filter", "kernel", "feature_map", "channel", "stride", "padding",
    "dilation", "receptive_field", "transposed", "conv1x1", "pooling", "flatten", "fully_connected",
    "sparse", "sharing", "equivariance", "neuron", "weights", "activation", "softmax", "loss",
    "backprop", "gradient_descent", "learning_rate", "batch", "epoch", "iteration", "adam",
    "early_stopping", "augmentation", "batch_norm", "dropout", "residual",
)
"""The glossary's terms, in the lecture's order."""


@dataclass(frozen=True)
class Entry:
    """One term: its words in every language (``{"en": ..., "es": ...}``) and its definition
    in the reader's language."""

    term: str
    words: dict[str, str]
    definition: str


def entries(lang: str) -> list[Entry]:
    """Every term of :data:`TERMS` with its words in all languages and its definition in ``lang``."""
    return [
        Entry(term, {code: translate(f"glossary.term_{term}", code) for code in LANGUAGES},
              translate(f"glossary.def_{term}", lang))
        for term in TERMS
    ]

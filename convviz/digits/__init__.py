"""The digit network and its data: drawn digits turned into MNIST-style inputs, the shipped
classifier, the MNIST files and their download, augmentation, and the training curves.
The numpy network itself is :mod:`convviz.nn`.

The canvas helpers' public names (:mod:`convviz.digits.canvas`) are re-exported here, so
``from convviz.digits import preprocess_canvas, load_classifier`` keeps working.
"""

from __future__ import annotations

from convviz.digits.canvas import (
    BOX,
    CENTRE,
    INK_LEVEL,
    MODEL_PATH,
    SIZE,
    STROKE_RANGE,
    STROKE_TARGET,
    PreprocessSteps,
    load_classifier,
    photo_to_canvas,
    preprocess_canvas,
    preprocess_steps,
    stroke_width,
    to_gray,
)

__all__ = [
    "BOX",
    "CENTRE",
    "INK_LEVEL",
    "MODEL_PATH",
    "SIZE",
    "STROKE_RANGE",
    "STROKE_TARGET",
    "PreprocessSteps",
    "load_classifier",
    "photo_to_canvas",
    "preprocess_canvas",
    "preprocess_steps",
    "stroke_width",
    "to_gray",
]

"""Images and filters: loading an uploaded picture safely into an RGB array, the sample
pictures, and the classic convolution filters applied to them.

The loader's public names (:mod:`convviz.images.load`) are re-exported here, so
``from convviz.images import load_image`` keeps working.
"""

from __future__ import annotations

from convviz.images.load import (
    EXTENSIONS,
    FORMATS,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    ImageError,
    Number,
    encode_png,
    load_image,
    preview,
    to_rgb,
)

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageError",
    "Number",
    "encode_png",
    "load_image",
    "preview",
    "to_rgb",
]

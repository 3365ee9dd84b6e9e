"""Safe image loading for the filter lab: bytes in, ``(H, W, 3)`` uint8 RGB out.

:func:`load_image` accepts PNG, JPEG, WebP, BMP, TIFF and GIF (first frame) and raises
:class:`ImageError` (a ``ValueError``) with a clear message for anything it cannot use:
empty data, not an image, an unsupported format, a truncated or corrupt file, a file larger
than :data:`MAX_FILE_BYTES` or an image with more than :data:`MAX_PIXELS` pixels
(decompression bombs are rejected from the header, before any pixel is decoded, so memory
stays bounded). EXIF orientation is applied. Every mode is converted to RGB:

* ``1``, ``L`` -> grey copied to the three channels; ``CMYK``, ``YCbCr``, ``LAB``, ``HSV``
  -> Pillow's RGB conversion;
* anything with transparency (``LA``, ``RGBA``, ``PA``, ``P`` with a transparent index,
  ``RGB`` with a transparent colour) -> composited on white: ``out = a*c + (1-a)*255``;
* 16-bit (``I;16*``) -> ``round(v / 257)`` (so 65535 -> 255);
* 32-bit integer ``I`` and float ``F`` -> kept as is when all values lie in ``[0, 255]``
  (floats in ``[0, 1]`` are multiplied by 255), divided by 257 when they lie in
  ``[0, 65535]``, otherwise stretched linearly from ``[min, max]`` to ``[0, 255]``.

Also here: :func:`preview` (downscale so the longer side is at most ``max_side``) and
:func:`encode_png` (array -> PNG bytes for downloads).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from convviz.errors import Note
from convviz.i18n import fmt_number, translate

MAX_FILE_BYTES = 25 * 1024 * 1024
"""Largest upload accepted (25 MB)."""
MAX_PIXELS = 40_000_000
"""Largest image accepted (40 megapixels, width x height)."""
FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "BMP", "DIB", "TIFF", "GIF")
"""Pillow format names the loader tries (MPO is the JPEG variant many phones write)."""
EXTENSIONS = ("png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif")
"""File name extensions offered by the upload widget."""

# Pillow's own bomb guard: warn above MAX_PIXELS, error above 2x. We check the header
# ourselves first; the warning is turned into an error below as a second line of defence.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_PIXELS)
ImageFile.LOAD_TRUNCATED_IMAGES = False
Image.init()  # register every plugin (MPO, WebP, ...) so ``formats=`` can name them
_OPEN_FORMATS = [f for f in FORMATS if f in Image.OPEN]


class ImageError(ValueError):
    """An upload that cannot be used as an image, with the reason in the student's words.

    Built from a catalog key and its values (like :class:`convviz.errors.SpecError`), so a
    page can show it wholly in the user's language with :meth:`localized`; ``str(err)`` is
    the text in the language :func:`load_image` was given (English by default). Pillow's own
    reason is kept as a catalog :class:`~convviz.errors.Note` (``values["detail"]``), never as
    its English text.
    """

    def __init__(self, message: str, *, key: str | None = None, values: dict[str, object] | None = None) -> None:
        self.key = key
        self.values = dict(values or {})
        super().__init__(message)

    @classmethod
    def of(cls, key: str, lang: str = "en", **values: object) -> ImageError:
        """The error of catalog ``key`` (values may be :class:`~convviz.errors.Note`)."""
        return cls(translate(key, lang, **_in(lang, values)), key=key, values=values)

    def localized(self, lang: str) -> str:
        """The message in ``lang``."""
        return translate(self.key, lang, **_in(lang, self.values)) if self.key else str(self)


@dataclass(frozen=True)
class Number:
    """A number in a message, written with the separators of the reader's language."""

    value: float
    decimals: int = 0

    def text(self, lang: str = "en") -> str:
        return fmt_number(self.value, lang, self.decimals)


def _in(lang: str, values: dict[str, object]) -> dict[str, object]:
    return {k: v.text(lang) if isinstance(v, (Note, Number)) else v for k, v in values.items()}


def _err(key: str, lang: str, **values: object) -> ImageError:
    return ImageError.of(f"filters.{key}", lang, **values)


_DETAILS = (  # a fragment of Pillow's message -> the catalog's words for it
    ("cannot identify image file", "img_detail_unidentified"),
    ("truncated", "img_detail_truncated"),
    ("broken data stream", "img_detail_broken"),
    ("decoder", "img_detail_decoder"),
    ("not enough image data", "img_detail_truncated"),
)


def _detail(exc: BaseException) -> Note:
    """Pillow's reason for a failure as a catalog note (its English text is not shown)."""
    text = str(exc).lower()
    key = next((k for fragment, k in _DETAILS if fragment in text), None)
    if key is None:
        return Note("filters.img_detail_other", {"kind": type(exc).__name__})
    return Note(f"filters.{key}")


def _mb(n: int) -> Number:
    return Number(n / (1024 * 1024), 1)


def load_image(data: bytes, lang: str = "en") -> np.ndarray:
    """Decode ``data`` into an ``(H, W, 3)`` uint8 RGB array (see the module docstring).

    Raises :class:`ImageError` with a message in ``lang`` for anything unusable.
    """
    if data is None or len(data) == 0:
        raise _err("img_empty", lang)
    if len(data) > MAX_FILE_BYTES:
        raise _err("img_too_large_file", lang, size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as img:
                width, height = img.size
                if width <= 0 or height <= 0:
                    raise _err("img_corrupt", lang, detail=Note("filters.img_detail_no_size"))
                if width * height > MAX_PIXELS:
                    raise _err(
                        "img_too_many_pixels", lang, w=width, h=height,
                        mp=Number(width * height / 1e6, 1), limit=Number(MAX_PIXELS / 1e6),
                    )
                img.seek(0)  # first frame of GIF / multi-page TIFF
                img.load()
                img = ImageOps.exif_transpose(img)
                return to_rgb(img)
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        if _has_image_signature(data):
            raise _err("img_corrupt", lang, detail=_detail(exc)) from exc
        raise _err("img_not_image", lang, formats=", ".join(e.upper() for e in EXTENSIONS)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _err("img_bomb", lang, limit=Number(MAX_PIXELS / 1e6)) from exc
    except MemoryError as exc:
        raise _err("img_bomb", lang, limit=Number(MAX_PIXELS / 1e6)) from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a corrupt file
        # OSError (truncated), SyntaxError / ValueError / struct.error (bad headers), ...
        raise _err("img_corrupt", lang, detail=_detail(exc)) from exc


_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def _has_image_signature(data: bytes) -> bool:
    """Whether ``data`` starts like one of the accepted formats (then it is damaged, not alien)."""
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """``a*c + (1-a)*255`` per channel, ``a = alpha/255``; rounded to uint8."""
    rgb = rgba[..., :3].astype(np.float32)
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    out = rgb * alpha + 255.0 * (1.0 - alpha)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _scale_wide(values: np.ndarray) -> np.ndarray:
    """Map 16/32-bit integer or float samples to 0..255 (rules in the module docstring)."""
    v = values.astype(np.float64)
    finite = np.isfinite(v)
    if not finite.all():
        v = np.where(finite, v, 0.0)
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    if values.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
        v = v * 255.0
    elif lo >= 0.0 and hi <= 255.0:
        pass
    elif lo >= 0.0 and hi <= 65535.0:
        v = v / 257.0
    else:
        v = (v - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(v)
    return np.clip(np.rint(v), 0, 255).astype(np.uint8)


def to_rgb(img: Image.Image) -> np.ndarray:
    """Convert a loaded Pillow image of any mode to ``(H, W, 3)`` uint8 RGB."""
    mode = img.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        grey = _scale_wide(np.asarray(img))
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    elif mode == "RGB" and "transparency" in img.info:
        img = img.convert("RGBA")
    elif mode in ("LA", "La", "PA", "RGBa"):
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        return _composite_on_white(np.asarray(img))
    if img.mode in ("1", "L"):
        grey = np.asarray(img.convert("L"))
        return np.repeat(grey[..., None], 3, axis=2)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def preview(image: np.ndarray, max_side: int = 800) -> np.ndarray:
    """``image`` downscaled (area-averaging) so that its longer side is at most ``max_side``.

    Returns the input itself when it is already small enough.
    """
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    pil = Image.fromarray(np.ascontiguousarray(image))
    return np.asarray(pil.resize(size, Image.Resampling.BOX, reducing_gap=2.0))


def encode_png(image: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of a uint8 ``(H, W)`` or ``(H, W, 3)`` array (fast compression by default)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()

"""Safe image loading for the filter lab: bytes in, ``(H, W, 3)`` uint8 RGB out.

:func:`load_image` accepts PNG, JPEG, WebP, BMP, TIFF and GIF (first frame) and raises
:class:`ImageError` (a ``ValueError``) with a clear message for anything it cannot use:
empty data, not an image, an unsupported format, a truncated or corrupt file, a file larger
than :data:`MAX_FILE_BYTES`, an image with more than :data:`MAX_PIXELS` pixels or a side
longer than :data:`MAX_SIDE` (decompression bombs are rejected from the header, before any pixel is decoded, so memory
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

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from convviz.errors import ConvVizError, Note, Number

MAX_FILE_BYTES = 25 * 1024 * 1024
"""Largest upload accepted (25 MB)."""
MAX_PIXELS = 40_000_000
"""Largest image accepted (40 megapixels, width x height)."""
MAX_SIDE = 30_000
"""Longest side accepted (pixels; a 40 MP panorama of 8:1 is 17,900 wide). Pillow keeps one
8-byte pointer per row: a 1 x 40,000,000 PNG of 155 kB took 3.8 s and 620 MB to decode."""
MAX_DECODED_BYTES = 4 * MAX_PIXELS
"""Most bytes the decoder may allocate for one image (checked from the header: Pillow keeps
1, 2 or 4 bytes per pixel, RGB as 4)."""
STRIP_PIXELS = 1 << 20
"""The mode conversion works on strips of rows of at most this many pixels."""
DECODE_BYTES_PER_PIXEL = 10
"""Memory budget of a decode: the decoded image (at most 4 bytes per pixel), the RGB result
(3) and a copy while the EXIF orientation is applied (3), plus one strip; a 40 MP image
stays under 400 MB + strips (``tests/test_limits_images.py`` measures it)."""
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


class ImageError(ConvVizError):
    """An upload that cannot be used as an image, with the reason in the student's words.

    Built from a catalog key and its values (see :class:`convviz.errors.ConvVizError`), so a
    page can show it wholly in the user's language with :meth:`localized`; ``str(err)`` is
    the text in the language :func:`load_image` was given (English by default). Pillow's own
    reason is kept as a catalog :class:`~convviz.errors.Note` (``values["detail"]``), never as
    its English text.
    """

    @classmethod
    def of(cls, key: str, lang: str = "en", **values: object) -> ImageError:
        """The error of catalog ``key`` (values may be :class:`~convviz.errors.Note`)."""
        return cls(key=key, values=values, lang=lang)


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


def _bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow keeps per pixel of ``mode`` (RGB is stored as 4)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _open_checked(data: bytes, lang: str, max_side: int | None) -> Image.Image:
    """The image opened lazily (header only), reduced to the working size where the decoder
    can do it itself (JPEG's ``draft``: 1/2, 1/4 or 1/8 scale), its size and memory checked
    before any pixel is decoded."""
    img = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    width, height = img.size
    if width <= 0 or height <= 0:
        raise _err("img_corrupt", lang, detail=Note("filters.img_detail_no_size"))
    if width * height > MAX_PIXELS:
        raise _err(
            "img_too_many_pixels", lang, w=width, h=height,
            mp=Number(width * height / 1e6, 1), limit=Number(MAX_PIXELS / 1e6),
        )
    if max(width, height) > MAX_SIDE:
        raise _err("img_too_long_side", lang, w=width, h=height, limit=Number(MAX_SIDE))
    if max_side is not None and img.format in ("JPEG", "MPO") and max(width, height) > max_side:
        scale = max_side / max(width, height)
        img.draft("RGB", (max(1, int(width * scale + 1)), max(1, int(height * scale + 1))))
    decoded = img.size[0] * img.size[1] * _bytes_per_pixel(img.mode)
    if decoded > MAX_DECODED_BYTES:
        raise _err("img_bomb", lang, limit=Number(MAX_PIXELS / 1e6))
    return img


def load_image(data: bytes, lang: str = "en", max_side: int | None = None) -> np.ndarray:
    """Decode ``data`` into an ``(H, W, 3)`` uint8 RGB array (see the module docstring).

    ``max_side``: the caller only needs the image this large (the longer side); a JPEG is
    then decoded at a reduced scale directly and any image is reduced by a whole factor
    before it is converted, so a small working copy never costs a full-size decode.
    Memory stays within :data:`DECODE_BYTES_PER_PIXEL` bytes per pixel of the (reduced)
    image plus a strip of at most :data:`STRIP_PIXELS` pixels.
    Raises :class:`ImageError` with a message in ``lang`` for anything unusable.
    """
    if data is None or len(data) == 0:
        raise _err("img_empty", lang)
    if len(data) > MAX_FILE_BYTES:
        raise _err("img_too_large_file", lang, size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = _open_checked(data, lang, max_side)
            with img:
                img.seek(0)  # first frame of GIF / multi-page TIFF
                img.load()
                orientation = _orientation(img)
                if max_side is not None and max(img.size) >= 2 * max_side and img.mode in _REDUCIBLE:
                    img = img.reduce(max(img.size) // max_side)
                rgb = to_rgb(img)
            return _orient(rgb, orientation)
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


_REDUCIBLE = ("L", "LA", "RGB", "RGBA", "I", "F")


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation tag (1 = as stored)."""
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block is ignored, as Pillow does
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orient(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """``rgb`` turned upright for EXIF ``orientation`` (as ``ImageOps.exif_transpose``),
    with numpy views and one copy, after the decoded image is freed."""
    ops = {
        2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1),
        7: lambda a: np.rot90(a, 2).transpose(1, 0, 2), 8: lambda a: np.rot90(a, 1),
    }
    if orientation not in ops:
        return rgb
    return np.ascontiguousarray(ops[orientation](rgb))


_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def _has_image_signature(data: bytes) -> bool:
    """Whether ``data`` starts like one of the accepted formats (then it is damaged, not alien)."""
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _composite_table() -> np.ndarray:
    """``table[alpha*256 + c]`` = ``round(c*alpha/255 + 255*(1 - alpha/255))``, computed
    exactly in integers: ``(c*alpha + 255*(255-alpha) + 127) // 255`` (never a tie)."""
    alpha = np.arange(256, dtype=np.uint32)[:, None]
    c = np.arange(256, dtype=np.uint32)[None, :]
    return ((c * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8).ravel()


_COMPOSITE = _composite_table()


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """``a*c + (1-a)*255`` per channel, ``a = alpha/255``, rounded to uint8 (a table lookup
    per sample: 2 bytes of index per sample instead of float temporaries)."""
    index = rgba[..., :3].astype(np.uint16)
    index |= rgba[..., 3:4].astype(np.uint16) << 8
    return _COMPOSITE.take(index)


def _strips(height: int, width: int) -> list[tuple[int, int]]:
    """Row ranges of at most :data:`STRIP_PIXELS` pixels (at least one row)."""
    rows = max(1, STRIP_PIXELS // max(width, 1))
    return [(y, min(y + rows, height)) for y in range(0, height, rows)]


def _wide_rule(img: Image.Image) -> tuple[str, float, float]:
    """How to map 16/32-bit integer or float samples to 0..255 (rules in the module
    docstring), from a first pass over strips: (rule, min, max) of the finite values."""
    lo, hi, is_float = np.inf, -np.inf, img.mode == "F"
    width, height = img.size
    for top, bottom in _strips(height, width):
        v = np.asarray(img.crop((0, top, width, bottom)))
        if is_float:
            v = v[np.isfinite(v)]
        if v.size:
            lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
    if lo > hi:
        lo = hi = 0.0
    if is_float and lo >= 0.0 and hi <= 1.0:
        return "unit", lo, hi
    if lo >= 0.0 and hi <= 255.0:
        return "byte", lo, hi
    if lo >= 0.0 and hi <= 65535.0:
        return "sixteen", lo, hi
    return "stretch", lo, hi


def _scale_wide(values: np.ndarray, rule: tuple[str, float, float]) -> np.ndarray:
    """One strip of wide samples mapped to 0..255 by ``rule`` (see :func:`_wide_rule`)."""
    kind, lo, hi = rule
    v = values.astype(np.float64)
    finite = np.isfinite(v)
    if not finite.all():
        v = np.where(finite, v, 0.0)
    if kind == "unit":
        v = v * 255.0
    elif kind == "sixteen":
        v = v / 257.0
    elif kind == "stretch":
        v = (v - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(v)
    return np.clip(np.rint(v), 0, 255).astype(np.uint8)


def _strip_rgb(strip: Image.Image, rule: tuple[str, float, float] | None) -> np.ndarray:
    """One strip of any mode as (rows, W, 3) uint8 RGB."""
    mode = strip.mode
    if rule is not None:
        grey = _scale_wide(np.asarray(strip), rule)
        return np.repeat(grey[..., None], 3, axis=2)
    if (mode in ("P", "RGB") and "transparency" in strip.info) or mode in ("LA", "La", "PA", "RGBa"):
        strip = strip.convert("RGBA")
    if strip.mode == "RGBA":
        return _composite_on_white(np.asarray(strip))
    if strip.mode in ("1", "L"):
        grey = np.asarray(strip.convert("L"))
        return np.repeat(grey[..., None], 3, axis=2)
    if strip.mode != "RGB":
        strip = strip.convert("RGB")
    return np.asarray(strip, dtype=np.uint8)


def to_rgb(img: Image.Image) -> np.ndarray:
    """Convert a loaded Pillow image of any mode to ``(H, W, 3)`` uint8 RGB, one strip of
    at most :data:`STRIP_PIXELS` pixels at a time (so the conversion's temporaries stay
    small whatever the image's size)."""
    width, height = img.size
    wide = img.mode.startswith("I;16") or img.mode in ("I", "F")
    rule = _wide_rule(img) if wide else None
    out = np.empty((height, width, 3), np.uint8)
    for top, bottom in _strips(height, width):
        strip = img.crop((0, top, width, bottom))
        strip.info = img.info
        out[top:bottom] = _strip_rgb(strip, rule)
    return out


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

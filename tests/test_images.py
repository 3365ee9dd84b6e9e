"""convviz.images.load_image on files generated here: every good mode loads with the right
orientation and values; every kind of bad file raises ImageError quickly with bounded memory."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convviz.images import MAX_FILE_BYTES, ImageError, encode_png, load_image, preview

ROOT = Path(__file__).resolve().parents[1]


def enc(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def rgb_pattern() -> np.ndarray:
    """A 4x6 image whose pixels are all different, so orientation errors show."""
    y, x = np.mgrid[0:4, 0:6]
    return np.stack([x * 40, y * 60, 200 - x * 10 - y * 20], axis=2).astype(np.uint8)


def png_with_size(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose IHDR is patched (CRC fixed) to claim width x height."""
    data = bytearray(enc(Image.new("L", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def gif_with_size(width: int, height: int) -> bytes:
    data = bytearray(enc(Image.new("P", (1, 1)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def bmp_with_size(width: int, height: int) -> bytes:
    data = bytearray(enc(Image.new("RGB", (1, 1)), "BMP"))
    data[18:26] = struct.pack("<ii", width, height)
    return bytes(data)


# --- good files ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_rgb_round_trip(fmt: str) -> None:
    arr = rgb_pattern()
    kw = {"lossless": True} if fmt == "WEBP" else {}
    out = load_image(enc(Image.fromarray(arr), fmt, **kw))
    assert out.dtype == np.uint8 and out.shape == (4, 6, 3)
    np.testing.assert_array_equal(out, arr)


def test_jpeg_loads_close_to_the_original() -> None:
    arr = np.zeros((32, 48, 3), np.uint8)
    arr[:, :24] = (200, 30, 30)
    arr[:, 24:] = (20, 40, 220)
    out = load_image(enc(Image.fromarray(arr), "JPEG", quality=95))
    assert out.shape == (32, 48, 3)
    assert np.abs(out[8:24, 4:20].astype(int) - (200, 30, 30)).max() < 8
    assert np.abs(out[8:24, 28:44].astype(int) - (20, 40, 220)).max() < 8


def test_grey_and_bilevel() -> None:
    out = load_image(enc(Image.fromarray(np.array([[0, 77, 255]], np.uint8), "L"), "PNG"))
    assert out.shape == (1, 3, 3) and out[0, :, 0].tolist() == [0, 77, 255]
    assert (out == out[..., :1]).all()
    bits = Image.new("1", (2, 1))
    bits.putpixel((1, 0), 1)
    assert load_image(enc(bits, "PNG"))[0, :, 1].tolist() == [0, 255]


def test_alpha_is_composited_on_white() -> None:
    la = Image.fromarray(np.array([[[100, 0], [100, 255], [100, 128]]], np.uint8), "LA")
    out = load_image(enc(la, "PNG"))
    # a*c + (1-a)*255 with a = alpha/255
    assert out[0, :, 0].tolist() == [255, 100, round(100 * 128 / 255 + 255 * 127 / 255)]
    rgba = Image.fromarray(np.array([[[255, 0, 0, 128], [0, 0, 255, 255]]], np.uint8), "RGBA")
    for fmt in ("PNG", "WEBP", "TIFF"):
        kw = {"lossless": True} if fmt == "WEBP" else {}
        out = load_image(enc(rgba, fmt, **kw))
        assert out[0, 0].tolist() == [255, 127, 127], fmt
        assert out[0, 1].tolist() == [0, 0, 255], fmt


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_with_transparency(fmt: str) -> None:
    pal = Image.new("P", (2, 1))
    pal.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    pal.putpixel((0, 0), 0)
    pal.putpixel((1, 0), 1)
    out = load_image(enc(pal, fmt, transparency=0))
    assert out[0, 0].tolist() == [255, 255, 255]  # transparent red -> white background
    assert out[0, 1].tolist() == [0, 0, 255]
    plain = load_image(enc(pal, fmt))
    assert plain[0, 0].tolist() == [255, 0, 0]


def test_cmyk() -> None:
    cmyk = Image.fromarray(np.array([[[0, 0, 0, 0], [0, 0, 0, 255], [255, 0, 0, 0]]], np.uint8), "CMYK")
    out = load_image(enc(cmyk, "TIFF"))
    assert out[0].tolist() == [[255, 255, 255], [0, 0, 0], [0, 255, 255]]
    jpeg = load_image(enc(Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG", quality=95))
    assert jpeg.shape == (16, 16, 3) and jpeg.min() > 245


def test_sixteen_bit_is_divided_by_257() -> None:
    img = Image.fromarray(np.array([[0, 257 * 100, 65535]], np.uint16))
    assert img.mode.startswith("I;16")
    for fmt in ("PNG", "TIFF"):
        assert load_image(enc(img, fmt))[0, :, 0].tolist() == [0, 100, 255], fmt


def test_32_bit_integer_and_float() -> None:
    ints = Image.fromarray(np.array([[0, 1000, 100000]], np.int32), "I")
    assert load_image(enc(ints, "TIFF"))[0, :, 0].tolist() == [0, round(1000 / 100000 * 255), 255]
    small_ints = Image.fromarray(np.array([[0, 7, 200]], np.int32), "I")
    assert load_image(enc(small_ints, "TIFF"))[0, :, 0].tolist() == [0, 7, 200]
    unit = Image.fromarray(np.array([[0.0, 0.25, 1.0]], np.float32), "F")
    assert load_image(enc(unit, "TIFF"))[0, :, 0].tolist() == [0, 64, 255]
    signed = Image.fromarray(np.array([[-1.0, 0.0, 1.0]], np.float32), "F")
    assert load_image(enc(signed, "TIFF"))[0, :, 0].tolist() == [0, 128, 255]


def test_first_frame_of_animated_gif_and_multipage_tiff() -> None:
    red, blue = Image.new("RGB", (4, 4), (255, 0, 0)), Image.new("RGB", (4, 4), (0, 0, 255))
    for fmt in ("GIF", "TIFF"):
        out = load_image(enc(red, fmt, save_all=True, append_images=[blue]))
        assert out[0, 0].tolist() == [255, 0, 0], fmt


@pytest.mark.parametrize(
    ("orientation", "expected"),
    [(1, lambda a: a), (3, lambda a: np.rot90(a, 2)), (6, lambda a: np.rot90(a, -1)),
     (8, lambda a: np.rot90(a, 1)), (2, lambda a: a[:, ::-1])],
)
def test_exif_orientation(orientation: int, expected) -> None:  # noqa: ANN001
    """Orientation 6 means "rotate 90° clockwise to display": the left column becomes the top row."""
    arr = rgb_pattern()
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = load_image(enc(Image.fromarray(arr), "PNG", exif=exif))
    np.testing.assert_array_equal(out, expected(arr))


def test_exif_orientation_on_jpeg() -> None:
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (220, 20, 20)  # left half red
    arr[:, 20:] = (20, 20, 220)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = load_image(enc(Image.fromarray(arr), "JPEG", quality=95, exif=exif))
    assert out.shape == (40, 20, 3)
    assert out[5, 10, 0] > 180 and out[35, 10, 2] > 180  # red on top after rotating clockwise


# --- bad files -------------------------------------------------------------------------------

def _bad_cases() -> dict[str, tuple[bytes, str]]:
    good_png = enc(Image.fromarray(np.full((64, 64, 3), 90, np.uint8)), "PNG")
    good_jpeg = enc(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")
    corrupt_png = bytearray(good_png)
    idat = corrupt_png.find(b"IDAT")
    corrupt_png[idat + 8: idat + 20] = b"\xff" * 12
    return {
        "empty": (b"", "empty"),
        "webp_header_only": (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "truncated or corrupt"),
        "text": (b"hello, this is not an image\n" * 10, "not an image"),
        "random": (np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes(), "not an image"),
        "ppm_not_offered": (enc(Image.new("RGB", (2, 2)), "PPM"), "not an image"),
        "truncated_png": (good_png[: len(good_png) // 2], "truncated or corrupt"),
        "truncated_jpeg": (good_jpeg[: len(good_jpeg) // 2], "truncated or corrupt"),
        "header_only_png": (good_png[:40], "truncated or corrupt"),
        "corrupt_png": (bytes(corrupt_png), "truncated or corrupt"),
        "png_bomb": (png_with_size(100_000, 100_000), "decompression bomb"),
        "png_too_many_pixels": (png_with_size(8000, 6000), "48.0 megapixels); the limit is 40"),
        "gif_bomb": (gif_with_size(65535, 65535), "the limit is 40 megapixels"),
        "bmp_bomb": (bmp_with_size(60000, 60000), "the limit is 40 megapixels"),
        "too_large_file": (b"\x89PNG\r\n\x1a\n" + bytes(MAX_FILE_BYTES), "the limit is 25.0 MB"),
    }


@pytest.mark.parametrize("name", list(_bad_cases()))
def test_bad_files_raise_image_error_quickly(name: str) -> None:
    data, fragment = _bad_cases()[name]
    t0 = time.perf_counter()
    with pytest.raises(ImageError) as err:
        load_image(data)
    assert time.perf_counter() - t0 < 2.0
    assert fragment in str(err.value), str(err.value)
    assert isinstance(err.value, ValueError)


def test_messages_in_spanish() -> None:
    with pytest.raises(ImageError, match="vacío"):
        load_image(b"", lang="es")
    with pytest.raises(ImageError, match="megapíxeles"):
        load_image(png_with_size(9000, 9000), lang="es")


# Pillow's English words that must not reach a Spanish page
_PILLOW_WORDS = ("cannot", "identify", "image file", "truncated", "decoder", "broken", "data stream", "bytes")


@pytest.mark.parametrize("name", [n for n in _bad_cases() if n != "too_large_file"])
def test_every_message_is_wholly_translated(name: str) -> None:
    """err.localized("es") is the Spanish catalog text with no Pillow wording left in it;
    str(err) stays English (the loader's default language)."""
    data, fragment = _bad_cases()[name]
    with pytest.raises(ImageError) as err:
        load_image(data)
    assert fragment in str(err.value) and err.value.key.startswith("filters.img_")
    spanish = err.value.localized("es")
    assert spanish != str(err.value)
    assert not any(word in spanish.lower() for word in _PILLOW_WORDS), spanish
    assert err.value.localized("en") == str(err.value)


def test_corrupt_message_in_spanish_names_the_reason() -> None:
    good = enc(Image.fromarray(np.full((64, 64, 3), 90, np.uint8)), "PNG")
    with pytest.raises(ImageError) as err:
        load_image(good[:40])  # the header only: "cannot identify image file" in Pillow's words
    assert err.value.localized("es") == (
        "la imagen está truncada o dañada (el contenido del archivo no es una imagen que Pillow pueda leer).")
    with pytest.raises(ImageError) as err:
        load_image(png_with_size(8000, 6000))
    assert "(48,0 megapíxeles); el límite es 40 megapíxeles" in err.value.localized("es")
    assert "(48.0 megapixels); the limit is 40 megapixels" in str(err.value)


def test_bad_files_use_bounded_memory(tmp_path: Path) -> None:
    """In a fresh interpreter, rejecting every bad file raises peak RSS by < 150 MB
    (decoding the 100000 x 100000 bomb alone would need 10 GB)."""
    for name, (data, _) in _bad_cases().items():
        if name != "too_large_file":  # its 25 MB of bytes would dominate the measurement
            (tmp_path / f"{name}.bin").write_bytes(data)
    script = f"""
import json, pathlib, resource
from convviz.images import ImageError, load_image
datas = [p.read_bytes() for p in sorted(pathlib.Path({str(tmp_path)!r}).glob('*.bin'))]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
errors = 0
for d in datas:
    try:
        load_image(d)
    except ImageError:
        errors += 1
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"errors": errors, "n": len(datas), "delta_kb": after - before}}))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["errors"] == report["n"] == len(_bad_cases()) - 1
    assert report["delta_kb"] < 150 * 1024, report


# --- helpers -----------------------------------------------------------------------------------

def test_preview_and_png() -> None:
    big = np.zeros((3000, 4000, 3), np.uint8)
    big[:, 2000:] = 200
    small = preview(big, 800)
    assert small.shape == (600, 800, 3)
    assert small[10, 10, 0] == 0 and small[10, 790, 0] == 200
    tiny = np.zeros((10, 20, 3), np.uint8)
    assert preview(tiny, 800) is tiny
    arr = rgb_pattern()
    np.testing.assert_array_equal(load_image(encode_png(arr)), arr)

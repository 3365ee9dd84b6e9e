"""Issue 12, hostile uploads: images that are small files but huge pictures are decoded
within a memory budget per megapixel, measured (peak resident memory of a fresh
interpreter, address space capped) while the loader runs.

Before: a 0.7 MB 40 MP RGBA PNG took 5.7 s and 2.5 GB; 16-bit and float TIFFs 1.2-1.5 GB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.images import load as images  # noqa: E402
from tests._budget import run_budgeted  # noqa: E402

W, H = 8_000, 5_000  # 40 MP: the largest image accepted
BASE_MB = 64  # a strip, Pillow's buffers, the file's bytes

MAKERS = {  # each made in a subprocess, so this process never holds the 40 MP arrays
    "rgba.png": 'Image.new("RGBA", (W, H), (10, 20, 30, 128)).save(out)',
    "i16.tif": 'Image.fromarray(np.full((H, W), 40000, np.uint16)).save(out, compression="tiff_deflate")',
    "f32.tif": 'a = np.full((H, W), 0.5, np.float32); a[0, 0] = np.nan; '
               'Image.fromarray(a, mode="F").save(out, compression="tiff_deflate")',
    "palette.png": 'im = Image.new("P", (W, H), 3); im.putpalette([0, 0, 0] * 256); im.save(out, transparency=3)',
    "rgb.jpg": 'Image.new("RGB", (W, H), (200, 100, 50)).save(out, quality=80)',
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, make in MAKERS.items():
        code = f"import numpy as np\nfrom PIL import Image\nW, H, out = {W}, {H}, {str(folder / name)!r}\n{make}\n"
        subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert (folder / name).stat().st_size < 2_000_000  # small files, huge pictures
    return folder


@pytest.mark.parametrize("name", list(MAKERS))
def test_decode_stays_within_the_memory_budget(hostile: Path, name: str) -> None:
    budget_mb = images.DECODE_BYTES_PER_PIXEL * W * H / 2**20 + BASE_MB
    report = run_budgeted("load_image", {"file": str(hostile / name)}, cpu_seconds=15, memory_mb=budget_mb)
    assert report.get("outcome") == "returned", report
    assert report["ok"], report


def test_working_size_decode_is_smaller(hostile: Path) -> None:
    """A caller that needs only 512 pixels (the Receptive-field page) never pays a full
    decode: the JPEG decoder works at 1/8 scale and the result is reduced before converting."""
    report = run_budgeted("load_image", {"file": str(hostile / "rgb.jpg"), "options": {"max_side": 512}},
                          cpu_seconds=5, memory_mb=BASE_MB)
    assert report["ok"], report
    out = images.load_image((hostile / "rgb.jpg").read_bytes(), max_side=512)
    assert max(out.shape[:2]) < 2 * 512 and out.shape[1] > out.shape[0]
    assert np.abs(out[10, 10].astype(int) - [200, 100, 50]).max() <= 3


def test_results_of_the_strip_conversion(hostile: Path) -> None:
    """The strip-wise conversion gives the same numbers as the whole-image rules."""
    out = images.load_image((hostile / "i16.tif").read_bytes())
    assert out.shape == (H, W, 3) and (out == round(40000 / 257)).all()
    del out
    out = images.load_image((hostile / "f32.tif").read_bytes())
    assert out[0, 0].tolist() == [0, 0, 0] and out[1, 1].tolist() == [128, 128, 128]  # NaN -> 0, 0.5 -> 128
    del out
    out = images.load_image((hostile / "palette.png").read_bytes())
    assert (out == 255).all()  # the transparent index on white


def test_header_memory_check_refuses_before_decoding() -> None:
    """An image whose decoded size would pass the budget is refused from its header."""
    assert images.MAX_DECODED_BYTES >= 4 * images.MAX_PIXELS  # every accepted mode fits
    assert images._bytes_per_pixel("RGB") == 4 and images._bytes_per_pixel("I;16") == 2


def test_a_very_long_side_is_refused_from_the_header(tmp_path: Path) -> None:
    """A 1 x 40,000,000 PNG (155 kB, 40 MP) passed the pixel count but cost 3.8 s and 620 MB:
    Pillow keeps an 8-byte pointer per row. A side over MAX_SIDE is refused before decoding."""
    tall = tmp_path / "tall.png"
    code = f"from PIL import Image\nImage.new('RGB', (1, 40_000_000)).save({str(tall)!r})\n"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    report = run_budgeted("load_image", {"file": str(tall)}, cpu_seconds=1, memory_mb=BASE_MB)
    assert report.get("outcome", "").startswith("ImageError: the image is 1 x 40"), report
    assert report["ok"], report
    with pytest.raises(images.ImageError) as err:
        images.load_image(tall.read_bytes(), lang="es")
    assert "ningún lado puede medir más de 30.000 píxeles" in str(err.value)
    edge = images.load_image(images.encode_png(np.zeros((images.MAX_SIDE, 2, 3), np.uint8)))
    assert edge.shape == (images.MAX_SIDE, 2, 3)  # the longest side allowed still loads

"""The filter lab page in AppTest: results, bad kernels, good and bad uploads, concept demos,
both languages; plus the page's logic functions."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.images import filters as F  # noqa: E402
from pages.ui import filter_widgets as W  # noqa: E402
from tests._numbers import numbers_in  # noqa: E402

PAGE = "pages/filter_lab.py"


def open_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions_of_images(at: AppTest) -> list[str]:
    return [img.proto.imgs[0].caption for img in at.get("image")]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def assert_page_intact(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Filter lab"
    assert "Original" in captions_of_images(at)
    assert at.radio(key="flt_concept") is not None
    assert at.header[0].value == "What filtering means, with numbers"


@pytest.fixture(scope="module")
def at() -> AppTest:
    return open_page()


def test_default_page_shows_result_kernel_and_downloads(at: AppTest) -> None:
    assert_page_intact(at)
    assert captions_of_images(at)[:2] == ["Original", "Result"]
    titles = chart_titles(at)
    assert "Kernel 5x5 (× 1/273)" in titles  # one line: the factor in the title ...
    assert "Sum of the kernel's weights: 1." in texts(at)  # ... the sum in a caption
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the result (PNG, full resolution)", "Download the kernel (CSV)"]
    assert "Values are rounded and clipped" in texts(at)


def test_sobel_gives_a_signed_result_with_a_scaling_note(at: AppTest) -> None:
    at.selectbox(key="flt_name").set_value("sobel_x").run()
    at.radio(key="flt_color").set_value("gray").run()
    assert_page_intact(at)
    assert "Result" in captions_of_images(at)
    assert "diverging colours: white is 0" in texts(at)
    at.radio(key="flt_color").set_value("channels").run()
    assert "mid-grey (128) is 0" in texts(at)
    at.selectbox(key="flt_name").set_value("sobel_magnitude").run()
    assert "stretched to black..white" in texts(at)


@pytest.mark.parametrize(
    ("kernel", "fragment"),
    [
        ("", "the kernel is empty"),
        ("1 2\nthree 4", "\"three\" is not a number"),
        ("1 nan 1", "not a number"),
        ("1 inf", "infinite"),
        ("1 2 3\n4 5", "row 2 has 2 entries but row 1 has 3"),
        ("\n".join(["1 " * 16] * 16), "the largest allowed is 15 x 15"),
        ("1/0", "divides by zero"),
    ],
)
def test_bad_kernels_show_an_error_and_keep_the_page(at: AppTest, kernel: str, fragment: str) -> None:
    at.selectbox(key="flt_name").set_value("custom").run()
    at.radio(key="flt_color").set_value("gray").run()
    at.text_area(key="flt_custom").input(kernel).run()
    assert_page_intact(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("This kernel cannot be used: ") and fragment in errors[0]
    assert "Result" not in captions_of_images(at)
    assert at.radio(key="flt_color").value == "gray"  # the other settings survive
    at.text_area(key="flt_custom").input("1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9").run()
    assert not at.error and "Result" in captions_of_images(at)
    assert at.radio(key="flt_color").value == "gray"


def test_custom_kernel_normalise_and_zero_sum_warning(at: AppTest) -> None:
    at.selectbox(key="flt_name").set_value("custom").run()
    at.text_area(key="flt_custom").input("1 2 1\n2 4 2\n1 2 1").run()
    at.checkbox(key="flt_normalise").check().run()
    assert "Kernel 3x3 (× 1/16)" in chart_titles(at)
    assert "Sum of the kernel's weights: 1." in texts(at)
    at.text_area(key="flt_custom").input("1 0 -1").run()
    assert any("cannot be normalised" in w.value for w in at.warning)
    assert not at.exception


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_good_then_broken_file() -> None:
    at = open_page()
    at.radio(key="flt_source").set_value("upload").run()
    assert any("No file uploaded yet" in i.value for i in at.info)
    img = np.zeros((1200, 1000, 3), np.uint8)
    img[:, 500:] = 255
    at.file_uploader(key="flt_upload").set_value(("edge.png", _png(img), "image/png")).run()
    assert_page_intact(at)
    assert "1000 x 1200 pixels. The page works on a 667 x 800 preview" in texts(at)
    at.selectbox(key="flt_name").set_value("sobel_x").run()
    assert "Result" in captions_of_images(at) and not at.error
    at.file_uploader(key="flt_upload").set_value(("broken.png", b"\x89PNG\r\n\x1a\n garbage", "image/png")).run()
    assert_page_intact(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("This file cannot be used: the image is truncated or corrupt")
    assert "640 x 480 pixels" in texts(at)  # back on the sample, still filtering
    assert at.selectbox(key="flt_name").value == "sobel_x"
    assert "Result" in captions_of_images(at)


@pytest.mark.parametrize("concept", W.CONCEPTS)
def test_every_concept_demo_runs_with_numbers(at: AppTest, concept: str) -> None:
    at.selectbox(key="flt_name").set_value("gaussian_273").run()
    at.radio(key="flt_concept").set_value(concept).run()
    assert_page_intact(at)
    body = texts(at)
    expected = {
        "corr": "Maximum |difference| =",
        "assoc": "with circular borders (the whole image)",
        "sep": "column then row:",
        "border": "Circular: mean brightness",
        "stride": "Input 192 x 256 → output 96 x 128",
        "equiv": "Maximum |difference|: 0 with circular borders",
    }[concept]
    assert expected in body, body


def test_equivariance_and_stride_widgets(at: AppTest) -> None:
    at.radio(key="flt_concept").set_value("stride").run()
    at.slider(key="flt_stride").set_value(3).run()
    at.slider(key="flt_dilation").set_value(2).run()
    assert "output 64 x 86" in texts(at) and "spans 5 x 5 pixels with 9 weights" in texts(at)
    at.radio(key="flt_concept").set_value("equiv").run()
    at.slider(key="flt_equiv_dx").set_value(7).run()
    assert "Maximum |difference|: 0 with circular borders" in texts(at)


def test_gaussian_sigma_slider_changes_the_kernel(at: AppTest) -> None:
    at.selectbox(key="flt_name").set_value("gaussian").run()
    at.select_slider(key="flt_sigma").set_value(2.0).run()
    assert "Gaussian kernel of size 13 x 13" in texts(at)
    assert "Result" in captions_of_images(at)


def test_spanish_page_and_kernel_error() -> None:
    at = open_page("es")
    assert at.title[0].value == "Laboratorio de filtros"
    at.selectbox(key="flt_name").set_value("custom").run()
    at.text_area(key="flt_custom").input("1 2\n3").run()
    assert "la fila 2 tiene 1 elementos" in at.error[0].value
    assert not at.exception


def test_spanish_numbers_use_a_decimal_comma() -> None:
    """The scaling note gives the engine's range and limit with Spanish separators."""
    at = open_page("es")
    at.selectbox(key="flt_name").set_value("sobel_x").run()
    sample_name = at.selectbox(key="flt_sample").value
    _, small = W.sample_image(sample_name)
    settings = W.settings_from_inputs("sobel_x", border=at.selectbox(key="flt_border").value)
    values = F.apply(small, settings)
    d = F.for_display(values, F.display_kind(settings, settings.kernel()))
    note = next(c.value for c in at.caption if "Rango " in c.value and ".." in c.value)
    numbers = numbers_in(note.replace("..", " "), "es")
    for expected in (d.limit, d.vmin, d.vmax):
        assert any(abs(n - expected) <= 5e-4 * max(abs(expected), 1) for n in numbers), (expected, note)
    assert re.search(r"\b\d+,\d ms", " ".join(c.value for c in at.caption))  # the timing: 12,3 ms
    assert not at.exception


def test_difference_map_numbers_its_axes_and_colour_bar() -> None:
    """The correlation - convolution map: tick marks come with numbers (pixels on the axes,
    values on the colour bar), decimals with a comma in Spanish; the kernel's weights too."""
    for lang, separators in (("en", ".,"), ("es", ",.")):
        at = open_page(lang)
        at.radio(key="flt_concept").set_value("corr").run()
        fig = next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                   if f["data"][0]["type"] == "heatmap" and "colorbar" in f["data"][0])
        layout = fig["layout"]
        assert layout["xaxis"]["showticklabels"] and layout["yaxis"]["showticklabels"]
        assert fig["data"][0]["colorbar"]["showticklabels"] and fig["data"][0]["colorbar"]["ticks"] == "outside"
        assert layout["separators"] == separators
    at.selectbox(key="flt_name").set_value("custom").run()
    at.text_area(key="flt_custom").input("0.1234567 -2.5").run()  # no 1/d form: decimals in the cells
    kernel = next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                  if f["layout"]["title"]["text"] == "Filtro 1x2")
    assert kernel["data"][0]["text"] == [["0,123", "-2,5"]]
    assert "Suma de los pesos del filtro: -2,377." in texts(at)


def test_broken_upload_is_explained_wholly_in_spanish() -> None:
    at = open_page("es")
    at.radio(key="flt_source").set_value("upload").run()
    at.file_uploader(key="flt_upload").set_value(("roto.png", b"\x89PNG\r\n\x1a\n basura", "image/png")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "la imagen está truncada o dañada (el contenido del archivo no es una imagen" in errors[0]
    assert "cannot identify" not in errors[0] and "image file" not in errors[0]


# --- logic functions ----------------------------------------------------------------------

def test_settings_from_inputs() -> None:
    s = W.settings_from_inputs("custom", custom_text="1 1\n1 1", normalise=True, grayscale=True, border="zero")
    np.testing.assert_allclose(s.kernel(), np.full((2, 2), 0.25))
    assert s.grayscale and s.border == "zero"
    assert W.settings_from_inputs("sobel_x", normalise=True).normalise is False
    with pytest.raises(F.KernelError, match="vacío"):
        W.settings_from_inputs("custom", custom_text="", lang="es")


def test_full_resolution_download_is_full_size() -> None:
    img = np.random.default_rng(0).integers(0, 256, (900, 1300, 3), dtype=np.uint8)
    png = W.full_resolution_png(img, F.FilterSettings(name="sobel_x", grayscale=True))
    out = np.asarray(Image.open(io.BytesIO(png)))
    assert out.shape == (900, 1300, 3)
    csv = F.kernel_csv(F.SOBEL_X)
    assert csv.splitlines()[0] == "1.0,0.0,-1.0"

"""Page-side logic of the filter lab: cached loading and filtering, settings from widgets.

Kept apart from ``pages/filter_lab.py`` so tests can call it directly. The arithmetic is
in ``convviz.images.filters`` / ``convviz.images``; this module only adds Streamlit caching.
Cached functions take a short ``image_key`` (``"sample:<name>"`` or ``"upload:<file id>"``)
and the array as an underscore argument, so Streamlit never hashes megapixel arrays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.ndimage  # noqa: F401 - imported up front so the first timing is not the import
import streamlit as st

from convviz.digits.jobs import shared_pool
from convviz.images import encode_png, load_image, preview
from convviz.images import filters as F
from convviz.images.samples import sample

PREVIEW_SIDE = 800
"""The page filters a preview whose longer side is at most this many pixels."""
DEMO_SIDE = 256
"""The concept demos use a grayscale copy at most this many pixels wide."""
DEFAULT_CUSTOM = "1 2 1\n0 0 0\n-1 -2 -1"
NON_SYMMETRIC = ("emboss", "sobel_x", "sobel_y")
COMPOSABLE = ("box", "gaussian_273", "sobel_x", "sobel_y", "sharpen", "laplacian", "emboss", "identity")


def settings_from_inputs(
    name: str,
    sigma: float = 1.0,
    custom_text: str = "",
    normalise: bool = False,
    grayscale: bool = False,
    border: str = "reflect",
    lang: str = "en",
) -> F.FilterSettings:
    """Build the filter settings from widget values; raises ``KernelError`` for a bad
    custom kernel (message in ``lang``)."""
    custom = None
    if name == "custom":
        kernel = F.parse_kernel(custom_text, lang=lang)
        custom = tuple(tuple(float(v) for v in row) for row in kernel)
    return F.FilterSettings(
        name=name, sigma=float(sigma), custom=custom, normalise=bool(normalise and name == "custom"),
        grayscale=bool(grayscale), border=border,
    )


@st.cache_resource(max_entries=2, show_spinner=False)  # up to 40 MP: 120 MB + preview each
def decode_upload(file_id: str, _data: bytes, lang: str = "en") -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution RGB and its preview for an upload (raises ``ImageError``)."""
    full = load_image(_data, lang=lang)
    full.setflags(write=False)
    small = preview(full, PREVIEW_SIDE)
    small.setflags(write=False)
    return full, small


@st.cache_resource(max_entries=8, show_spinner=False)
def sample_image(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A generated sample (already preview-sized) as (full, preview)."""
    img = sample(name)
    img.setflags(write=False)
    return img, img


CONCEPTS = ("corr", "assoc", "sep", "border", "stride", "equiv")


@st.cache_resource(max_entries=96, show_spinner=False)
def cached_figure(key: tuple, _build: Callable[[], object]) -> object:
    """Build a plotly figure once per ``key`` (everything the figure depends on) and reuse it:
    building a figure costs 20-30 ms, more than the arithmetic it shows."""
    return _build()


@dataclass(frozen=True)
class Result:
    """A filtered preview ready to show."""

    png: bytes
    display: F.Display
    method: str
    ms: float
    shape: tuple[int, int]


@st.cache_data(max_entries=48, show_spinner=False)
def filtered_preview(image_key: str, _image: np.ndarray, settings: F.FilterSettings) -> Result:
    """Apply ``settings`` to the preview; time it; scale it for the screen."""
    kernel = settings.kernel()
    method = F.choose_method(F.dilate_kernel(kernel, settings.dilation))
    t0 = time.perf_counter()
    values = F.apply(_image, settings)
    ms = (time.perf_counter() - t0) * 1000
    display = F.for_display(values, F.display_kind(settings, kernel))
    return Result(encode_png(display.image), display, method, ms, values.shape[:2])


def full_resolution_png(image: np.ndarray, settings: F.FilterSettings) -> bytes:
    """The result at full resolution as PNG (computed when the download is clicked), in
    the server's bounded "filters" pool: however many students click at once, at most one
    filtering per core runs; the others wait their turn (the page itself works on the
    bounded preview)."""
    def work() -> bytes:
        kernel = settings.kernel()
        values = F.apply(image, settings)
        return encode_png(F.for_display(values, F.display_kind(settings, kernel)).image)

    return shared_pool("filters").run(work, cost=image.size, timeout=300)


@st.cache_data(max_entries=8, show_spinner=False)
def image_png(image_key: str, _image: np.ndarray) -> bytes:
    """PNG of the preview, encoded once (st.image would re-encode an array every rerun)."""
    return encode_png(np.asarray(_image))


@st.cache_data(max_entries=8, show_spinner=False)
def demo_gray(image_key: str, _image: np.ndarray) -> np.ndarray:
    """Grayscale copy of the preview, longer side at most :data:`DEMO_SIDE`."""
    small = preview(np.asarray(_image), DEMO_SIDE)
    return F.to_gray(small)


def _signed_png(values: np.ndarray) -> bytes:
    return encode_png(F.for_display(values, "signed").image)


def _shown_png(values: np.ndarray, kernel: np.ndarray) -> bytes:
    kind = "signed" if F.display_kind(F.FilterSettings(name="custom"), kernel) == "signed" else "clip"
    return encode_png(F.for_display(values, kind).image)


@st.cache_data(max_entries=16, show_spinner=False)
def correlation_demo(image_key: str, _gray: np.ndarray, name: str) -> dict:
    """Correlation and convolution with a non-symmetric preset, and their difference."""
    k = F.preset_kernel(name)
    corr = F.correlate(_gray, k)
    conv = F.convolve(_gray, k)
    diff = corr - conv
    return {
        "corr": _shown_png(corr, k), "conv": _shown_png(conv, k), "diff": diff,
        "max": float(np.abs(diff).max()), "mean": float(np.abs(diff).mean()),
        "rotated": k[::-1, ::-1].copy(),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def associativity_demo(image_key: str, _gray: np.ndarray, a_name: str, b_name: str) -> dict:
    """A then B vs once with C = A * B, with circular and zero borders."""
    a, b = F.preset_kernel(a_name), F.preset_kernel(b_name)
    c = F.compose(a, b)
    two = {m: F.correlate(F.correlate(_gray, a, border=m), b, border=m) for m in ("circular", "zero")}
    one = {m: F.correlate(_gray, c, border=m) for m in ("circular", "zero")}
    margin = max(c.shape) // 2
    diff = two["zero"] - one["zero"]
    return {
        "two": _shown_png(two["zero"], c), "one": _shown_png(one["zero"], c), "diff": diff,
        "kernel": c, "margin": margin,
        "circular": F.max_abs_diff(two["circular"], one["circular"]),
        "zero_all": F.max_abs_diff(two["zero"], one["zero"]),
        "zero_inner": F.max_abs_diff(two["zero"], one["zero"], margin=margin),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def separability_demo(image_key: str, _gray: np.ndarray, sigma: float) -> dict:
    """Gaussian(sigma) as column x row: timings of the 2-D and the two 1-D passes."""
    g = F.gaussian_kernel(sigma)
    sep = F.separate(g)
    full = F.correlate(_gray, g, method="direct")
    split = F.correlate(_gray, g, method="separable")
    t2d = F.time_call(lambda: F.correlate(_gray, g, method="direct"), repeats=3) * 1000
    tsep = F.time_call(lambda: F.correlate(_gray, g, method="separable"), repeats=3) * 1000
    return {
        "size": g.shape[0], "column": sep.column, "row": sep.row, "t2d": t2d, "tsep": tsep,
        "diff": F.max_abs_diff(full, split), "full_taps": g.size, "sep_taps": sum(g.shape),
        "image": encode_png(np.clip(np.rint(split), 0, 255).astype(np.uint8)),
    }


@st.cache_data(max_entries=8, show_spinner=False)
def border_demo(image_key: str, _gray: np.ndarray, size: int = 15, pad: int = 32, view: int = 96) -> dict:
    """What each border mode puts beyond the edge (the image padded by ``pad`` pixels, the
    top-left ``view x view`` window, original edge drawn in red), and the mean of the
    8 x 8 corner after a ``size x size`` box blur."""
    k = F.box_kernel(size)
    views, means = {}, {}
    for mode in F.BORDER_MODES:
        padded = F.pad(_gray, 2 * pad + 1, 2 * pad + 1, mode)
        rgb = np.repeat(np.clip(np.rint(padded[:view, :view]), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        rgb[pad - 1, pad - 1:, :] = (220, 30, 30)
        rgb[pad - 1:, pad - 1, :] = (220, 30, 30)
        views[mode] = rgb
        means[mode] = float(F.correlate(_gray, k, border=mode)[:8, :8].mean())
    return {"views": views, "means": means, "inner": float(_gray.mean()), "size": size}


@st.cache_data(max_entries=32, show_spinner=False)
def stride_demo(image_key: str, _gray: np.ndarray, name: str, stride: int, dilation: int) -> dict:
    """The output of a strided / dilated correlation and the dilated kernel."""
    k = F.preset_kernel(name)
    out = F.correlate(_gray, k, stride=stride, dilation=dilation)
    dk = F.dilate_kernel(k, dilation)
    return {
        "png": _shown_png(out, k), "shape": out.shape, "kernel": dk, "taps": k.size,
        "k_shape": k.shape, "d_shape": dk.shape,
    }


def _seam_mask(shape: tuple[int, int], dy: int, dx: int, r: int) -> np.ndarray:
    """True where neither the image edge nor the wrap seam of a (dy, dx) roll is within r."""
    h, w = shape
    keep = np.ones(shape, dtype=bool)
    for line in {0, dy % h}:
        for off in range(-r, r):
            keep[(line + off) % h, :] = False
    for line in {0, dx % w}:
        for off in range(-r, r):
            keep[:, (line + off) % w] = False
    return keep


@st.cache_data(max_entries=32, show_spinner=False)
def equivariance_demo(image_key: str, _gray: np.ndarray, dy: int, dx: int) -> dict:
    """Shift / rotate / halve before or after filtering with Sobel Gx."""
    k = F.SOBEL_X
    res = {}
    for mode in ("circular", "zero"):
        a = F.correlate(F.shift(_gray, dy, dx), k, border=mode)
        b = F.shift(F.correlate(_gray, k, border=mode), dy, dx)
        res[mode] = (a, b)
    a, b = res["zero"]
    diff = a - b
    keep = _seam_mask(diff.shape, dy, dx, r=2)
    rot_a = F.correlate(np.rot90(_gray), k)
    rot_b = np.rot90(F.correlate(_gray, k))
    scale_a = F.correlate(F.downscale2(_gray), k)
    scale_b = F.downscale2(F.correlate(_gray, k))
    return {
        "shift_then": _signed_png(a), "filter_then": _signed_png(b), "diff": diff,
        "circular": F.max_abs_diff(*res["circular"]),
        "zero_all": float(np.abs(diff).max()),
        "zero_inner": float(np.abs(diff[keep]).max()) if keep.any() else 0.0,
        "rot_then": _signed_png(rot_a), "filter_rot": _signed_png(rot_b),
        "rot": F.max_abs_diff(rot_a, rot_b), "scale": F.max_abs_diff(scale_a, scale_b),
    }

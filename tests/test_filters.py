"""convviz.images.filters against independent references: brute-force numpy loops, scipy.signal's
convolve2d, scipy.ndimage.gaussian_filter and the lecture's worked example; algebraic
properties (associativity, separability, equivariance) as hypothesis property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage, signal

from convviz.images import filters as F

NP_PAD = {"zero": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def brute_correlate(x: np.ndarray, k: np.ndarray, border: str, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """out[i, j] = sum_{u,v} K[u, v] * xpad[i*s + u*d, j*s + v*d]; the dilated extent
    E = (k - 1) d + 1 is anchored at E // 2 (pad E // 2 before, E - 1 - E // 2 after)."""
    kh, kw = k.shape
    eh, ew = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    widths = [(eh // 2, eh - 1 - eh // 2), (ew // 2, ew - 1 - ew // 2)] + [(0, 0)] * (x.ndim - 2)
    xp = np.pad(x.astype(np.float64), widths, mode=NP_PAD[border])
    h, w = x.shape[:2]
    oh, ow = -(-h // stride), -(-w // stride)
    out = np.zeros((oh, ow) + x.shape[2:])
    for i in range(oh):
        for j in range(ow):
            acc = 0.0
            for u in range(kh):
                for v in range(kw):
                    acc = acc + k[u, v] * xp[i * stride + u * dilation, j * stride + v * dilation]
            out[i, j] = acc
    return out


small_images = arrays(np.float64, st.tuples(st.integers(1, 9), st.integers(1, 9)),
                      elements=st.floats(-100, 100, allow_nan=False, width=32))
kernels = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                 elements=st.floats(-4, 4, allow_nan=False, width=32))
odd_kernels = arrays(np.float64, st.sampled_from([(1, 1), (1, 3), (3, 1), (3, 3), (3, 5), (5, 5)]),
                     elements=st.floats(-4, 4, allow_nan=False, width=32))
borders = st.sampled_from(F.BORDER_MODES)


# --- the lecture's numbers ---------------------------------------------------------------

def test_lecture_worked_example_5x5_binary_image_3x3_kernel() -> None:
    """The slide's 5x5 binary image and 3x3 mask; the first output is 4 ("Convolved Feature")."""
    x = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
    k = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    out = F.correlate(x, k, border="zero")
    assert out[1, 1] == 4
    np.testing.assert_array_equal(out[1:-1, 1:-1], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_lecture_kernels() -> None:
    assert F.GAUSSIAN_273.sum() == pytest.approx(1.0)
    assert F.GAUSSIAN_273[2, 2] * 273 == pytest.approx(41)
    np.testing.assert_array_equal(F.SOBEL_Y, F.SOBEL_X.T)
    # Sobel Gx responds positively where the left is brighter than the right (lecture's sign)
    step = np.tile(np.array([9, 9, 9, 0, 0, 0], float), (5, 1))
    assert F.correlate(step, F.SOBEL_X, border="replicate")[2, 2] == 36
    for k in (F.SOBEL_X, F.SOBEL_Y, F.LAPLACIAN):
        assert k.sum() == 0


def test_gaussian_kernel_matches_scipy_gaussian_filter() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 40))
    for sigma in (1.0, 2.0):  # ceil(3 sigma) == int(3 sigma + 0.5): same radius as scipy
        ours = F.correlate(x, F.gaussian_kernel(sigma), border="reflect")
        ref = ndimage.gaussian_filter(x, sigma, truncate=3.0, mode="mirror")
        np.testing.assert_allclose(ours, ref, atol=1e-5)
    assert F.gaussian_kernel(1.5).shape == (11, 11)
    assert F.gaussian_kernel(1.5).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        F.gaussian_kernel(0)


# --- against brute force -----------------------------------------------------------------

@pytest.mark.parametrize("method", ["direct", "taps", "fft", "separable", "auto"])
@pytest.mark.parametrize("border", F.BORDER_MODES)
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (5, 5), (1, 3), (11, 11)])
def test_every_path_matches_brute_force(method: str, border: str, kshape: tuple[int, int]) -> None:
    rng = np.random.default_rng(hash((method, border, kshape)) % 2**32)
    x = rng.normal(size=(13, 17, 3)) * 50
    if method == "separable":
        k = np.outer(rng.normal(size=kshape[0]), rng.normal(size=kshape[1]))
    else:
        k = rng.normal(size=kshape)
    ours = F.correlate(x, k, border=border, method=method)
    assert ours.dtype == np.float32 and ours.shape == x.shape
    np.testing.assert_allclose(ours, brute_correlate(x, k, border), atol=2e-3, rtol=1e-4)


@pytest.mark.parametrize("method", ["taps", "separable", "direct"])
def test_megapixel_paths_match_scipy_signal(method: str) -> None:
    """The strip-parallel paths only engage from 1 megapixel: check them there against
    scipy.signal.correlate2d (zero border, odd kernel)."""
    rng = np.random.default_rng(8)
    x = rng.integers(0, 256, size=(1000, 1100), dtype=np.uint8)
    k = np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]) if method == "separable" else rng.normal(size=(5, 3))
    ours = F.correlate(x, k, border="zero", method=method)
    ref = signal.correlate2d(x.astype(np.float64), k, mode="same", boundary="fill")
    np.testing.assert_allclose(ours, ref, atol=2e-3)


@settings(max_examples=60, deadline=None)
@given(small_images, kernels, borders, st.integers(1, 3), st.integers(1, 3))
def test_stride_and_dilation_match_brute_force(x, k, border, stride, dilation) -> None:
    ours = F.correlate(x, k, border=border, stride=stride, dilation=dilation)
    ref = brute_correlate(x, k, border, stride=stride, dilation=dilation)
    assert ours.shape == ref.shape == (-(-x.shape[0] // stride), -(-x.shape[1] // stride))
    np.testing.assert_allclose(ours, ref, atol=2e-3, rtol=1e-4)


def test_stride_output_size_formula() -> None:
    """floor((N + 2P - F) / S) + 1 with 'same' padding P = 1: 7x7, 3x3, stride 2 -> 4x4; stride 3 -> 3x3."""
    x = np.zeros((7, 7))
    assert F.correlate(x, np.ones((3, 3)), stride=2).shape == (4, 4)
    assert F.correlate(x, np.ones((3, 3)), stride=3).shape == (3, 3)
    assert F.correlate(np.zeros((16, 16)), np.ones((5, 5)), stride=4, dilation=2).shape == (4, 4)


def test_dilated_kernel_has_holes() -> None:
    d = F.dilate_kernel(np.arange(1, 10, dtype=float).reshape(3, 3), 2)
    assert d.shape == (5, 5)
    assert d[0, 0] == 1 and d[0, 2] == 2 and d[4, 4] == 9
    assert np.count_nonzero(d) == 9


def test_convolution_matches_scipy_convolve2d() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(20, 23))
    for shape in [(3, 3), (5, 3), (1, 5)]:
        k = rng.normal(size=shape)
        ours = F.convolve(x, k, border="zero")
        np.testing.assert_allclose(ours, signal.convolve2d(x, k, mode="same"), atol=1e-4)


def test_correlation_and_convolution_differ_for_a_non_symmetric_kernel_only() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, size=(24, 24))
    assert np.abs(F.correlate(x, F.EMBOSS) - F.convolve(x, F.EMBOSS)).max() > 10
    np.testing.assert_allclose(F.convolve(x, F.SOBEL_X), -F.correlate(x, F.SOBEL_X), atol=1e-3)
    np.testing.assert_allclose(F.convolve(x, F.GAUSSIAN_273), F.correlate(x, F.GAUSSIAN_273), atol=1e-4)


def test_gradient_magnitude_brute_force() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 255, size=(10, 12))
    gx, gy = brute_correlate(x, F.SOBEL_X, "reflect"), brute_correlate(x, F.SOBEL_Y, "reflect")
    np.testing.assert_allclose(F.gradient_magnitude(x), np.hypot(gx, gy), atol=1e-3)


def test_apply_grayscale_and_per_channel() -> None:
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    per = F.apply(img, F.FilterSettings(name="sobel_x"))
    for c in range(3):
        np.testing.assert_allclose(per[..., c], brute_correlate(img[..., c].astype(float), F.SOBEL_X, "reflect"),
                                   atol=1e-3)
    gray = F.apply(img, F.FilterSettings(name="identity", grayscale=True))
    y = 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]
    np.testing.assert_allclose(gray, y, atol=1e-3)
    custom = F.FilterSettings(name="custom", custom=((1.0, 1.0), (1.0, 1.0)), normalise=True)
    np.testing.assert_allclose(custom.kernel(), np.full((2, 2), 0.25))


# --- properties ------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(small_images, kernels, kernels)
def test_associativity_circular_is_exact(x, a, b) -> None:
    """(x corr A) corr B == x corr (A * B) everywhere with circular borders."""
    two = F.correlate(F.correlate(x, a, border="circular"), b, border="circular")
    one = F.correlate(x, F.compose(a, b), border="circular")
    np.testing.assert_allclose(two, one, atol=5e-2, rtol=1e-4)


@settings(max_examples=40, deadline=None)
@given(kernels, kernels, st.integers(0, 2**31 - 1))
def test_associativity_zero_border_away_from_the_edge(a, b, seed) -> None:
    x = np.random.default_rng(seed).normal(size=(16, 16))
    c = F.compose(a, b)
    two = F.correlate(F.correlate(x, a, border="zero"), b, border="zero")
    one = F.correlate(x, c, border="zero")
    m = max(c.shape) // 2
    np.testing.assert_allclose(two[m:16 - m, m:16 - m], one[m:16 - m, m:16 - m], atol=1e-3)


def test_compose_is_scipy_full_convolution() -> None:
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(F.compose(a, b), signal.convolve2d(a, b, mode="full"))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 7), elements=st.floats(-3, 3, allow_nan=False, width=32)),
       arrays(np.float64, st.integers(1, 7), elements=st.floats(-3, 3, allow_nan=False, width=32)),
       small_images, borders)
def test_separability(col, row, x, border) -> None:
    k = np.outer(col, row)
    sep = F.separate(k)
    scale = max(1.0, float(np.abs(k).max()))
    if np.abs(k).max() > 1e-3:
        assert sep.rank == 1 and sep.separable
        np.testing.assert_allclose(np.outer(sep.column, sep.row), k, atol=1e-9 * scale)
    two_pass = F.correlate(F.correlate(x, col[:, None], border=border), row[None, :], border=border)
    np.testing.assert_allclose(two_pass, brute_correlate(x, k, border), atol=1e-2, rtol=1e-4)
    np.testing.assert_allclose(F.correlate(x, k, border=border, method="separable"),
                               brute_correlate(x, k, border), atol=1e-2, rtol=1e-4)


def test_separation_of_known_kernels() -> None:
    sep = F.separate(F.SOBEL_X)
    assert sep.rank == 1
    np.testing.assert_allclose(sep.column / sep.column[0], [1, 2, 1])
    np.testing.assert_allclose(sep.row / sep.row[0], [1, 0, -1])
    assert F.separate(F.gaussian_kernel(2.0)).rank == 1
    assert F.separate(F.GAUSSIAN_273).rank > 1  # the lecture's integer Gaussian is only nearly separable
    assert F.separate(F.LAPLACIAN).rank == 2
    assert F.choose_method(F.gaussian_kernel(2.0)) == "separable"
    assert F.choose_method(F.SOBEL_X) == "taps"  # 6 non-zero weights: no gain from splitting
    assert F.choose_method(np.random.default_rng(0).normal(size=(13, 13))) == "fft"
    assert F.choose_method(np.random.default_rng(0).normal(size=(9, 9))) == "direct"
    assert F.choose_method(F.GAUSSIAN_273) == "taps"


@settings(max_examples=60, deadline=None)
@given(small_images, kernels, st.integers(-10, 10), st.integers(-10, 10))
def test_translation_equivariance_circular(x, k, dy, dx) -> None:
    a = F.correlate(F.shift(x, dy, dx), k, border="circular")
    b = F.shift(F.correlate(x, k, border="circular"), dy, dx)
    np.testing.assert_allclose(a, b, atol=1e-3, rtol=1e-5)


@settings(max_examples=40, deadline=None)
@given(kernels, st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_translation_equivariance_zero_border_interior(k, dy, dx, seed) -> None:
    """Non-circular shift: move the content, padding with zeros; compare away from the edges."""
    x = np.zeros((20, 20))
    x[:14, :14] = np.random.default_rng(seed).normal(size=(14, 14))
    moved = np.zeros_like(x)
    moved[dy:, dx:] = x[: 20 - dy, : 20 - dx]
    a = F.correlate(moved, k, border="zero")
    b_full = F.correlate(x, k, border="zero")
    b = np.zeros_like(b_full)
    b[dy:, dx:] = b_full[: 20 - dy, : 20 - dx]
    np.testing.assert_allclose(a[dy + 3:17, dx + 3:17], b[dy + 3:17, dx + 3:17], atol=1e-3)


@settings(max_examples=50, deadline=None)
@given(small_images, odd_kernels, borders)
def test_rotating_image_and_kernel_together_commutes(x, k, border) -> None:
    a = F.correlate(np.rot90(x), np.rot90(k), border=border)
    b = np.rot90(F.correlate(x, k, border=border))
    np.testing.assert_allclose(a, b, atol=1e-3, rtol=1e-5)


def test_rotation_and_scaling_do_not_commute_with_sobel() -> None:
    rng = np.random.default_rng(7)
    x = ndimage.gaussian_filter(rng.uniform(0, 255, size=(40, 40)), 2)
    assert F.max_abs_diff(F.correlate(np.rot90(x), F.SOBEL_X), np.rot90(F.correlate(x, F.SOBEL_X))) > 1
    half_then = F.correlate(F.downscale2(x), F.SOBEL_X)
    then_half = F.downscale2(F.correlate(x, F.SOBEL_X))
    assert F.max_abs_diff(half_then, then_half, margin=1) > 1


# --- the kernel editor -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 2 1\n2 4 2\n1 2 1", [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
        ("1/9, 1/9, 1/9\n1/9,1/9,1/9\n 1/9 1/9 1/9 \n", [[1 / 9] * 3] * 3),
        ("-1 0.5 .25\n\n2e-1 -3/4 +1", [[-1, 0.5, 0.25], [0.2, -0.75, 1]]),
        ("1 2; 3 4", [[1, 2], [3, 4]]),
        ("7", [[7]]),
    ],
)
def test_parse_kernel_accepts(text: str, expected: list) -> None:
    np.testing.assert_allclose(F.parse_kernel(text), expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"), ("  \n \t\n", "empty"), ("1 a 2", "\"a\" is not a number"),
        ("1 2\n3 x", "row 2, entry 2"), ("1 nan", "not a number"), ("inf 1", "infinite"),
        ("1 -Infinity", "infinite"), ("1e400", "infinite"), ("1/0", "divides by zero"),
        ("1 2 3\n4 5", "row 2 has 2 entries but row 1 has 3"), ("0,5 1,5", None),
        ("\n".join(["1 " * 16] * 3), "3 x 16"), ("\n".join(["1"] * 16), "16 x 1"),
        ("[1, 2]", "not a number"), ("1//2", "not a number"),
    ],
)
def test_parse_kernel_rejects_with_a_clear_message(text: str, fragment: str | None) -> None:
    if fragment is None:  # "0,5 1,5" is four integers, 0 5 1 5: allowed, documented
        np.testing.assert_allclose(F.parse_kernel(text), [[0, 5, 1, 5]])
        return
    with pytest.raises(F.KernelError) as err:
        F.parse_kernel(text)
    assert fragment in str(err.value)
    assert isinstance(err.value, ValueError)


def test_parse_kernel_messages_in_spanish() -> None:
    with pytest.raises(F.KernelError, match="vacío"):
        F.parse_kernel(" ", lang="es")
    with pytest.raises(F.KernelError, match="fila 2 tiene 1 elementos"):
        F.parse_kernel("1 2\n3", lang="es")
    assert F.parse_kernel("15 " * 15, lang="es").shape == (1, 15)


def test_normalise_and_csv() -> None:
    k, done = F.normalise(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert done and k.sum() == pytest.approx(1.0)
    same, done = F.normalise(F.SOBEL_X)
    assert not done and np.array_equal(same, F.SOBEL_X)
    text = F.kernel_csv(F.GAUSSIAN_273)
    back = np.array([[float(v) for v in line.split(",")] for line in text.strip().splitlines()])
    np.testing.assert_array_equal(back, F.GAUSSIAN_273)


# --- display scaling ---------------------------------------------------------------------

def test_display_scaling() -> None:
    signed = np.array([[-10.0, 0.0, 10.0]])
    d = F.for_display(signed, "signed", percentile=100)
    assert d.kind == "diverging" and d.limit == pytest.approx(10)
    assert tuple(d.image[0, 1]) == (247, 247, 247)  # 0 -> white
    assert d.image[0, 2, 0] > d.image[0, 2, 2] and d.image[0, 0, 2] > d.image[0, 0, 0]  # red / blue
    colour = F.for_display(np.stack([signed] * 3, axis=2), "signed", percentile=100)
    assert colour.kind == "offset" and tuple(colour.image[0, 1]) == (128, 128, 128)
    assert colour.image[0, 2, 0] == 255 and colour.image[0, 0, 0] == 1
    clip = F.for_display(np.array([[-5.0, 100.4, 300.0]]), "clip")
    assert clip.image[0, :, 0].tolist() == [0, 100, 255] and clip.clipped == pytest.approx(2 / 3)
    stretch = F.for_display(np.array([[0.0, 50.0, 100.0]]), "stretch", percentile=100)
    assert stretch.image[0, :, 0].tolist() == [0, 128, 255]
    s = F.FilterSettings(name="sobel_x")
    assert F.display_kind(s, s.kernel()) == "signed"
    assert F.display_kind(F.FilterSettings(name="sharpen"), F.SHARPEN) == "clip"
    assert F.display_kind(F.FilterSettings(name="sobel_magnitude"), F.SOBEL_X) == "stretch"

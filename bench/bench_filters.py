"""Filter lab speed: 3x3 and 5x5 filters on a 12-megapixel RGB image (full resolution and
the page's preview path), side by side with OpenCV's filter2D when `opencv-python-headless`
is importable (optional: `pip install opencv-python-headless`), and the page's reaction to
a slider change.

Run: python bench/bench_filters.py [--repeats 5] [--no-page]
Prints medians in milliseconds and ratios ours / OpenCV (same border: reflect = BORDER_REFLECT_101,
same float32 output, results checked equal).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.images import encode_png, load_image, preview  # noqa: E402
from convviz.images import filters as F  # noqa: E402


def median_ms(fn, repeats: int) -> float:  # noqa: ANN001
    fn()  # warm-up (imports, allocations)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def photo_like(h: int = 3000, w: int = 4000, seed: int = 0) -> np.ndarray:
    """A 12 MP RGB test image: smooth colour fields, edges and sensor-like noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([128 + 90 * np.sin(x / 300), 128 + 90 * np.cos(y / 200), 255 * (x + y) / (w + h)], axis=2)
    base[(x - w / 2) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2] = (230, 40, 40)
    base += rng.normal(0, 6, size=base.shape).astype(np.float32)
    return np.clip(base, 0, 255).astype(np.uint8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest page timing")
    args = parser.parse_args()

    try:
        import cv2  # type: ignore[import-not-found]
    except ImportError:
        cv2 = None
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; numpy {np.__version__}"
          + (f"; OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads)" if cv2 else "; OpenCV not installed"))
    img = photo_like()
    print(f"image: {img.shape[1]} x {img.shape[0]} x 3 uint8 ({img.shape[0] * img.shape[1] / 1e6:.0f} MP)")
    cases = [
        ("3x3 Sobel Gx", F.SOBEL_X),
        ("3x3 sharpen", F.SHARPEN),
        ("3x3 box", F.BOX_3),
        ("5x5 Gaussian 1/273", F.GAUSSIAN_273),
        ("5x5 Gaussian sigma=1 (separable)", F.gaussian_kernel(1.0, radius=2)),
    ]
    print("\n## Full resolution (per channel, float32 out, reflect border)")
    print(f"{'filter':34s} {'path':10s} {'ours ms':>9s} {'ndimage ms':>11s} {'OpenCV ms':>10s} {'ours/cv':>8s} {'max|diff|':>10s}")
    for name, k in cases:
        method = F.choose_method(k)
        ours = median_ms(lambda k=k: F.correlate(img, k, border="reflect"), args.repeats)
        nd = median_ms(lambda k=k: F.correlate(img, k, border="reflect", method="direct"), max(1, args.repeats // 2))
        line = f"{name:34s} {method:10s} {ours:9.0f} {nd:11.0f}"
        if cv2 is not None:
            ref = median_ms(lambda k=k: cv2.filter2D(img, cv2.CV_32F, k, borderType=cv2.BORDER_REFLECT_101),
                            args.repeats)
            diff = float(np.abs(F.correlate(img, k) - cv2.filter2D(img, cv2.CV_32F, k,
                                                                   borderType=cv2.BORDER_REFLECT_101)).max())
            line += f" {ref:10.0f} {ours / ref:8.2f} {diff:10.2g}"
        print(line)

    print("\n## Preview path (12 MP photo -> 800 px preview -> filter -> display -> PNG)")
    buf = io.BytesIO()
    from PIL import Image

    Image.fromarray(img).save(buf, format="JPEG", quality=90)
    jpeg = buf.getvalue()
    t_decode = median_ms(lambda: load_image(jpeg), max(1, args.repeats // 2))
    full = load_image(jpeg)
    t_prev = median_ms(lambda: preview(full, 800), args.repeats)
    small = preview(full, 800)
    print(f"decode {len(jpeg) / 1e6:.1f} MB JPEG (once per upload): {t_decode:.0f} ms; downscale to "
          f"{small.shape[1]} x {small.shape[0]} (once per upload): {t_prev:.0f} ms")
    for name, settings in [("5x5 Gaussian 1/273", F.FilterSettings(name="gaussian_273")),
                           ("3x3 Sobel Gx", F.FilterSettings(name="sobel_x")),
                           ("Gaussian sigma=3 (19x19)", F.FilterSettings(name="gaussian", sigma=3.0))]:
        def pipeline(s=settings) -> bytes:
            values = F.apply(small, s)
            return encode_png(F.for_display(values, F.display_kind(s, s.kernel())).image)
        t_filter = median_ms(lambda s=settings: F.apply(small, s), args.repeats)
        t_all = median_ms(pipeline, args.repeats)
        print(f"{name:28s} filter {t_filter:6.1f} ms; filter + display scaling + PNG {t_all:6.1f} ms")

    if not args.no_page:
        page_timing(jpeg, args.repeats)
    return 0


def page_timing(jpeg: bytes, repeats: int) -> None:
    """Median AppTest rerun after moving the sigma slider (each value new, so not cached),
    with a 12 MP JPEG uploaded; AppTest's own overhead is included."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/filter_lab.py").run()
    at.radio(key="flt_source").set_value("upload").run()
    at.file_uploader(key="flt_upload").set_value(("photo.jpg", jpeg, "image/jpeg")).run()
    at.selectbox(key="flt_name").set_value("gaussian").run()
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    times = []
    values = [1.0 + 0.1 * i for i in range(1, 2 * repeats + 2)]
    for sigma in values:
        t0 = time.perf_counter()
        at.slider(key="flt_sigma").set_value(sigma).run()
        times.append(1000 * (time.perf_counter() - t0))
    t0 = time.perf_counter()
    at.run()
    cached = 1000 * (time.perf_counter() - t0)
    t_idle = median_ms(lambda: at.run(), repeats)
    print("\n## Page reaction (AppTest, 12 MP JPEG uploaded, preview "
          f"{at.caption[0].value.split('preview')[0].split('on a ')[-1].strip()})")
    print(f"sigma slider change (new value, computed): median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms over {len(times)} changes (target < 300 ms)")
    print(f"rerun with everything cached: {cached:.0f} ms (median of {repeats} more: {t_idle:.0f} ms)")


if __name__ == "__main__":
    raise SystemExit(main())

"""Draw digits with the mouse in headless Chromium on the "Draw a digit" page and keep them.

    PYTHONPATH=$PWD python tests/data/make_drawn_digits.py [--out tests/data/drawn_digits.npz]

Starts the app (as the browser tests do), opens the page once per stroke width (the
``stroke`` slider, set through the page's shared-link parameter), and for every digit 0-9
in two handwriting styles moves Playwright's mouse along the strokes' polylines (pressed,
small jitter, pen lifted between strokes) after scaling, shearing, tilting and placing the
digit: small or large, centred or off-centre. After each drawing it reads the pixels of the
canvas the component draws on (fabric's lower canvas, 280x280 RGBA: white strokes on
transparent, the image ``st_canvas`` returns) and clears it with the toolbar's reset button.

Output (``.npz``): ``canvas`` (N x 140 x 140 uint8, the drawing's grey level, downsampled 2x
by averaging, to keep the file small), ``image`` (N x 28 x 28 uint8: ``preprocess_canvas`` of
the full 280x280 drawing), ``label``, ``stroke`` (px), ``height`` (the digit's height in
canvas px), ``tilt`` (degrees), ``style``. These are our own synthetic mouse drawings, not
MNIST. Each stroke width has its own random stream (``--seed``, width); the browser's
timing can still change a drawing slightly.

The committed ``tests/data/drawn_digits.npz`` (160 drawings, 172 KB) took three runs on the
loaded shared machine (each page rerun after a stroke is slow there): width 6 with
``--per-width 2`` (by the first version of this script, one random stream for all widths),
then ``--append --widths 40 16 28 10 --per-width 1`` and ``--append --widths 20 34 --per-width 1``.
"""

from __future__ import annotations

import argparse
import base64
import io
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

Stroke = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 20) -> Stroke:
    """Ellipse arc in the unit box, angles in degrees (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * t / n)),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * t / n))) for t in range(n + 1)]


def eight() -> Stroke:
    """A one-stroke figure eight (Gerono's lemniscate), top to bottom and back."""
    return [(0.5 + 0.62 * math.sin(t) * math.cos(t), 0.5 - 0.5 * math.cos(t))
            for t in np.linspace(0, 2 * math.pi, 41)]


# digit -> styles -> strokes; x to the right, y down, the digit inside the unit box
DIGITS: dict[int, list[list[Stroke]]] = {
    0: [[arc(0.5, 0.5, 0.32, 0.5, -90, 270, 32)], [arc(0.5, 0.5, 0.28, 0.5, -60, 290, 32)]],
    1: [[[(0.5, 0.0), (0.5, 1.0)]], [[(0.3, 0.2), (0.55, 0.0), (0.55, 1.0)], [(0.3, 1.0), (0.8, 1.0)]]],
    2: [[arc(0.5, 0.28, 0.3, 0.28, 190, 390) + [(0.15, 1.0), (0.88, 1.0)]],
        [arc(0.5, 0.3, 0.32, 0.3, 190, 400) + [(0.22, 0.9), (0.17, 1.0), (0.3, 0.92), (0.55, 0.96), (0.88, 0.98)]]],
    3: [[arc(0.48, 0.26, 0.3, 0.26, 200, 450), arc(0.48, 0.74, 0.34, 0.26, 270, 520)],
        [[(0.15, 0.0), (0.85, 0.0), (0.45, 0.4)] + arc(0.5, 0.7, 0.34, 0.3, 270, 510)]],
    4: [[[(0.7, 1.0), (0.7, 0.0), (0.08, 0.68), (0.92, 0.68)]],
        [[(0.22, 0.0), (0.15, 0.6), (0.88, 0.6)], [(0.68, 0.15), (0.68, 1.0)]]],
    5: [[[(0.82, 0.0), (0.28, 0.0), (0.22, 0.45)] + arc(0.5, 0.7, 0.32, 0.3, 215, 495)],
        [[(0.28, 0.0), (0.22, 0.45)] + arc(0.5, 0.7, 0.32, 0.3, 215, 495), [(0.28, 0.0), (0.85, 0.02)]]],
    6: [[[(0.72, 0.0), (0.3, 0.55)] + arc(0.5, 0.72, 0.28, 0.28, 200, 560)],
        [arc(0.62, 0.55, 0.4, 0.55, -80, -180) + arc(0.52, 0.74, 0.3, 0.26, 180, 520)]],
    7: [[[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)]], [[(0.1, 0.05), (0.9, 0.0), (0.4, 1.0)], [(0.35, 0.5), (0.8, 0.5)]]],
    8: [[arc(0.5, 0.25, 0.27, 0.25, 0, 360, 28), arc(0.5, 0.73, 0.33, 0.27, 0, 360, 28)], [eight()]],
    9: [[arc(0.48, 0.28, 0.3, 0.28, 0, 360, 28), [(0.78, 0.28), (0.7, 1.0)]],
        [arc(0.48, 0.3, 0.3, 0.3, 10, 370, 28) + [(0.76, 0.6), (0.68, 0.92), (0.45, 1.0), (0.25, 0.93)]]],
}
WIDTHS = (6, 10, 16, 24, 32, 40)


def place(strokes: list[Stroke], rng: np.random.Generator, pen: int, canvas: int = 280) -> tuple[list[Stroke], float, float]:
    """Random height (small: 50-100 px, or large: 100-230 px, and at least 4.5 pen widths),
    slight aspect change and shear, a tilt of up to +-20 degrees and a random position that
    keeps the digit on the canvas; (strokes, height, tilt)."""
    low = max(50.0, 4.5 * pen)
    height = float(rng.choice([rng.uniform(low, max(low, 100)), rng.uniform(max(low, 100), 230)]))
    width = height * rng.uniform(0.55, 0.85)
    tilt = float(rng.uniform(-20, 20))
    shear = float(rng.uniform(-0.15, 0.15))
    c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
    pts = [[((x - 0.5) * width + shear * (0.5 - y) * height, (y - 0.5) * height) for x, y in line] for line in strokes]
    pts = [[(c * x - s * y, s * x + c * y) for x, y in line] for line in pts]
    xs = [p[0] for line in pts for p in line]
    ys = [p[1] for line in pts for p in line]
    margin = 14
    lo_x, hi_x = margin - min(xs), canvas - margin - max(xs)
    lo_y, hi_y = margin - min(ys), canvas - margin - max(ys)
    cx = rng.uniform(lo_x, hi_x) if hi_x > lo_x else canvas / 2
    cy = rng.uniform(lo_y, hi_y) if hi_y > lo_y else canvas / 2
    jitter = rng.normal(0, 0.8, size=(sum(len(line) for line in pts), 2))
    out, k = [], 0
    for line in pts:
        moved = []
        for x, y in line:
            moved.append((float(np.clip(cx + x + jitter[k, 0], 1, canvas - 2)), float(np.clip(cy + y + jitter[k, 1], 1, canvas - 2))))
            k += 1
        out.append(moved)
    return out, height, tilt


def draw(page: object, box: dict[str, float], strokes: list[Stroke]) -> None:
    for line in strokes:
        page.mouse.move(box["x"] + line[0][0], box["y"] + line[0][1])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(line, line[1:], strict=False):
            steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / 6))
            page.mouse.move(box["x"] + x1, box["y"] + y1, steps=steps)
        page.mouse.up()


def read_canvas(page: object) -> np.ndarray:
    from PIL import Image

    lower = page.locator('[data-testid="stBidiComponentIsolated"] canvas.dc-canvas.lower-canvas').first
    url = lower.evaluate("c => c.toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))


def draw_and_read(page: object, box: dict[str, float], strokes: list[Stroke]) -> np.ndarray:
    """Draw, then read the canvas; draws again (up to 3 times) if the canvas stayed blank
    (the component was still starting)."""
    from convviz.digits.canvas import preprocess_canvas

    for _ in range(3):
        draw(page, box, strokes)
        time.sleep(0.15)
        rgba = read_canvas(page)
        if preprocess_canvas(rgba) is not None:
            return rgba
        time.sleep(2)
    raise RuntimeError("the canvas stayed blank after drawing")


def clear(page: object, box: dict[str, float]) -> None:
    """The toolbar's reset button, once the page has finished its rerun; waits until blank."""
    from convviz.digits.canvas import to_gray
    from tests.browser.conftest import wait_for_app

    wait_for_app(page)  # the toolbar is inert while the page reruns
    page.mouse.move(box["x"] + 140, box["y"] + 140)
    page.locator('[data-testid="stBidiComponentIsolated"] button[title^="Reset canvas"]').first.click()
    for _ in range(50):
        if to_gray(read_canvas(page)).max() == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the canvas did not clear")


def save(path: str, rows: dict[str, list]) -> None:
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in rows.items()})


def open_page(page: object, url: str, width: int) -> tuple[object, dict[str, float]]:
    from tests.browser.conftest import wait_for_app

    page.goto(f"{url}/draw_digit?stroke={width}")
    wait_for_app(page)
    canvas = page.locator('[data-testid="stBidiComponentIsolated"] canvas.upper-canvas').first
    canvas.wait_for(state="visible", timeout=120_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and round(box["width"]) == 280, box
    return canvas, box


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "drawn_digits.npz"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-width", type=int, default=2, help="drawings of each digit and style per stroke width")
    ap.add_argument("--widths", type=int, nargs="*", default=list(WIDTHS), help="stroke widths (px), in this order")
    ap.add_argument("--append", action="store_true", help="add to the drawings already in --out")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from convviz.digits.canvas import preprocess_canvas, to_gray
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app, wait_for_app

    rows: dict[str, list] = {k: [] for k in ("canvas", "image", "label", "stroke", "height", "tilt", "style")}
    if args.append and Path(args.out).exists():
        with np.load(args.out) as old:
            rows = {k: list(old[k]) for k in rows}
    with serve_app() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(url)
        wait_for_app(page)
        for width in args.widths:
            rng = np.random.default_rng([args.seed, width])  # each width reproducible on its own
            _, box = open_page(page, url, width)
            time.sleep(1)
            for digit, styles in DIGITS.items():
                for style, strokes in enumerate(styles):
                    for _ in range(args.per_width):
                        placed, height, tilt = place(strokes, rng, width)
                        rgba = draw_and_read(page, box, placed)
                        gray = to_gray(rgba)
                        rows["canvas"].append(gray.reshape(140, 2, 140, 2).mean(axis=(1, 3)).round().astype(np.uint8))
                        rows["image"].append(preprocess_canvas(rgba))
                        rows["label"].append(digit)
                        rows["stroke"].append(width)
                        rows["height"].append(round(height))
                        rows["tilt"].append(round(tilt))
                        rows["style"].append(style)
                        clear(page, box)
            print(f"stroke {width}: {len(rows['label'])} drawings", file=sys.stderr, flush=True)
            save(args.out, rows)  # after every width: a failure later keeps what was drawn
        browser.close()
    save(args.out, rows)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1024:.0f} KB, {len(rows['label'])} drawings)")


if __name__ == "__main__":
    main()

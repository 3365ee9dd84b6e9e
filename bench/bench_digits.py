"""Speed of the digit CNN: one prediction, preprocessing, the page's analysis, one training
epoch, and the fast layers against the naive loop references.

    python bench/bench_digits.py [--no-epoch] [--repeat 50]

Prints medians. Set OPENBLAS_NUM_THREADS=1 on a shared machine (busy-waiting BLAS threads
slow everybody down). MNIST is read from ../shared/data/mnist when present (else generated
digits are used for the epoch timing).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.digits import MODEL_PATH, load_classifier, preprocess_canvas  # noqa: E402
from convviz.nn import TrainConfig, Trainer, build_model, reference  # noqa: E402
from convviz.nn.layers import Conv2d, MaxPool2d  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def drawn_canvas() -> np.ndarray:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(img).line([(80, 60), (200, 60), (120, 230)], fill=(255, 255, 255, 255), width=20)
    return np.asarray(img).copy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-epoch", action="store_true")
    args = parser.parse_args()

    model = load_classifier()
    rgba = drawn_canvas()
    image = preprocess_canvas(rgba)
    print(f"model file: {MODEL_PATH.stat().st_size / 1024:.0f} KB, {model.n_params():,} parameters")
    print(f"one prediction (predict_proba of 1 image): {median_ms(lambda: model.predict_proba(image[None]), args.repeat):.2f} ms")
    print(f"preprocess_canvas (280x280 RGBA): {median_ms(lambda: preprocess_canvas(rgba), args.repeat):.2f} ms")
    print(f"page analysis (activations + input gradient): "
          f"{median_ms(lambda: (model.activations(image), model.input_gradient(image)), args.repeat):.2f} ms")
    batch = np.repeat(image[None], 500, axis=0)
    ms = median_ms(lambda: model.predict_proba(batch), max(5, args.repeat // 10))
    print(f"batch of 500 predictions: {ms:.1f} ms ({ms / 500 * 1000:.0f} us per digit)")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 12, 12)).astype(np.float32)
    conv = Conv2d(3, 4, 3, padding=1, rng=rng)
    fast = median_ms(lambda: conv.forward(x), 20)
    slow = median_ms(lambda: reference.conv2d(x, conv.params["weight"], conv.params["bias"], 1, 1), 3)
    print(f"conv 3->4, 3x3, 2x3x12x12: fast {fast:.3f} ms, naive loops {slow:.1f} ms (x{slow / fast:.0f})")
    pool = MaxPool2d(2)
    xp = rng.standard_normal((2, 8, 24, 24)).astype(np.float32)
    fast = median_ms(lambda: pool.forward(xp), 20)
    slow = median_ms(lambda: reference.pool2d(xp, 2, 2, 0, "max"), 3)
    print(f"max-pool 2x2, 2x8x24x24: fast {fast:.3f} ms, naive loops {slow:.1f} ms (x{slow / fast:.0f})")

    if not args.no_epoch:
        mnist = ROOT.parent / "shared" / "data" / "mnist"
        try:
            from convviz.digits.mnist import load_mnist

            xs, ys = load_mnist(mnist, "t10k")
            source = "MNIST"
        except ValueError:
            from PIL import Image  # noqa: F401

            xs = rng.integers(0, 256, (5000, 28, 28)).astype(np.uint8)
            ys = rng.integers(0, 10, 5000)
            source = "random"
        for augment in (False, True):
            net = build_model("medium", dropout=0.25)
            cfg = TrainConfig(epochs=1, batch_size=64, augment=augment)
            t = time.perf_counter()
            Trainer(net, cfg).fit(xs[:5000], ys[:5000])
            print(f"one epoch, medium network, 5,000 {source} digits, batch 64, augment={augment}: "
                  f"{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

"""Figures of bench/RESULTS-digits.md's "new writers" section, from training logs and models.

    python bench/report_digits.py --logs AB.log.json BA.log.json \
        --models assets/digit_cnn.npz old.npz [--data ../shared/data/mnist]

For each cross-population log (``convviz train-digits --train/--val/--test``): validation and
test accuracy per epoch, the epoch with the best validation accuracy and the test accuracy
there and at the last epoch. For each model: its file size, the median time of one
prediction, its accuracy on the mouse-drawn fixture (tests/data/drawn_digits.npz) by stroke
width and size, and, when the MNIST folder is given, on all 10,000 t10k digits.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def report_log(path: str) -> None:
    log = json.loads(Path(path).read_text())
    meta = log["meta"]
    val, test = log["val_acc"], meta.get("test_acc_per_epoch", [])
    best = int(np.argmax(val)) if val else -1
    print(f"\n{path}: train {meta['args']['train']}, val {meta['args']['val']}, test {meta['args']['test']}, "
          f"{meta['train_seconds']} s")
    print("epoch | val acc | test acc")
    for i, (v, t) in enumerate(zip(val, test, strict=False), 1):
        print(f"{i} | {v:.4f} | {t:.4f}{'  <- best val' if i == best + 1 else ''}")
    if val and test:
        print(f"best val epoch {best + 1}: test {test[best]:.4f}; last epoch: val {val[-1]:.4f} test {test[-1]:.4f}")


def report_model(path: str, data: str | None) -> None:
    from convviz.digits import load_classifier

    model = load_classifier(path)
    size = Path(path).stat().st_size / 1024
    with np.load(ROOT / "tests" / "data" / "drawn_digits.npz") as f:
        fx = {k: f[k] for k in f.files}
    one = fx["image"][:1]
    model.predict_proba(one)
    times = []
    for _ in range(50):
        t = time.perf_counter()
        model.predict_proba(one)
        times.append(time.perf_counter() - t)
    ok = model.predict(fx["image"]) == fx["label"]
    print(f"\n{path}: {size:.0f} KB, {model.n_params():,} parameters, one prediction {np.median(times) * 1e3:.2f} ms "
          f"(median of 50); drawn digits {ok.sum()}/{len(ok)} = {ok.mean():.4f}")
    for w in np.unique(fx["stroke"]):
        sel = fx["stroke"] == w
        print(f"  stroke {w:2d} px: {ok[sel].sum()}/{sel.sum()}")
    small = fx["height"] < 100
    print(f"  small (< 100 px): {ok[small].sum()}/{small.sum()}, large: {ok[~small].sum()}/{(~small).sum()}")
    print("  errors (label -> predicted):",
          ", ".join(f"{a}->{b}" for a, b in zip(fx["label"][~ok], model.predict(fx["image"][~ok]), strict=True)))
    if data:
        from convviz.digits.mnist import load_mnist

        x, y = load_mnist(data, "t10k")
        pred = model.predict(x)
        print(f"  t10k: first 5,000 {np.mean(pred[:5000] == y[:5000]):.4f}, last 5,000 {np.mean(pred[5000:] == y[5000:]):.4f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", nargs="*", default=[])
    ap.add_argument("--models", nargs="*", default=[])
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    for path in args.logs:
        report_log(path)
    for path in args.models:
        report_model(path, args.data)


if __name__ == "__main__":
    main()

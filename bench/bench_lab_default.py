"""The Training lab's default run end to end, as the page runs it: the default settings
(``convviz.digits.curves.DEFAULT_SETTINGS``: small network, Adam, batch 32, 5 epochs,
1,000 generated training digits, 500 validation digits), the trainer with a per-iteration
callback, and the live curves figure (built and serialised to JSON as the page's fragment
does) drawn after every epoch and at the end.

    python bench/bench_lab_default.py [--repeat 5]

Prints medians of wall and process CPU time. The generated digits are read from the disk
cache (built on the first run), so the data step is not timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.digits import curves as cv  # noqa: E402
from convviz.digits import datasets as ds  # noqa: E402
from convviz.figures.training import curves_figure  # noqa: E402
from convviz.nn import TrainConfig, Trainer, build_model  # noqa: E402

LABELS = {k: k for k in ("loss", "accuracy", "epoch", "iter_train", "smooth", "train", "val", "best", "stopped")}


def default_run(data: ds.DigitData, settings: cv.LabSettings) -> float:
    """Train with the page's callback pattern; returns the seconds spent drawing the curves."""
    il: list[float] = []
    ia: list[float] = []
    epochs: list[dict] = []
    drawing = 0.0

    def draw() -> None:
        nonlocal drawing
        t = time.perf_counter()
        curves_figure(il, ia, [e["train_loss"] for e in epochs], [e["train_acc"] for e in epochs],
                      [e["val_loss"] for e in epochs], [e["val_acc"] for e in epochs],
                      settings.iterations_per_epoch, LABELS).to_json()
        drawing += time.perf_counter() - t

    def callback(event: dict) -> bool:
        if event["kind"] == "iteration":
            il.append(float(event["loss"]))
            ia.append(float(event["acc"]))
        else:
            epochs.append(dict(event))
            draw()
        return True

    model = build_model(**settings.model_kwargs())
    Trainer(model, TrainConfig(**settings.train_kwargs())).fit(data.x_train, data.y_train, data.x_val, data.y_val,
                                                              callback=callback)
    draw()
    return drawing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = cv.DEFAULT_SETTINGS
    data = ds.lab_data("generated", settings.n_train, settings.n_val, seed=0)
    default_run(data, settings)  # warm-up
    walls, cpus, draws = [], [], []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        draws.append(default_run(data, settings))
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"load average {os.getloadavg()[0]:.1f}; lab default run ({settings.size}, B={settings.batch}, "
          f"{settings.epochs} epochs, N={settings.n_train}, {settings.n_val} val), median of {args.repeat}: "
          f"wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s, "
          f"of which drawing the curves {statistics.median(draws) * 1000:.0f} ms wall")


if __name__ == "__main__":
    main()

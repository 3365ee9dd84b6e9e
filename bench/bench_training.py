"""Training-lab speed: one epoch of the CNN on 5,000 digits (target < 15 s on 2 cores), plus
the pieces the page runs around it (generating digits, drawing the live curves, diagnosing).

    python bench/bench_training.py [--repeats 3] [--n 5000]

Prints medians in seconds (wall clock, and the process's CPU time: on a shared, loaded
machine the wall time is inflated by waiting for a core, the CPU time much less so). The
load average is printed too.
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

import numpy as np  # noqa: E402

from convviz.digits import curves as cv  # noqa: E402
from convviz.digits import datasets as ds  # noqa: E402
from convviz.nn import TrainConfig, Trainer, build_model, evaluate  # noqa: E402

CPU: list[float] = []  # process CPU seconds of the last timed() call's runs


def timed(fn, repeats: int) -> tuple[float, list[float]]:
    """Median wall time of ``repeats`` runs (CPU times of the runs go to CPU)."""
    times = []
    CPU.clear()
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, numpy {np.__version__}")

    med, _ = timed(lambda: ds.generate_digits(1000, seed=123), 1)
    print(f"generate 1,000 digits (fonts + affine + elastic):  {med:6.2f} s")
    x, y = ds.generated_cached(args.n, 0, ds.cache_dir())
    xv, yv = ds.generated_cached(500, 7919, ds.cache_dir())

    lab = cv.DEFAULT_SETTINGS
    for size in ("small", "medium"):
        settings = lab.with_(size=size, n_train=args.n, epochs=1)
        params = build_model(**settings.model_kwargs()).n_params()

        def epoch(settings: cv.LabSettings = settings) -> None:
            model = build_model(**settings.model_kwargs())
            Trainer(model, TrainConfig(**settings.train_kwargs())).fit(x, y)

        med, times = timed(epoch, args.repeats)
        verdict = "OK" if med < 15 else "OVER TARGET"
        print(f"one epoch, {size:6s} ({params:,} params), N={args.n}, B={settings.batch}, "
              f"{settings.iterations_per_epoch} iterations: median {med:6.2f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in times)}) target < 15 s: {verdict}; "
              f"CPU {statistics.median(CPU):.2f} s")
        model = build_model(**settings.model_kwargs())
        med, _ = timed(lambda model=model: evaluate(model, xv, yv), args.repeats)
        print(f"  validation pass on 500 digits ({size}):          {med:6.2f} s")

    from convviz.figures.training import curves_figure

    rng = np.random.default_rng(0)
    il = list(2.3 * np.exp(-np.arange(800) / 200) + 0.05 * rng.random(800))
    ia = list(np.linspace(0.1, 0.95, 800))
    ep = list(np.linspace(2.0, 0.2, 25))
    labels = {k: k for k in ("loss", "accuracy", "epoch", "iter_train", "smooth", "train", "val", "best", "stopped")}
    med, _ = timed(lambda: curves_figure(il, ia, ep, ia[:25], ep, ia[:25], 32, labels, 10, True, 25).to_json(), 5)
    print(f"live curves figure, 800 iterations (build + JSON):    {med * 1000:6.0f} ms")
    med, _ = timed(lambda: cv.diagnose({"iter_loss": il, "train_loss": ep, "val_loss": ep}), 20)
    print(f"diagnose the curves:                                  {med * 1000:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The numpy CNN against PyTorch, side by side in one process: one training epoch (Adam,
batch 64, 5,000 digits), a batch of 256 predictions and a single prediction, for the shipped
digit architecture ("deep", without its deskewing, which PyTorch's copy lacks) and others
(`--sizes`; "small" is the Training lab's default network).

    python bench/bench_torch_vs_numpy.py [--threads 1] [--repeat 3] [--sizes deep,small] [--no-train]

``--threads`` sets both OpenBLAS's threads (numpy, via convviz.nn.blas) and
``torch.set_num_threads``, so both libraries get the same cores. Prints medians of wall time
and of process CPU time (``time.process_time``: less sensitive to other processes on a shared
machine) and the numpy / torch ratios. Without PyTorch only the numpy figures are printed.
MNIST's t10k split is read from ../shared/data/mnist when present (else random digits).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.nn import TrainConfig, Trainer, build_model  # noqa: E402
from convviz.nn.blas import limit_blas_threads  # noqa: E402
from convviz.nn.model import SIZES  # noqa: E402

try:
    import torch
except ImportError:  # torch is a dev-only extra
    torch = None


def timed(fns: list[Callable[[], object]], repeat: int) -> list[tuple[float, float]]:
    """Median (wall seconds, CPU seconds) of ``repeat`` calls of each function, after one
    warm-up call each; the functions take turns, so a change of load hits them alike."""
    for fn in fns:
        fn()
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            w, c = time.perf_counter(), time.process_time()
            fn()
            walls[k].append(time.perf_counter() - w)
            cpus[k].append(time.process_time() - c)
    return [(statistics.median(a), statistics.median(b)) for a, b in zip(walls, cpus, strict=True)]


def compare(label: str, ours: Callable[[], object], ref: Callable[[], object] | None, repeat: int, unit: float,
            fmt: str) -> None:
    """Time ``ours`` (numpy) and ``ref`` (torch, None without it) in turns and print a row."""
    times = timed([ours] if ref is None else [ours, ref], repeat)
    row(label, times[0], times[1] if ref is not None else None, unit, fmt)


def digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        from convviz.digits.mnist import load_mnist

        xs, ys = load_mnist(ROOT.parent / "shared" / "data" / "mnist", "t10k")
        return xs[:n], ys[:n].astype(np.int64)
    except (ValueError, OSError):
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (n, 28, 28)).astype(np.uint8), rng.integers(0, 10, n)


def torch_model(size: str) -> torch.nn.Module:
    """The same layers as :func:`convviz.nn.build_model` (dropout 0.25 before the last layer):
    per stage a convolution (out channels, kernel, padding), ReLU and 2x2 max-pooling."""
    stages, hidden = SIZES[size]
    nn = torch.nn
    layers: list[torch.nn.Module] = []
    channels, side = 1, 28
    for out, kernel, padding in stages:
        layers += [nn.Conv2d(channels, out, kernel, padding=padding), nn.ReLU(), nn.MaxPool2d(2)]
        channels, side = out, (side + 2 * padding - kernel + 1) // 2
    return nn.Sequential(
        *layers, nn.Flatten(), nn.Linear(channels * side * side, hidden), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(hidden, 10),
    )


def numpy_epoch(size: str, xs: np.ndarray, ys: np.ndarray) -> Callable[[], object]:
    net = build_model(size, dropout=0.25)
    trainer = Trainer(net, TrainConfig(epochs=1, batch_size=64))
    return lambda: trainer.fit(xs, ys)


def torch_epoch(size: str, xs: np.ndarray, ys: np.ndarray) -> Callable[[], object]:
    net = torch_model(size)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x_all = torch.from_numpy(xs.astype(np.float32)[:, None] / 255.0)
    y_all = torch.from_numpy(ys)
    gen = torch.Generator().manual_seed(0)

    def epoch() -> None:
        net.train()
        order = torch.randperm(len(x_all), generator=gen)
        for lo in range(0, len(x_all), 64):
            idx = order[lo : lo + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x_all[idx]), y_all[idx])
            loss.backward()
            opt.step()
            loss.item()  # the numpy trainer records every loss too

    return epoch


def torch_predict(size: str, images: np.ndarray) -> Callable[[], object]:
    net = torch_model(size).eval()

    def predict() -> np.ndarray:
        with torch.inference_mode():
            x = torch.from_numpy(images.astype(np.float32)[:, None] / 255.0)
            return torch.softmax(net(x).double(), dim=1).numpy()

    return predict


def row(label: str, ours: tuple[float, float], ref: tuple[float, float] | None, unit: float, fmt: str) -> None:
    text = f"{label:<44} numpy {ours[0] * unit:{fmt}} (cpu {ours[1] * unit:{fmt}})"
    if ref is not None:
        text += f" | torch {ref[0] * unit:{fmt}} (cpu {ref[1] * unit:{fmt}})"
        text += f" | ratio {ours[0] / ref[0]:.2f} (cpu {ours[1] / ref[1]:.2f})"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="epochs timed per network")
    parser.add_argument("--sizes", default="deep,small")
    parser.add_argument("--no-train", action="store_true")
    args = parser.parse_args()
    os.environ["CONVVIZ_BLAS_THREADS"] = str(args.threads)
    limit_blas_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"threads {args.threads}, load average {os.getloadavg()[0]:.1f}, torch {getattr(torch, '__version__', 'absent')}")
    xs, ys = digits(5000)
    for size in args.sizes.split(","):
        net = build_model(size, dropout=0.25)
        for n, rep in ((1, 200), (256, 30)):
            batch = xs[:n]
            ref = torch_predict(size, batch) if torch is not None else None
            compare(f"{size}: predict_proba of {n} digit(s) (ms)", partial(net.predict_proba, batch), ref, rep, 1e3, ".3f")
        if not args.no_train:
            ref = torch_epoch(size, xs, ys) if torch is not None else None
            compare(f"{size}: one epoch, 5,000 digits, batch 64 (s)", numpy_epoch(size, xs, ys), ref, args.repeat, 1, ".2f")

if __name__ == "__main__":
    main()

"""`convviz train-digits`: train the digit CNN on a folder of MNIST IDX files.

    convviz train-digits --data DIR --out assets/digit_cnn.npz [--epochs 40] [--batch-size 64]
                         [--lr 1e-3] [--seed 0] [--val-split 1500] [--patience 8]
                         [--train A:B --val C:D --test E:F] [--augment basic|elastic|slant|none]
                         [--label-smoothing 0.1] [--extra-generated 5000 [--crossed-sevens 0.5]]
                         [--extra-pen 5000] [--deskew]

Uses the ``train-*`` files when the folder has them, else ``t10k-*``. The last
``--val-split`` digits (a count, or a fraction below 1; 0 = none) are held out for validation
and early stopping; the rest are trained on with augmentation. ``--train``/``--val``/``--test``
instead pick ranges of digits (Python slices, e.g. ``--train 0:5000 --val 5000:7500 --test
7500:10000`` trains on one writer population of t10k and measures on the other; ``A:B:S``
takes every S-th digit, and commas join slices); the test
range is only measured once, after training, and written to the log. ``--extra-generated N``
adds N generated font digits (:func:`convviz.digits.datasets.generate_digits`, seeded with
``--seed``; they depend on the fonts installed) to the training digits. ``--deskew`` trains
a model that straightens every digit first (:mod:`convviz.digits.deskew`). Writes the weights
(.npz), the training log (``<out stem>.log.json``: loss and accuracy per epoch and per
iteration) and the architecture as an engine spec (``<out stem>.spec.json``) next to each other.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "train-digits",
        help="train the digit CNN on MNIST IDX files",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("--data", required=True, help="folder with the MNIST files (train-* and/or t10k-*, .gz or raw)")
    p.add_argument("--out", default="assets/digit_cnn.npz", help="where to write the weights (.npz)")
    p.add_argument("--split", choices=["auto", "train", "t10k"], default="auto", help="which files to train on")
    p.add_argument("--epochs", type=integer(1, 10_000), default=40)
    p.add_argument("--batch-size", type=integer(0, 1_000_000), default=64, help="0 = full batch")
    p.add_argument("--lr", type=number(0, 10, low_open=True), default=1e-3, help="learning rate")
    p.add_argument("--lr-decay", type=number(0, 1, low_open=True), default=0.95, help="learning-rate factor per epoch")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="adam")
    p.add_argument("--seed", type=integer(0, 2**32 - 1), default=0)
    p.add_argument("--val-split", type=number(0, 10_000_000), default=1500,
                   help="held-out digits: a count, or a fraction < 1")
    p.add_argument("--patience", type=integer(0, 10_000), default=8, help="early-stopping patience in epochs (0 = off)")
    p.add_argument("--train", type=digit_range, default=None, help="digits to train on: slices A:B or A:B:S, joined by commas (overrides --val-split)")
    p.add_argument("--val", type=digit_range, default=None, help="with --train: validation digits, slices as for --train")
    p.add_argument("--test", type=digit_range, default=None, help="digits measured once after training, slices as for --train")
    p.add_argument("--size", choices=["small", "medium", "wide", "large", "deep"], default="medium")
    p.add_argument("--batchnorm", action="store_true", help="batch normalisation after each convolution")
    p.add_argument("--deskew", action="store_true",
                   help="straighten every digit by its moments before the network (convviz.digits.deskew); "
                        "stored in the model, so predictions deskew too")
    p.add_argument("--dropout", type=number(0, 1, high_open=True), default=0.25)
    p.add_argument("--augment", choices=["basic", "elastic", "slant", "none"], default="basic",
                   help="basic: shifts, rotations, scaling, stroke width; elastic: also Simard's elastic distortion; slant: also a random slant (shear)")
    p.add_argument("--label-smoothing", type=number(0, 1, high_open=True), default=0.0,
                   help="train towards (1 - s) onehot + s / 10 instead of onehot (0 = off)")
    p.add_argument("--extra-generated", type=integer(0, 100_000), default=0,
                   help="add N generated font digits to the training digits (0 = none)")
    p.add_argument("--crossed-sevens", type=number(0, 1), default=0.0,
                   help="with --extra-generated: the share of generated 7s drawn with a bar across")
    p.add_argument("--extra-pen", type=integer(0, 100_000), default=0,
                   help="add N pen-drawn synthetic digits (convviz.digits.pen) to the training digits (0 = none)")
    p.add_argument("--no-augment", action="store_true", help="train on the digits as they are (= --augment none)")
    p.add_argument("--limit", type=integer(0, 10_000_000), default=0,
                   help="use only the first N training digits (quick runs; 0 = all)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def integer(low: int, high: int) -> Any:
    """An argparse type: an integer in ``low .. high`` (else exit 2 with the range)."""
    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 20 else None
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high}, got {text[:20]!r}")
        return value
    return parse


Span = tuple[int, int] | tuple[int, int, int]


def digit_range(text: str) -> tuple[Span, ...]:
    """An argparse type: ``A:B`` (0 <= A < B), the digits ``A .. B-1``, or ``A:B:S`` (S >= 1),
    every S-th of them from A (a Python slice), or several such slices joined by commas
    (``0:5000,5000:7400``: the digits of both, in that order; ``5001:10000:2``: the odd ones)."""
    spans: list[Span] = []
    for part in text.split(",") if len(text) <= 100 else [""]:
        try:
            ends = tuple(int(v) for v in part.split(":"))
        except ValueError:
            ends = ()
        if len(ends) not in (2, 3) or not 0 <= ends[0] < ends[1] or (len(ends) == 3 and ends[2] < 1):
            raise argparse.ArgumentTypeError(
                f"expected a range A:B or A:B:S of digits with 0 <= A < B and S >= 1, got {text[:30]!r}")
        spans.append((ends[0], ends[1]) if len(ends) == 2 else (ends[0], ends[1], ends[2]))
    return tuple(spans)


def describe_range(spans: tuple[Span, ...]) -> str:
    """``((0, 5000), (5000, 10000, 2))`` -> ``"0:5000,5000:10000:2"`` (as typed)."""
    return ",".join(":".join(str(v) for v in span) for span in spans)


def _pick(images: Any, labels: Any, spans: tuple[Span, ...] | None, name: str) -> tuple[Any, Any]:
    import numpy as np  # the CLI's other commands start without numpy

    if spans is None:
        return images[:0], labels[:0]
    for low, high, *_ in spans:
        if high > len(images):
            raise ValueError(f"--{name} {low}:{high} goes past the {len(images)} digits of the files")
    rows = np.concatenate([np.arange(*span) for span in spans])
    return images[rows], labels[rows]


def _split_data(args: argparse.Namespace, images: Any, labels: Any) -> tuple[Any, ...]:
    """(x_train, y_train, x_val, y_val, x_test, y_test, description of the validation digits)."""
    if args.val is not None and args.train is None:
        raise ValueError("--val needs --train")
    x_test, y_test = _pick(images, labels, args.test, "test")
    if args.train is not None:
        x_train, y_train = _pick(images, labels, args.train, "train")
        x_val, y_val = _pick(images, labels, args.val, "val")
        where = f"digits {describe_range(args.val)}" if args.val else "none"
        return x_train, y_train, x_val, y_val, x_test, y_test, where
    n_val = _val_count(args.val_split, len(images))
    x_train, y_train = images[: len(images) - n_val], labels[: len(images) - n_val]
    x_val, y_val = images[len(images) - n_val :], labels[len(images) - n_val :]
    return x_train, y_train, x_val, y_val, x_test, y_test, f"the last {n_val} digits" if n_val else "none"


def number(low: float, high: float, low_open: bool = False, high_open: bool = False) -> Any:
    """An argparse type: a finite number in the interval (``low_open``/``high_open`` exclude
    the ends); NaN and infinity are refused (``--val-split inf`` once crashed)."""
    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            value = math.nan
        inside = (low < value if low_open else low <= value) and (value < high if high_open else value <= high)
        if not math.isfinite(value) or not inside:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise argparse.ArgumentTypeError(f"expected a number in {left}{low:g}, {high:g}{right}, got {text[:40]!r}")
        return value
    return parse


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most every 0.2 s."""

    def __init__(self, epochs: int, per_epoch: int, stream: Any = None, width: int = 30) -> None:
        self.epochs, self.per_epoch, self.width = epochs, per_epoch, width
        self.stream = stream or sys.stderr
        self.last = 0.0

    def __call__(self, event: dict[str, Any]) -> None:
        if event["kind"] == "iteration":
            now = time.monotonic()
            if now - self.last < 0.2:
                return
            self.last = now
            done = (event["iteration"] - 1) % self.per_epoch + 1
            filled = int(self.width * done / self.per_epoch)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(
                f"\repoch {event['epoch']}/{self.epochs} [{bar}] {done}/{self.per_epoch} "
                f"loss {event['loss']:.4f} acc {event['acc']:.3f}"
            )
        else:
            val = ""
            if event.get("val_acc") is not None:
                val = f" | val loss {event['val_loss']:.4f} acc {event['val_acc']:.4f}"
            self.stream.write(
                f"\repoch {event['epoch']}/{self.epochs} train loss {event['train_loss']:.4f} "
                f"acc {event['train_acc']:.4f}{val} ({event['seconds']:.1f} s)" + " " * 20 + "\n"
            )
        self.stream.flush()


def _val_count(value: float, n: int) -> int:
    if value < 0:
        raise ValueError("--val-split cannot be negative")
    count = int(round(value * n)) if value < 1 else int(value)
    if count >= n:
        raise ValueError(f"--val-split {value} leaves no digits to train on (only {n})")
    return count


def _load(args: argparse.Namespace) -> tuple[str, tuple[Any, ...]]:
    """Check the arguments, read the MNIST files: (split name, the data of :func:`_split_data`)."""
    from convviz.digits.mnist import available_splits, load_mnist

    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    if args.batch_size < 0:
        raise ValueError("--batch-size must be 0 (full batch) or positive")
    if args.lr <= 0:
        raise ValueError("--lr must be positive")
    splits = available_splits(args.data)
    if not splits:
        raise ValueError(f"{args.data}: no MNIST files (train-images-idx3-ubyte[.gz] or t10k-...) found")
    split = ("train" if "train" in splits else "t10k") if args.split == "auto" else args.split
    images, labels = load_mnist(args.data, split)
    return split, _split_data(args, images, labels)


def _config(args: argparse.Namespace) -> Any:
    from convviz.nn import TrainConfig

    return TrainConfig(
        optimizer=args.optimizer, lr=args.lr, batch_size=args.batch_size, epochs=args.epochs,
        augment=not args.no_augment and args.augment != "none",
        augmentation=args.augment if args.augment != "none" else "basic",
        early_stopping_patience=args.patience or None, seed=args.seed, lr_decay=args.lr_decay,
        label_smoothing=args.label_smoothing,
    )


def _with_synthetic(args: argparse.Namespace, images: Any, labels: Any) -> tuple[Any, Any]:
    """The training digits followed by ``--extra-generated`` font digits (a share
    ``--crossed-sevens`` of their 7s crossed), then ``--extra-pen`` pen-drawn digits, both
    seeded with ``--seed``."""
    import numpy as np

    from convviz.digits.datasets import generate_digits
    from convviz.digits.pen import pen_digits

    parts = [(images, labels)]
    if args.extra_generated:
        parts.append(generate_digits(args.extra_generated, seed=args.seed, crossed_sevens=args.crossed_sevens))
    if args.extra_pen:
        parts.append(pen_digits(args.extra_pen, seed=args.seed))
    return np.concatenate([x for x, _ in parts]), np.concatenate([y.astype(labels.dtype) for _, y in parts])


def run(args: argparse.Namespace) -> int:
    from convviz.nn import Trainer, build_model, evaluate

    split, (x_train, y_train, x_val, y_val, x_test, y_test, where) = _load(args)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    if args.extra_generated or args.extra_pen:
        x_train, y_train = _with_synthetic(args, x_train, y_train)
    config = _config(args)
    model = build_model(args.size, batchnorm=args.batchnorm, dropout=args.dropout, seed=args.seed,
                        deskew=args.deskew)
    per_epoch = max(1, -(-len(x_train) // (args.batch_size or len(x_train))))
    progress = None if args.quiet else ProgressBar(args.epochs, per_epoch)
    print(
        f"training {args.size} model ({model.n_params():,} parameters) on {len(x_train)} {split} digits, "
        f"validating on {where}",
        file=sys.stderr,
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    log_path = out.with_name(out.stem + ".log.json")
    spec_path = out.with_name(out.stem + ".spec.json")
    trainer = Trainer(model, config)
    start = time.perf_counter()
    best: list[tuple[float, float]] = []

    def callback(event: dict[str, Any]) -> None:
        if progress is not None:
            progress(event)
        if event["kind"] == "epoch" and len(x_test) and trainer.history is not None:
            # the test digits are only measured (never used to choose anything); per epoch so the
            # accuracy after any epoch count chosen on the validation digits can be read off
            curve = trainer.history.meta.setdefault("test_acc_per_epoch", [])
            curve.append(round(evaluate(model, x_test, y_test)[1], 5))
        # checkpoint: whenever validation improves (every epoch without validation digits: the
        # weights after epoch k are those of a run with --epochs k), write the weights and the log so far
        if event["kind"] == "epoch" and trainer.history is not None:
            key = (event["val_acc"], -event["val_loss"]) if event["val_acc"] is not None else (event["epoch"], 0.0)
            if not best or key > best[0]:
                best[:] = [key]
                _write(model, trainer.history, out, log_path, spec_path, args, split, len(x_train), where,
                       (event["val_loss"] or math.nan, event["val_acc"] or math.nan), time.perf_counter() - start,
                       done=False)

    history = trainer.fit(x_train, y_train, x_val, y_val, callback=callback)
    seconds = time.perf_counter() - start
    val_loss, val_acc = evaluate(model, x_val, y_val)
    if len(x_test):
        test_loss, test_acc = evaluate(model, x_test, y_test)
        history.meta.update({"test": f"digits {describe_range(args.test)} (never used for any choice)",
                             "n_test": len(x_test), "test_loss": round(test_loss, 5), "test_acc": round(test_acc, 5)})
        print(f"test accuracy {test_acc:.4f} on {len(x_test)} digits", file=sys.stderr)
    _write(model, history, out, log_path, spec_path, args, split, len(x_train), where, (val_loss, val_acc),
           seconds, done=True)
    validation = (f"validation accuracy {val_acc:.4f} (best epoch {history.best_epoch}, " if len(x_val)
                  else "no validation digits (")
    print(f"{validation}{history.epochs} epochs, {seconds:.0f} s); wrote {out} "
          f"({out.stat().st_size / 1024:.0f} KB), {log_path.name}, {spec_path.name}", file=sys.stderr)
    return 0


def _write(model: Any, history: Any, out: Path, log_path: Path, spec_path: Path, args: argparse.Namespace,
           split: str, n_train: int, where: str, val: tuple[float, float], seconds: float,
           done: bool) -> None:
    """Write weights, log and spec (also called as a checkpoint while training runs)."""
    import json

    val_loss, val_acc = val
    n_val = int(history.meta.get("n_val", 0))

    history.meta.update(
        {
            "data_split": split,
            "n_train": int(n_train),
            "n_val": int(n_val),
            "n_generated": int(args.extra_generated),  # font digits among the n_train
            "crossed_sevens": float(args.crossed_sevens),  # share of the font 7s with a bar
            "n_pen": int(args.extra_pen),  # pen-drawn digits among the n_train
            "validation": f"{where} of the {split} files (never trained on)",
            "final_val_loss": round(val_loss, 5),
            "final_val_acc": round(val_acc, 5),
            "train_seconds": round(seconds, 1),
            "architecture": model.architecture(),
            "args": {k: v for k, v in vars(args).items() if k != "func"},
            "finished": done,
        }
    )
    model.meta = {
        "val_acc": round(val_acc, 5),
        "n_train": int(n_train),
        "n_val": int(n_val),
        "best_epoch": history.best_epoch,
    }
    model.save(out)
    log_path.write_text(history.to_json(indent=1), encoding="utf-8")
    spec_path.write_text(json.dumps(model.to_spec(), indent=2) + "\n", encoding="utf-8")

"""`convviz train-digits`: train the digit CNN on a folder of MNIST IDX files.

    convviz train-digits --data DIR --out assets/digit_cnn.npz [--epochs 40] [--batch-size 64]
                         [--lr 1e-3] [--seed 0] [--val-split 1500] [--patience 8]

Uses the ``train-*`` files when the folder has them, else ``t10k-*``. The last
``--val-split`` digits (a count, or a fraction below 1) are held out for validation and
early stopping; the rest are trained on with augmentation. Writes the weights (.npz), the
training log (``<out stem>.log.json``: loss and accuracy per epoch and per iteration) and the
architecture as an engine spec (``<out stem>.spec.json``) next to each other.
"""

from __future__ import annotations

import argparse
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
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=64, help="0 = full batch")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    p.add_argument("--lr-decay", type=float, default=0.95, help="learning-rate factor per epoch")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="adam")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-split", type=float, default=1500, help="held-out digits: a count, or a fraction < 1")
    p.add_argument("--patience", type=int, default=8, help="early-stopping patience in epochs (0 = off)")
    p.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    p.add_argument("--dropout", type=float, default=0.25)
    p.add_argument("--no-augment", action="store_true", help="train on the digits as they are")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training digits (quick runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    from convviz.digits.mnist import available_splits, load_mnist
    from convviz.nn import TrainConfig, Trainer, build_model, evaluate

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
    n_val = _val_count(args.val_split, len(images))
    x_train, y_train = images[: len(images) - n_val], labels[: len(images) - n_val]
    x_val, y_val = images[len(images) - n_val :], labels[len(images) - n_val :]
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    config = TrainConfig(
        optimizer=args.optimizer,
        lr=args.lr,
        batch_size=args.batch_size,
        epochs=args.epochs,
        augment=not args.no_augment,
        early_stopping_patience=args.patience or None,
        seed=args.seed,
        lr_decay=args.lr_decay,
    )
    model = build_model(args.size, dropout=args.dropout, seed=args.seed)
    per_epoch = max(1, -(-len(x_train) // (args.batch_size or len(x_train))))
    progress = None if args.quiet else ProgressBar(args.epochs, per_epoch)
    print(
        f"training {args.size} model ({model.n_params():,} parameters) on {len(x_train)} {split} digits, "
        f"validating on the last {n_val}",
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
        # checkpoint: whenever validation improves, write the weights and the log so far
        if event["kind"] == "epoch" and event["val_acc"] is not None and trainer.history is not None:
            key = (event["val_acc"], -event["val_loss"])
            if not best or key > best[0]:
                best[:] = [key]
                _write(model, trainer.history, out, log_path, spec_path, args, split, len(x_train), n_val,
                       event["val_loss"], event["val_acc"], time.perf_counter() - start, done=False)

    history = trainer.fit(x_train, y_train, x_val, y_val, callback=callback)
    seconds = time.perf_counter() - start
    val_loss, val_acc = evaluate(model, x_val, y_val) if n_val else (float("nan"), float("nan"))
    _write(model, history, out, log_path, spec_path, args, split, len(x_train), n_val, val_loss, val_acc, seconds,
           done=True)
    print(
        f"validation accuracy {val_acc:.4f} (best epoch {history.best_epoch}, {history.epochs} epochs, "
        f"{seconds:.0f} s); wrote {out} ({out.stat().st_size / 1024:.0f} KB), {log_path.name}, {spec_path.name}",
        file=sys.stderr,
    )
    return 0


def _write(model: Any, history: Any, out: Path, log_path: Path, spec_path: Path, args: argparse.Namespace,
           split: str, n_train: int, n_val: int, val_loss: float, val_acc: float, seconds: float,
           done: bool) -> None:
    """Write weights, log and spec (also called as a checkpoint while training runs)."""
    import json

    history.meta.update(
        {
            "data_split": split,
            "n_train": int(n_train),
            "n_val": int(n_val),
            "validation": f"the last {n_val} digits of the {split} files (never trained on)",
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

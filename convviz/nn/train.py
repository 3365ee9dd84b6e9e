"""Mini-batch training with a per-iteration callback, early stopping and a JSON history.

Each epoch shuffles the training digits (optionally augmented afresh, then deskewed when the
model deskews: :meth:`Sequential.prepare`), takes mini-batches,
computes the softmax cross-entropy, back-propagates and lets the optimiser step. After the
epoch it measures the validation loss and accuracy (evaluation mode: no dropout, running
batch-norm statistics). With ``early_stopping_patience`` set, training stops after that many
epochs without a better validation accuracy (ties broken by lower validation loss), and the
weights of the best epoch are restored. Safe to run in a background thread: the trainer only
touches its own model and its own random generator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from convviz.nn.layers import DTYPE, check_label_smoothing, softmax_cross_entropy
from convviz.nn.model import Sequential, images_to_input
from convviz.nn.optim import make_optimizer

Callback = Callable[[dict[str, Any]], "bool | None"]


@dataclass
class TrainConfig:
    optimizer: str = "adam"  # "sgd" | "momentum" | "adam"
    lr: float = 1e-3
    batch_size: int = 64  # 0 means the full training set in one batch
    epochs: int = 5
    augment: bool = False
    augmentation: str = "basic"  # a name in convviz.digits.augment.AUGMENTATIONS ("basic" | "elastic")
    early_stopping_patience: int | None = None
    seed: int = 0
    weight_decay: float = 0.0
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch
    label_smoothing: float = 0.0  # target (1 - s) onehot + s / K in the loss (0 = plain cross-entropy)

    def validate(self) -> None:
        if self.optimizer not in ("sgd", "momentum", "adam"):
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose sgd, momentum or adam")
        if not self.lr > 0:
            raise ValueError("the learning rate must be positive")
        if self.batch_size < 0:
            raise ValueError("the batch size must be 0 (full batch) or positive")
        if self.epochs < 1:
            raise ValueError("train for at least one epoch")
        if self.early_stopping_patience is not None and self.early_stopping_patience < 1:
            raise ValueError("early-stopping patience must be at least 1 epoch")
        if self.weight_decay < 0:
            raise ValueError("weight decay cannot be negative")
        if not 0 < self.lr_decay <= 1:
            raise ValueError("lr_decay must be in (0, 1]")
        check_label_smoothing(self.label_smoothing)
        from convviz.digits.augment import AUGMENTATIONS

        if self.augmentation not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {self.augmentation!r}; choose {' or '.join(AUGMENTATIONS)}")


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    iter_loss: list[float] = field(default_factory=list)
    iter_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 1-based epoch whose weights the model holds (None: last)
    stopped_early: bool = False
    stopped_by_callback: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def evaluate(model: Sequential, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model on uint8 images, in evaluation mode."""
    if len(images) == 0:
        return float("nan"), float("nan")
    logits = model.logits(images, batch_size)
    loss, _ = softmax_cross_entropy(logits, labels)
    return loss, float((logits.argmax(axis=1) == np.asarray(labels)).mean())


class Trainer:
    def __init__(self, model: Sequential, config: TrainConfig | None = None) -> None:
        self.model = model
        self.config = config or TrainConfig()
        self.config.validate()
        self.optimizer = make_optimizer(
            self.config.optimizer, model.params(), self.config.lr, self.config.weight_decay
        )
        self.rng = np.random.default_rng(self.config.seed)
        self.history: History | None = None
        self._iteration = 0

    def fit(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        callback: Callback | None = None,
    ) -> History:
        """Train on uint8 images (N, 28, 28) with integer labels; see the module docstring."""
        cfg = self.config
        x_train = np.asarray(x_train)
        y_train = np.asarray(y_train, dtype=np.int64)
        if x_train.ndim != 3 or len(x_train) != len(y_train) or len(x_train) == 0:
            raise ValueError("x_train must be (N, H, W) images with N > 0 labels")
        val = (x_val, np.asarray(y_val, dtype=np.int64)) if x_val is not None and y_val is not None and len(x_val) > 0 else None
        n = len(x_train)
        history = History(meta={"config": asdict(cfg), "n_train": n, "n_val": 0 if val is None else len(val[0])})
        self.history = history  # live: a callback may read it while training runs
        best = _Best()
        self._iteration = 0
        for epoch in range(1, cfg.epochs + 1):
            start = time.perf_counter()
            stop = self._epoch(x_train, y_train, n if cfg.batch_size == 0 else min(cfg.batch_size, n), epoch, callback)
            if val is not None:
                vl, va = evaluate(self.model, *val)
                history.val_loss.append(round(vl, 5))
                history.val_acc.append(round(va, 5))
            seconds = time.perf_counter() - start
            history.epoch_seconds.append(round(seconds, 3))
            if val is not None:
                best.update(epoch, history, self.model if cfg.early_stopping_patience is not None else None)
            if callback is not None and callback(_epoch_event(history, epoch, seconds, val is not None)) is False:
                stop = True
            if stop:
                history.stopped_by_callback = True
                break
            if cfg.early_stopping_patience is not None and val is not None and best.since >= cfg.early_stopping_patience:
                history.stopped_early = True
                break
            if cfg.lr_decay != 1.0:
                self.optimizer.lr *= cfg.lr_decay
        if best.state is not None:
            with self.model.lock:
                self.model.load_state(best.state)
        return history

    def _epoch(self, x_train: np.ndarray, y_train: np.ndarray, bs: int, epoch: int, callback: Callback | None) -> bool:
        """One pass over the (augmented, shuffled) training set in mini-batches; records the
        per-iteration and per-epoch loss / accuracy. True when training must stop (a
        non-finite loss or a callback that returned False)."""
        assert self.history is not None
        history, n = self.history, len(x_train)
        if self.config.augment:
            from convviz.digits.augment import AUGMENTATIONS, augment_batch

            x_train = augment_batch(x_train, self.rng, AUGMENTATIONS[self.config.augmentation])
        x_all = images_to_input(self.model.prepare(x_train))  # after augmenting: as predictions see them
        order = self.rng.permutation(n)
        loss_sum, correct, seen = 0.0, 0, 0
        stop = False
        for lo in range(0, n, bs):
            idx = order[lo : lo + bs]
            loss, acc = self._step(x_all[idx], y_train[idx])
            loss_sum += loss * len(idx)
            correct += int(round(acc * len(idx)))
            seen += len(idx)
            history.iter_loss.append(round(loss, 5))
            history.iter_acc.append(round(acc, 5))
            stop = not np.isfinite(loss)
            if callback is not None:
                event = {"kind": "iteration", "epoch": epoch, "iteration": self._iteration, "loss": loss, "acc": acc}
                stop = callback(event) is False or stop
            if stop:
                break
        history.train_loss.append(round(loss_sum / max(seen, 1), 5))
        history.train_acc.append(round(correct / max(seen, 1), 5))
        return stop

    def _step(self, xb: np.ndarray, yb: np.ndarray) -> tuple[float, float]:
        """One optimiser step on a mini-batch: (loss, accuracy) before the step."""
        with self.model.lock:  # the page may predict with this model meanwhile
            logits = self.model.forward(xb, train=True)
            loss, dlogits = softmax_cross_entropy(logits, yb, self.config.label_smoothing)
            self.model.backward(dlogits)
            self.optimizer.step(self.model.grads())
        self._iteration += 1
        return loss, float((logits.argmax(axis=1) == yb).mean())


@dataclass
class _Best:
    """Early-stopping bookkeeping: the best (accuracy, -loss) on the validation set so far."""

    key: tuple[float, float] | None = None
    state: dict[str, np.ndarray] | None = None
    since: int = 0

    def update(self, epoch: int, history: History, model: Sequential | None) -> None:
        """Record this epoch's validation result; keep the weights (of ``model``, when
        given) if it is the best so far."""
        key = (history.val_acc[-1], -history.val_loss[-1])
        if self.key is None or key > self.key:
            self.key, self.since = key, 0
            history.best_epoch = epoch
            if model is not None:
                self.state = model.state()
        else:
            self.since += 1


def _epoch_event(history: History, epoch: int, seconds: float, has_val: bool) -> dict[str, Any]:
    return {
        "kind": "epoch",
        "epoch": epoch,
        "train_loss": history.train_loss[-1],
        "train_acc": history.train_acc[-1],
        "val_loss": history.val_loss[-1] if has_val else None,
        "val_acc": history.val_acc[-1] if has_val else None,
        "seconds": seconds,
    }

__all__ = ["DTYPE", "History", "TrainConfig", "Trainer", "evaluate"]

"""Mini-batch training with a per-iteration callback, early stopping and a JSON history.

Each epoch shuffles the training digits (optionally augmented afresh), takes mini-batches,
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

from convviz.nn.layers import DTYPE, softmax_cross_entropy
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
    early_stopping_patience: int | None = None
    seed: int = 0
    weight_decay: float = 0.0
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_json(cls, text: str) -> History:
        return cls.from_dict(json.loads(text))

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
        has_val = x_val is not None and y_val is not None and len(x_val) > 0
        if has_val:
            y_val = np.asarray(y_val, dtype=np.int64)
        n = len(x_train)
        bs = n if cfg.batch_size == 0 else min(cfg.batch_size, n)
        history = History(meta={"config": asdict(cfg), "n_train": n, "n_val": len(x_val) if has_val else 0})
        self.history = history  # live: a callback may read it while training runs
        best_key: tuple[float, float] | None = None
        best_state: dict[str, np.ndarray] | None = None
        since_best = 0
        iteration = 0
        if cfg.augment:
            from convviz.digits.augment import augment_batch
        for epoch in range(1, cfg.epochs + 1):
            start = time.perf_counter()
            images = augment_batch(x_train, self.rng) if cfg.augment else x_train
            x_all = images_to_input(images)
            order = self.rng.permutation(n)
            loss_sum, correct, seen = 0.0, 0, 0
            stop = False
            for lo in range(0, n, bs):
                idx = order[lo : lo + bs]
                xb, yb = x_all[idx], y_train[idx]
                with self.model.lock:  # the page may predict with this model meanwhile
                    logits = self.model.forward(xb, train=True)
                    loss, dlogits = softmax_cross_entropy(logits, yb)
                    self.model.backward(dlogits)
                    self.optimizer.step(self.model.grads())
                iteration += 1
                acc = float((logits.argmax(axis=1) == yb).mean())
                loss_sum += loss * len(idx)
                correct += int(round(acc * len(idx)))
                seen += len(idx)
                history.iter_loss.append(round(loss, 5))
                history.iter_acc.append(round(acc, 5))
                if not np.isfinite(loss):
                    stop = True
                if callback is not None:
                    event = {"kind": "iteration", "epoch": epoch, "iteration": iteration, "loss": loss, "acc": acc}
                    if callback(event) is False:
                        stop = True
                if stop:
                    break
            history.train_loss.append(round(loss_sum / max(seen, 1), 5))
            history.train_acc.append(round(correct / max(seen, 1), 5))
            if has_val:
                vl, va = evaluate(self.model, x_val, y_val)
                history.val_loss.append(round(vl, 5))
                history.val_acc.append(round(va, 5))
            seconds = time.perf_counter() - start
            history.epoch_seconds.append(round(seconds, 3))
            if has_val:
                key = (history.val_acc[-1], -history.val_loss[-1])
                if best_key is None or key > best_key:
                    best_key, since_best = key, 0
                    history.best_epoch = epoch
                    if cfg.early_stopping_patience is not None:
                        best_state = self.model.state()
                else:
                    since_best += 1
            if callback is not None:
                event = {
                    "kind": "epoch",
                    "epoch": epoch,
                    "train_loss": history.train_loss[-1],
                    "train_acc": history.train_acc[-1],
                    "val_loss": history.val_loss[-1] if has_val else None,
                    "val_acc": history.val_acc[-1] if has_val else None,
                    "seconds": seconds,
                }
                if callback(event) is False:
                    stop = True
            if stop:
                history.stopped_by_callback = True
                break
            if cfg.early_stopping_patience is not None and has_val and since_best >= cfg.early_stopping_patience:
                history.stopped_early = True
                break
            if cfg.lr_decay != 1.0:
                self.optimizer.lr *= cfg.lr_decay
        if best_state is not None:
            with self.model.lock:
                self.model.load_state(best_state)
        return history


__all__ = ["DTYPE", "History", "TrainConfig", "Trainer", "evaluate"]

"""Page-side helpers of the Training lab: a training run in a background thread.

``TrainingRun`` is kept in ``st.session_state``. ``start()`` queues it in the server's
bounded training pool (convviz.digits.jobs: at most K runs at once, the rest wait with a
position and an estimated wait); a worker loads the digits (built once per size for all
sessions), builds the network and calls ``Trainer.fit`` with a callback that records every
iteration and epoch under a lock and returns False once Stop was pressed or the pool
cancelled the job (its session is gone). The page draws the live curves from
``snapshot()`` in a fragment that reruns twice a second, so the page never blocks.
This module does not import streamlit (the worker must not touch it).
"""

from __future__ import annotations

import io
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from convviz.digits import datasets
from convviz.digits.curves import LabSettings
from convviz.digits.jobs import Job, SharedCache, training_pool

#: Relative cost of one training example through each network size (medium = 1); the pool
#: turns cost into seconds with the rate it measures on finished runs.
SIZE_COST = {"small": 0.4, "medium": 1.0, "large": 3.0}
#: Seconds per unit of cost before any run finished (medium, 5,000 digits, 10 epochs took
#: ~42 s alone on the 2-core test machine: issue 14).
PRIOR_SECONDS_PER_COST = 42.0 / 50_000
_LAB_DATA = SharedCache(maxsize=6)


def load_data(settings: LabSettings, source: str, folder: str | None) -> datasets.DigitData:
    """Training and validation digits for ``settings`` from ``source``: built once per key
    for all sessions, even when several ask at the same moment (kept in memory, 6 kept)."""
    key = (source, settings.n_train, settings.n_val, folder or "")
    return _LAB_DATA.get(key, lambda: datasets.lab_data(
        source, settings.n_train, settings.n_val, seed=0, folder=folder or None))


def run_cost(settings: LabSettings) -> float:
    """The work of a run in "medium-network examples": iterations x batch x size weight."""
    return settings.total_iterations * settings.batch * SIZE_COST.get(settings.size, 1.0)


@dataclass
class Snapshot:
    """A consistent copy of the run's state for drawing."""

    status: str
    phase: str
    queue_position: int | None
    queue_wait: float | None
    iteration: int
    epoch: int
    total_iterations: int
    iter_loss: list[float]
    iter_acc: list[float]
    train_loss: list[float]
    train_acc: list[float]
    val_loss: list[float]
    val_acc: list[float]
    best_epoch: int | None
    stopped_early: bool
    error: Exception | None  # shown by the page in the user's language
    seconds: float
    data_source: str | None
    data_detail: str | None
    n_train: int
    n_val: int


@dataclass
class TrainingRun:
    """One training run in a daemon thread; thread-safe reads via :meth:`snapshot`."""

    settings: LabSettings
    source: str = "generated"
    folder: str | None = None
    alive: Callable[[], bool] | None = None  # is the owner's session still there?
    status: str = "queued"  # queued | starting | running | done | stopped | error
    phase: str = "data"  # data | training | finished
    model: Any = None
    history: Any = None
    error: Exception | None = None
    data_source: str | None = None
    data_detail: str | None = None
    n_train: int = 0
    n_val: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _job: Job | None = field(default=None, repr=False)
    _iter_loss: list[float] = field(default_factory=list, repr=False)
    _iter_acc: list[float] = field(default_factory=list, repr=False)
    _epochs: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _iteration: int = 0
    _epoch: int = 0
    _started: float = field(default_factory=time.perf_counter, repr=False)
    _finished: float | None = None

    # -- control ---------------------------------------------------------------
    def start(self) -> TrainingRun:
        """Queue the run in the server's training pool (it starts when a worker is free)."""
        self.settings.validate()
        self._job = training_pool(PRIOR_SECONDS_PER_COST).submit(self._run, cost=run_cost(self.settings), alive=self.alive)
        return self

    def stop(self) -> None:
        """Ask the trainer to stop after the current iteration (it keeps what it learnt);
        a queued run leaves the queue."""
        self._stop.set()
        if self._job is not None:
            self._job.cancel()
            if self._job.status == "cancelled" and self.status == "queued":
                with self._lock:
                    self.status, self.phase = "stopped", "finished"
                    self._finished = time.perf_counter()

    @property
    def running(self) -> bool:
        return self.status in ("queued", "starting", "running")

    def join(self, timeout: float | None = None) -> None:
        if self._job is not None:
            self._job.wait(timeout)

    def _stopping(self) -> bool:
        return self._stop.is_set() or (self._job is not None and self._job.cancelled.is_set())

    # -- the thread -------------------------------------------------------------
    def _callback(self, event: dict[str, Any]) -> bool:
        with self._lock:
            if event.get("kind") == "iteration":
                self._iteration = int(event["iteration"])
                self._epoch = int(event["epoch"])
                self._iter_loss.append(float(event["loss"]))
                self._iter_acc.append(float(event["acc"]))
            elif event.get("kind") == "epoch":
                self._epochs.append(dict(event))
        return not self._stopping()

    def _run(self, job: Job | None = None) -> None:
        with self._lock:
            self.status, self._started = "starting", time.perf_counter()
        try:
            from convviz.nn import TrainConfig, Trainer, build_model

            data = load_data(self.settings, self.source, self.folder)
            with self._lock:
                self.data_source, self.data_detail = data.source, data.detail
                self.n_train, self.n_val = data.n_train, data.n_val
            if self._stopping():
                with self._lock:
                    self.status, self.phase = "stopped", "finished"
                return
            model = build_model(**self.settings.model_kwargs())
            trainer = Trainer(model, TrainConfig(**self.settings.train_kwargs()))
            with self._lock:
                self.model, self.status, self.phase = model, "running", "training"
            history = trainer.fit(data.x_train, data.y_train, data.x_val, data.y_val, callback=self._callback)
            with self._lock:
                self.history = history
                self.status = "stopped" if self._stopping() else "done"
                self.phase = "finished"
        except Exception as exc:  # noqa: BLE001 (shown on the page, never a traceback)
            with self._lock:
                self.error = exc
                self.status, self.phase = "error", "finished"
            traceback.print_exc()
        finally:
            self._finished = time.perf_counter()

    # -- reading ----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            epochs = list(self._epochs)
            hist = self.history
            end = self._finished or time.perf_counter()
            job = self._job
            return Snapshot(
                status=self.status,
                phase=self.phase,
                queue_position=job.position() if job is not None and self.status == "queued" else None,
                queue_wait=job.estimated_wait() if job is not None and self.status == "queued" else None,
                iteration=self._iteration,
                epoch=self._epoch,
                total_iterations=self.settings.total_iterations,
                iter_loss=list(self._iter_loss),
                iter_acc=list(self._iter_acc),
                train_loss=[e["train_loss"] for e in epochs],
                train_acc=[e["train_acc"] for e in epochs],
                val_loss=[e["val_loss"] for e in epochs if e.get("val_loss") is not None],
                val_acc=[e["val_acc"] for e in epochs if e.get("val_acc") is not None],
                best_epoch=getattr(hist, "best_epoch", None),
                stopped_early=bool(getattr(hist, "stopped_early", False)),
                error=self.error,
                seconds=end - self._started,
                data_source=self.data_source,
                data_detail=self.data_detail,
                n_train=self.n_train,
                n_val=self.n_val,
            )


def model_bytes(model: Any) -> bytes:
    """The model as ``.npz`` bytes (for the download button)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        model.save(path)
        return path.read_bytes()


def history_json(history: Any) -> bytes:
    buf = io.StringIO()
    buf.write(history.to_json(indent=1))
    return buf.getvalue().encode("utf-8")

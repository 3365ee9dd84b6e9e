"""Fair sharing of heavy work: a bounded pool of worker threads with a visible queue, and a
cache that builds each shared value once.

A server has few cores and many visitors. :class:`JobPool` runs at most ``workers`` jobs at
once (default: ``CONVVIZ_TRAIN_WORKERS`` or the number of cores); the others wait in a
FIFO queue, and each waiting job knows its position and an estimated wait:

    wait(job) = (sum over running jobs of their remaining time
                 + sum over jobs queued ahead of their estimated time) / workers

where a job's estimated time is ``cost x seconds_per_cost``, the rate learnt (running mean)
from the jobs that finished. :meth:`Job.cancel` stops a running job (its function checks
``job.cancelled``) or removes a queued one. A job whose owner is gone is cancelled by the
pool's reaper: ``alive()`` returned False for ``grace`` seconds (e.g. the browser tab was
closed), or, without an ``alive`` probe, no :meth:`Job.heartbeat` for ``heartbeat_timeout``
seconds. The pool drops its reference to a job's function once the job ends, so what the
function held can be freed.

:class:`SharedCache` computes ``build(key)`` once per key even when many threads ask at once
(the others wait for that result, a per-key future), and keeps the ``maxsize`` most recent.

No streamlit here: pages pass plain callables.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from convviz.errors import DataError

WORKERS_ENV = "CONVVIZ_TRAIN_WORKERS"


def default_workers() -> int:
    """``CONVVIZ_TRAIN_WORKERS`` if set (>= 1), else the number of cores."""
    try:
        value = int(os.environ.get(WORKERS_ENV, "0"))
    except ValueError:
        value = 0
    return value if value >= 1 else max(1, os.cpu_count() or 1)


class BusyError(DataError, TimeoutError):
    """The server's workers did not take the job in time (still a ``TimeoutError``)."""


class ClosedError(DataError, RuntimeError):
    """The pool is shut down (the server is stopping; still a ``RuntimeError``)."""


@dataclass(eq=False)
class Job:
    """One unit of heavy work in a :class:`JobPool`."""

    fn: Callable[[Job], Any] | None
    cost: float = 1.0
    alive: Callable[[], bool] | None = None
    id: int = 0
    status: str = "queued"  # queued | running | done | cancelled | error
    result: Any = None
    error: BaseException | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    submitted_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    ended_at: float | None = None
    last_heartbeat: float = field(default_factory=time.monotonic)
    dead_since: float | None = None
    pool: JobPool | None = field(default=None, repr=False)

    def cancel(self) -> None:
        """Stop the job: a queued job leaves the queue, a running one sees ``cancelled``."""
        self.cancelled.set()
        if self.pool is not None:
            self.pool._remove_queued(self)

    def heartbeat(self) -> None:
        """The owner is still there (used when the job has no ``alive`` probe)."""
        self.last_heartbeat = time.monotonic()

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def position(self) -> int | None:
        """1 for the next job to start, 2 after it, ...; None once the job has started."""
        return self.pool.position(self) if self.pool is not None and self.status == "queued" else None

    def estimated_wait(self) -> float | None:
        """Seconds until a worker is free for this job (None once started)."""
        return self.pool.estimated_wait(self) if self.pool is not None and self.status == "queued" else None

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


class JobPool:
    """At most ``workers`` jobs at once, a FIFO queue for the rest, and a reaper."""

    def __init__(self, workers: int | None = None, *, grace: float = 5.0,
                 heartbeat_timeout: float | None = None, reap_every: float = 1.0,
                 seconds_per_cost: float = 1.0, name: str = "convviz-job") -> None:
        self.workers = max(1, int(workers or default_workers()))
        self.grace, self.heartbeat_timeout = grace, heartbeat_timeout
        self.seconds_per_cost = seconds_per_cost
        self._done_cost = self._done_seconds = 0.0
        self._queue: deque[Job] = deque()
        self._running: set[Job] = set()
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(self.workers)]
        self._threads.append(threading.Thread(target=self._reap_loop, args=(reap_every,),
                                              name=f"{name}-reaper", daemon=True))
        for thread in self._threads:
            thread.start()

    # -- submitting and reading -------------------------------------------------
    def submit(self, fn: Callable[[Job], Any], *, cost: float = 1.0,
               alive: Callable[[], bool] | None = None) -> Job:
        """Queue ``fn(job)``; it starts when a worker is free."""
        job = Job(fn=fn, cost=max(0.0, float(cost)), alive=alive, pool=self)
        with self._cond:
            if self._closed:
                raise ClosedError("engine.server_closing")
            job.id = next(self._ids)
            self._queue.append(job)
            self._cond.notify()
        return job

    def run(self, fn: Callable[[], Any], *, cost: float = 1.0, timeout: float | None = None) -> Any:
        """Run ``fn()`` in the pool and wait for its result (raises what it raised)."""
        job = self.submit(lambda _job: fn(), cost=cost)
        if not job.wait(timeout):
            job.cancel()
            raise BusyError("engine.server_busy")
        if job.error is not None:
            raise job.error
        return job.result

    def position(self, job: Job) -> int | None:
        with self._cond:
            for i, queued in enumerate(self._queue):
                if queued is job:
                    return i + 1
        return None

    def estimate(self, cost: float) -> float:
        """Estimated seconds of a job of ``cost`` (the learnt rate)."""
        return cost * self.seconds_per_cost

    def estimated_wait(self, job: Job) -> float | None:
        now = time.monotonic()
        with self._cond:
            if job not in self._queue:
                return None
            ahead = list(itertools.takewhile(lambda q: q is not job, self._queue))
            remaining = sum(max(0.0, self.estimate(r.cost) - (now - (r.started_at or now)))
                            for r in self._running)
            free = self.workers - len(self._running)
            if free > len(ahead):
                return 0.0
            return (remaining + sum(self.estimate(q.cost) for q in ahead)) / self.workers

    def counts(self) -> tuple[int, int]:
        """(running, queued)."""
        with self._cond:
            return len(self._running), len(self._queue)

    def shutdown(self) -> None:
        """Cancel everything and stop the workers (tests)."""
        with self._cond:
            self._closed = True
            jobs = list(self._queue) + list(self._running)
            self._cond.notify_all()
        for job in jobs:
            job.cancel()

    # -- internals -----------------------------------------------------------------
    def _remove_queued(self, job: Job) -> None:
        with self._cond:
            if job in self._queue:
                self._queue.remove(job)
                self._end(job, "cancelled")

    def _end(self, job: Job, status: str) -> None:
        job.status, job.ended_at, job.fn = status, time.monotonic(), None  # free what fn held
        job.finished.set()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._queue.popleft()
                job.status, job.started_at = "running", time.monotonic()
                self._running.add(job)
                fn = job.fn
            status = "done"
            try:
                job.result = fn(job) if fn is not None else None
                if job.cancelled.is_set():
                    status = "cancelled"
            except BaseException as exc:  # noqa: BLE001 - kept on the job for its owner
                job.error, status = exc, "error"
            fn = None
            with self._cond:
                self._running.discard(job)
                if status == "done" and job.cost > 0 and job.started_at is not None:
                    self._done_cost += job.cost
                    self._done_seconds += time.monotonic() - job.started_at
                    self.seconds_per_cost = self._done_seconds / self._done_cost
                self._end(job, status)

    def _owner_gone(self, job: Job, now: float) -> bool:
        if job.alive is not None:
            try:
                alive = bool(job.alive())
            except Exception:  # noqa: BLE001 - a failing probe counts as gone
                alive = False
            if alive:
                job.dead_since = None
                return False
            job.dead_since = job.dead_since or now
            return now - job.dead_since >= self.grace
        return self.heartbeat_timeout is not None and now - job.last_heartbeat >= self.heartbeat_timeout

    def reap(self) -> list[Job]:
        """Cancel the jobs whose owner is gone; returns them."""
        now = time.monotonic()
        with self._cond:
            jobs = list(self._queue) + list(self._running)
        gone = [job for job in jobs if not job.cancelled.is_set() and self._owner_gone(job, now)]
        for job in gone:
            job.cancel()
        return gone

    def _reap_loop(self, every: float) -> None:
        while not self._closed:
            time.sleep(every)
            self.reap()


class SharedCache:
    """``get(key, build)`` builds each key once, however many threads ask at once."""

    def __init__(self, maxsize: int = 6) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Any, Future] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many times ``build`` ran (tests)

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        with self._lock:
            future = self._items.get(key)
            owner = future is None
            if owner:
                future = self._items[key] = Future()
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
        if owner:
            try:
                self.builds += 1
                future.set_result(build())
            except BaseException as exc:
                future.set_exception(exc)
                with self._lock:
                    if self._items.get(key) is future:
                        del self._items[key]  # a failed build is tried again next time
        return future.result()


_POOLS: dict[str, JobPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(name: str, seconds_per_cost: float = 1.0) -> JobPool:
    """The process-wide pool ``name`` (created on first use with ``default_workers()`` and
    this prior rate): "train" for training runs, "filters" for full-resolution filtering."""
    with _POOLS_LOCK:
        if name not in _POOLS:
            _POOLS[name] = JobPool(name=f"convviz-{name}", seconds_per_cost=seconds_per_cost)
        return _POOLS[name]


def training_pool(seconds_per_cost: float = 1.0) -> JobPool:
    """The process-wide pool for training runs."""
    return shared_pool("train", seconds_per_cost)

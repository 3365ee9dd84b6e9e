"""convviz.digits.jobs: bounded pool, queue position and wait, cancel, reaper, shared cache."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest

from convviz.digits import jobs


def _until(predicate, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_never_more_than_k_jobs_run_at_once() -> None:
    pool = jobs.JobPool(2)
    lock, now, peak = threading.Lock(), [0], [0]

    def work(job: jobs.Job) -> int:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        return job.id

    submitted = [pool.submit(work) for _ in range(7)]
    assert all(j.wait(10) for j in submitted)
    assert peak[0] == 2
    assert [j.result for j in submitted] == [j.id for j in submitted]
    assert {j.status for j in submitted} == {"done"}
    pool.shutdown()


def test_queue_position_wait_and_cancel_removes_from_queue() -> None:
    pool = jobs.JobPool(1, seconds_per_cost=2.0)
    release = threading.Event()
    ran: list[str] = []

    def blocker(job: jobs.Job) -> None:
        release.wait(10)

    def record(name: str):
        return lambda job: ran.append(name)

    a = pool.submit(blocker, cost=5)  # estimated 10 s
    assert _until(lambda: a.status == "running")
    b, c = pool.submit(record("b"), cost=3), pool.submit(record("c"), cost=1)
    assert (a.position(), b.position(), c.position()) == (None, 1, 2)
    # b waits for a's remaining ~10 s; c also for b's 6 s (one worker)
    assert 9.0 < b.estimated_wait() <= 10.0
    assert c.estimated_wait() == pytest.approx(b.estimated_wait() + 6.0, abs=0.5)
    b.cancel()  # Stop while queued: leaves the queue at once
    assert b.status == "cancelled" and b.finished.is_set()
    assert c.position() == 1
    release.set()
    assert c.wait(10)
    assert ran == ["c"]  # b never ran
    pool.shutdown()


def test_a_job_whose_owner_is_gone_is_stopped_and_freed() -> None:
    pool = jobs.JobPool(1, grace=0.3, reap_every=0.1)
    owner_here = [True]

    class Big:  # what a training run holds (model, activations)
        pass

    big = Big()
    ref = weakref.ref(big)

    def train(job: jobs.Job, held: Big = big) -> str:
        while not job.cancelled.wait(0.02):  # a trainer checks for Stop every iteration
            pass
        return "stopped"

    job = pool.submit(train, alive=lambda: owner_here[0])
    del train, big
    assert _until(lambda: job.status == "running")
    time.sleep(0.5)
    assert job.status == "running"  # the owner is there: nothing happens
    owner_here[0] = False  # the tab was closed
    t0 = time.monotonic()
    assert job.wait(5)
    assert time.monotonic() - t0 < 2.0
    assert job.status == "cancelled"
    gc.collect()
    assert ref() is None  # the pool kept nothing the job held
    pool.shutdown()


def test_heartbeat_timeout_without_probe() -> None:
    pool = jobs.JobPool(1, heartbeat_timeout=0.3, reap_every=0.1)
    job = pool.submit(lambda j: j.cancelled.wait(10))
    for _ in range(8):  # the page reruns: heartbeats keep it going
        job.heartbeat()
        time.sleep(0.1)
    assert job.status == "running"
    assert job.wait(5) and job.status == "cancelled"
    pool.shutdown()


def test_shared_cache_builds_once_for_many_threads() -> None:
    cache = jobs.SharedCache(maxsize=2)
    calls = []

    def build() -> list[int]:
        calls.append(1)
        time.sleep(0.2)
        return [1, 2, 3]

    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", build))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert all(r is results[0] for r in results) and len(results) == 8
    cache.get("a", lambda: 1), cache.get("b", lambda: 2)  # bounded: "k" is evicted
    cache.get("k", build)
    assert len(calls) == 2


def test_shared_cache_retries_a_failed_build() -> None:
    cache = jobs.SharedCache()
    with pytest.raises(ValueError):
        cache.get("k", lambda: (_ for _ in ()).throw(ValueError("no data")))
    assert cache.get("k", lambda: 5) == 5


def test_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jobs.WORKERS_ENV, "3")
    assert jobs.default_workers() == 3
    monkeypatch.setenv(jobs.WORKERS_ENV, "zero")
    assert jobs.default_workers() >= 1


def test_envelope_keeps_each_buckets_extremes_in_order() -> None:
    import numpy as np

    from convviz.digits.curves import envelope

    rng = np.random.default_rng(1)
    values = rng.normal(size=10_000)
    values[123] = np.nan
    index, kept = envelope(values, 200)
    assert len(index) <= 200 and list(index) == sorted(index)
    np.testing.assert_array_equal(kept, values[index])
    edges = np.linspace(0, values.size, (200 - 2) // 2 + 1).astype(int)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):  # brute force, bucket by bucket
        part = values[lo:hi]
        inside = [v for i, v in zip(index, kept, strict=True) if lo <= i < hi]
        assert np.nanmin(part) in inside and np.nanmax(part) in inside
    short = [3.0, 1.0, 2.0]
    assert list(envelope(short, 200)[1]) == short  # short curves are unchanged


def test_a_long_runs_live_curves_stay_small() -> None:
    import numpy as np

    from convviz.figures.training import curves_figure

    n = 250_000  # stochastic, 5,000 digits, 50 epochs
    rng = np.random.default_rng(0)
    labels = {k: k for k in ("loss", "accuracy", "epoch", "iter_train", "smooth", "train", "val", "best", "stopped")}
    fig = curves_figure((1 + rng.random(n)).tolist(), rng.random(n).tolist(), [1.0] * 50, [0.5] * 50,
                        [1.1] * 50, [0.4] * 50, 5000, labels, total_epochs=50)
    assert len(fig.to_json()) < 100_000
    assert max(fig.data[0].x) == n / 5000  # the last iteration is still drawn


def test_run_waits_for_the_result_and_raises_errors() -> None:
    pool = jobs.JobPool(1)
    assert pool.run(lambda: 6 * 7) == 42
    with pytest.raises(ZeroDivisionError):
        pool.run(lambda: 1 / 0)
    pool.shutdown()


def test_full_resolution_download_goes_through_the_filters_pool() -> None:
    import numpy as np

    from convviz.images import filters as F
    from pages.ui.filter_widgets import full_resolution_png

    image = np.random.default_rng(0).random((40, 30, 3))
    png = full_resolution_png(image, F.FilterSettings(name="box"))
    assert png.startswith(b"\x89PNG")
    pool = jobs.shared_pool("filters")
    assert pool.workers == jobs.default_workers() and pool._done_cost >= image.size

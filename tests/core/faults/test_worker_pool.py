"""WorkerPool (data synth's pool): group signals never reach its workers, and it always stops.

The old `multiprocessing.Pool` workers kept SIGTERM's default action, so a group SIGTERM
killed them; one killed while holding the pool's queue lock hung the parent for ever.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from flowmark_core.io.worker_pool import WorkerDied, WorkerPool
from tests.core.faults.processes import alive


def _square(x: int) -> int:
    return x * x


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("task 3 is bad")
    return x


def _return_or_block(x: float) -> float:
    """Return 0 at once; any other task blocks until its worker is killed."""
    if x:
        threading.Event().wait()
    return x


def _pids(pool: WorkerPool) -> list[int]:
    return [w.process.pid for w in pool._workers]


def test_every_task_is_run_once() -> None:
    with WorkerPool(2) as pool:
        results = sorted(pool.imap_unordered(_square, range(20)))
    assert results == [x * x for x in range(20)]


def test_a_task_error_reaches_the_caller_and_the_workers_stop() -> None:
    pids: list[int] = []
    with pytest.raises(ValueError, match="task 3 is bad"), WorkerPool(2) as pool:
        results = pool.imap_unordered(_fail_on_three, range(8))
        next(results)
        pids = _pids(pool)
        list(results)
    assert not any(alive(p) for p in pids)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_workers_ignore_a_group_signal(sig: signal.Signals) -> None:
    """What `killpg` delivers to the workers: they keep working, the parent decides."""
    with WorkerPool(2) as pool:
        results = pool.imap_unordered(_square, range(12))
        got = [next(results)]  # the workers are up and running tasks
        for pid in _pids(pool):
            os.kill(pid, sig)
        got += list(results)
    assert sorted(got) == [x * x for x in range(12)]


def test_a_worker_killed_from_outside_is_an_error_not_a_hang() -> None:
    with pytest.raises(WorkerDied), WorkerPool(1) as pool:
        results = pool.imap_unordered(_return_or_block, [0.0, 600.0])
        next(results)
        os.kill(_pids(pool)[0], signal.SIGKILL)
        next(results)


def test_leaving_early_stops_a_busy_worker_within_the_bounded_wait() -> None:
    with WorkerPool(2) as pool:
        results = pool.imap_unordered(_return_or_block, [0.0, 600.0, 600.0])
        next(results)
        pids = _pids(pool)
    assert not any(alive(p) for p in pids)  # the blocked tasks were SIGKILLed

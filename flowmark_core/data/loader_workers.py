"""How DataLoader workers start for flowmark's data sets: fresh processes, never forks.

A forked worker inherits the parent's OpenCV thread pool (and any lock another thread held
at the fork) without the threads behind it; its first DIS flow call can then wait forever.
It needs the parent to have run OpenCV before forking (seen in a full test-suite run under
load), which is why it is rare, and it hangs instead of failing. Spawned workers import
everything afresh, at a one-off cost of a few seconds per worker.
"""

from __future__ import annotations

from typing import Any

#: multiprocessing start method of DataLoader workers.
WORKER_START_METHOD = "spawn"


def loader_worker_options(num_workers: int, prefetch_factor: int = 2) -> dict[str, Any]:
    """DataLoader keyword arguments for `num_workers` workers (0: load in this process)."""
    if num_workers <= 0:
        return {"num_workers": 0}
    return {
        "num_workers": num_workers,
        "multiprocessing_context": WORKER_START_METHOD,
        "prefetch_factor": prefetch_factor,
        "persistent_workers": False,
    }

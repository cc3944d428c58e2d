"""How DataLoader workers start for flowmark's data sets: fresh processes, never forks.

A forked worker inherits the parent's OpenCV thread pool (and any lock another thread held
at the fork) without the threads behind it; its first DIS flow call can then wait forever.
It needs the parent to have run OpenCV before forking (seen in a full test-suite run under
load), which is why it is rare, and it hangs instead of failing. Spawned workers import
everything afresh, at a one-off cost of a few seconds per worker.

Workers die with the training process (even when it is SIGKILLed) and ignore SIGINT/SIGTERM
sent to the process group: the trainer checkpoints first, then stops them. Start them with
`start_batches`, which holds those signals back until each worker can ignore them (see
`flowmark_core.io.process_guard`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flowmark_core.io.process_guard import children_ignore_stop_signals, init_worker_process

if TYPE_CHECKING:
    from torch.utils.data import DataLoader

#: multiprocessing start method of DataLoader workers.
WORKER_START_METHOD = "spawn"


def _worker_init(parent_pid: int, _worker_id: int) -> None:
    init_worker_process(parent_pid)


def loader_worker_options(num_workers: int, prefetch_factor: int = 2) -> dict[str, Any]:
    """DataLoader keyword arguments for `num_workers` workers (0: load in this process)."""
    if num_workers <= 0:
        return {"num_workers": 0}
    return {
        "num_workers": num_workers,
        "multiprocessing_context": WORKER_START_METHOD,
        "prefetch_factor": prefetch_factor,
        "persistent_workers": False,
        "worker_init_fn": functools.partial(_worker_init, os.getpid()),
    }


def start_batches(loader: DataLoader) -> Iterator[Any]:
    """`iter(loader)`, its workers started ignoring SIGINT/SIGTERM."""
    with children_ignore_stop_signals():
        return iter(loader)

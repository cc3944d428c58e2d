"""How DataLoader workers start for flowmark's data sets: fresh processes, never forks.

A forked worker inherits the parent's OpenCV thread pool (and any lock another thread held
at the fork) without the threads behind it; its first DIS flow call can then wait forever.
It needs the parent to have run OpenCV before forking (seen in a full test-suite run under
load), which is why it is rare, and it hangs instead of failing. Spawned workers import
everything afresh, at a one-off cost of a few seconds per worker.

Workers die with the training process (even when it is SIGKILLed, and even while they are
still starting: `flowmark_core.worker_start`) and ignore SIGINT/SIGTERM sent to the process
group: the trainer checkpoints first, then stops them. Start them with `start_batches`,
which holds those signals back until each worker can ignore them (see
`flowmark_core.io.process_guard`).

The worker count is bounded by what the machine can hold (`affordable_workers`): two per
usable core and one per `WORKER_MEMORY_BYTES` of available memory; 256 workers on a 2-core,
23 GB machine exhausted its memory and set the OOM killer on other programs.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flowmark_core.io.process_guard import children_ignore_stop_signals, init_worker_process

if TYPE_CHECKING:
    from torch.utils.data import DataLoader

#: multiprocessing start method of DataLoader workers.
WORKER_START_METHOD = "spawn"
#: Memory one spawned worker holds (measured 125-170 MB: torch, the data set, batches).
WORKER_MEMORY_BYTES = 256 << 20
#: Workers per usable core at most (loading waits on files and decoding, a little more helps).
WORKERS_PER_CORE = 2


def _available_memory() -> int | None:
    """MemAvailable of /proc/meminfo in bytes (None where it cannot be read)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def affordable_workers(requested: int) -> int:
    """`requested` workers, or fewer with a note on stderr when the machine cannot hold
    them (see the module docstring)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cap = WORKERS_PER_CORE * max(1, cores or 1)
    memory = _available_memory()
    if memory is not None:
        cap = min(cap, max(1, memory // WORKER_MEMORY_BYTES))
    if requested <= cap:
        return requested
    free = "" if memory is None else f", {memory / 2**30:.1f} GB available"
    sys.stderr.write(
        f"flowmark: note: data.num_workers {requested} is more than this machine can hold "
        f"({cores} cores{free}); using {cap}\n"
    )
    return cap


def _worker_init(parent_pid: int, _worker_id: int) -> None:
    init_worker_process(parent_pid)


def loader_worker_options(num_workers: int, prefetch_factor: int = 2) -> dict[str, Any]:
    """DataLoader keyword arguments for `num_workers` workers (0: load in this process)."""
    if num_workers <= 0:
        return {"num_workers": 0}
    return {
        "num_workers": affordable_workers(num_workers),
        "multiprocessing_context": WORKER_START_METHOD,
        "prefetch_factor": prefetch_factor,
        "persistent_workers": False,
        "worker_init_fn": functools.partial(_worker_init, os.getpid()),
    }


def start_batches(loader: DataLoader) -> Iterator[Any]:
    """`iter(loader)`, its workers started ignoring SIGINT/SIGTERM."""
    with children_ignore_stop_signals():
        return iter(loader)

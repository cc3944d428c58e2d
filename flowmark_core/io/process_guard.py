"""Child processes that die with their parent and leave signals to it.

DataLoader workers and data-synthesis workers are started by us and must never outlive us:
`die_with_parent` asks Linux to send SIGKILL to the calling process when its parent dies
(prctl PR_SET_PDEATHSIG), so even a SIGKILL of the parent leaves no orphan. Workers also
ignore SIGINT and SIGTERM sent to the whole process group (Ctrl-C, `timeout`, Slurm): the
parent handles them (checkpoint, clean up) and then stops its workers itself, instead of
seeing them die first and aborting with their tracebacks (or, with `multiprocessing.Pool`,
waiting for ever for a queue lock a killed worker held).

A spawned worker runs for seconds (importing torch, unpickling the data set) before its
initialiser can ignore anything; a group signal in that window would kill it (SIGTERM) or
print a KeyboardInterrupt traceback from inside multiprocessing (SIGINT). So the parent starts
workers inside `stop_signals_blocked()`: a child inherits the blocked signal mask across fork
and exec, the signals stay pending in it, and `leave_interrupts_to_parent` discards them
(SIG_IGN) before unblocking. The parent gets its own copy after the block. CPython's
multiprocessing resource tracker is started the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None) -> None:
    """Get SIGKILL when the parent process dies (Linux only; a no-op elsewhere).

    Args:
        parent_pid: the pid the parent had when it started us; if the parent is already
            gone (we were re-parented) we exit at once.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


@contextlib.contextmanager
def signals_handled(handler: Handler, signals: Sequence[int] = STOP_SIGNALS) -> Iterator[None]:
    """Install `handler` for `signals` for the block; the previous handlers come back after it.

    A handler left installed outlives its purpose: a later signal then raises an exception
    meant for code that has finished (pytest once stopped part-way with a training `Stopped`).
    """
    previous = {sig: signal.getsignal(sig) for sig in signals}
    try:
        for sig in signals:
            signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Block SIGINT/SIGTERM in this thread for the block; start workers inside it.

    Processes started in the block begin with both signals blocked (see the module
    docstring). This process still gets them: through another of its threads, or in this
    one once the block ends.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def leave_interrupts_to_parent() -> None:
    """Ignore SIGINT and SIGTERM in this (child) process; the parent stops us.

    Then unblock both (blocked when we were started inside `stop_signals_blocked`): pending
    signals are discarded.
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def init_worker_process(parent_pid: int) -> None:
    """Worker initialiser: die with the parent, leave Ctrl-C and SIGTERM to it.

    The parent must then stop such workers by other means than SIGTERM (a worker ignores
    it): DataLoader workers exit on PyTorch's stop message (and with the parent, by
    `die_with_parent`); `flowmark_core.io.worker_pool` closes their pipes and SIGKILLs
    after a bounded wait. (`multiprocessing.Pool` stops its workers with SIGTERM, and a worker killed while
    holding its shared queue lock hangs it, so data synthesis no longer uses it.)
    """
    leave_interrupts_to_parent()
    die_with_parent(parent_pid)

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
print a KeyboardInterrupt traceback from inside multiprocessing (SIGINT). A blocked signal
mask does not survive multiprocessing's spawn (measured: the exec'ed child starts with an
empty mask), but an ignored disposition does survive exec, and CPython then keeps it (it
installs its KeyboardInterrupt handler only over the default disposition). So the parent
starts workers inside `children_ignore_stop_signals()`: for the block its thread blocks both
signals and sets them to SIG_IGN, children begin ignoring them, and the parent's handlers
and mask come back after it (a signal that reached this thread meanwhile is delivered then).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

from flowmark_core.worker_start import PARENT_ENV

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


#: Signals that stop a flowmark process cleanly: Ctrl-C, `kill`/`timeout`/systemd, a closed
#: terminal or dropped ssh (SIGHUP) and Ctrl-\\ (SIGQUIT). Workers ignore all four.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
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


@contextlib.contextmanager
def children_ignore_stop_signals() -> Iterator[None]:
    """Start child processes inside this block: they begin with SIGINT/SIGTERM ignored.

    This thread blocks both and sets them to SIG_IGN for the block (children inherit the
    disposition across exec); afterwards the previous handlers come back, a stop signal
    that was already pending is raised again, and the mask is restored — this process still
    gets its own copy. Off the main thread (handlers cannot be set there) or with a handler
    installed outside Python, it only blocks them, as `stop_signals_blocked` does.
    A group signal that another thread of this process takes during the block is lost.
    """
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    swap = threading.current_thread() is threading.main_thread() and None not in handlers.values()
    pending = signal.sigpending() & set(STOP_SIGNALS) if swap else set()
    parent_env = os.environ.get(PARENT_ENV)
    os.environ[PARENT_ENV] = str(os.getpid())  # children die with us from their first import
    try:
        if swap:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
        yield
    finally:
        if parent_env is None:
            os.environ.pop(PARENT_ENV, None)
        else:
            os.environ[PARENT_ENV] = parent_env
        if swap:
            for sig, old in handlers.items():
                signal.signal(sig, old)
            for sig in pending:  # SIG_IGN discarded it; this thread still blocks it
                signal.raise_signal(sig)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)


def leave_interrupts_to_parent() -> None:
    """Ignore SIGINT and SIGTERM in this (child) process; the parent stops us.

    Then unblock both (in case they were blocked when we were started): pending signals are
    discarded.
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

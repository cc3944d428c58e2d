"""SIGINT and SIGTERM during training: finish the step, checkpoint once, exit 130, every time.

SIGHUP (the terminal closed, ssh dropped) and SIGQUIT are handled the same way
(`STOP_SIGNALS`).

`timeout`, systemd and Slurm stop a job with SIGTERM to the whole process group; a terminal
sends Ctrl-C (SIGINT) to it. Where the main process acts on the signal matters: an exception
raised from a signal handler lands on whatever bytecode the main thread runs, and inside the
training loop that is mostly code that must not be cut short: unpickling a batch whose tensors
arrive over a socket from a DataLoader worker (the worker's `multiprocessing.resource_sharer`
thread then prints a traceback about the dropped connection), or an optimiser half-way through
a step (whose checkpoint would not resume exactly). So:

- During setup (`stop_on_signals`) the first signal raises `KeyboardInterrupt` at once: nothing
  has been trained yet, so there is nothing to save.
- Inside the training loop (`deferred_stops`) the first signal only records the request; the
  loop checks `stop_requested()` between steps, saves a checkpoint and raises `Stopped`.
  A second signal raises `Stopped` at once without saving (for a loop stuck waiting on data;
  the last checkpoint on disk is kept), except during a save (`saving`), which always finishes.

DataLoader workers never act on these signals (see `flowmark_core.data.loader_workers`).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from flowmark_core.io.process_guard import STOP_SIGNALS, signals_handled

__all__ = ["STOP_SIGNALS", "Stopped", "deferred_stops", "saving", "stop_on_signals"]
_state = {"requested": False, "deferred": False, "saving": False}


class Stopped(KeyboardInterrupt):
    """Training stopped by a signal; `saved` tells whether a checkpoint was written for it."""

    def __init__(self, saved: bool) -> None:
        super().__init__("stopped by a signal")
        self.saved = saved


def stop_requested() -> bool:
    """True once SIGINT or SIGTERM arrived in the current `stop_on_signals` block."""
    return _state["requested"]


def clear_stop_request() -> None:
    """Forget a stop request (for a test suite guarding against one left set)."""
    _state.update(requested=False, deferred=False, saving=False)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _state["saving"]:
        _state["requested"] = True
        return  # the checkpoint being written finishes; the loop stops after it
    if not _state["requested"]:
        _state["requested"] = True
        if _state["deferred"]:
            return  # acted on between steps
        raise KeyboardInterrupt(signal.Signals(signum).name)
    if _state["deferred"]:
        raise Stopped(saved=False)  # a second signal: stop waiting, keep the last checkpoint


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM request a stop (see the module docstring)."""
    _state.update(requested=False, deferred=False, saving=False)
    try:
        with signals_handled(_handler, STOP_SIGNALS):  # the previous handlers come back after
            yield
    finally:
        _state.update(requested=False, deferred=False, saving=False)


@contextlib.contextmanager
def deferred_stops() -> Iterator[None]:
    """Within `stop_on_signals`: a first signal only sets `stop_requested()` (no exception)."""
    _state["deferred"] = True
    try:
        yield
    finally:
        _state["deferred"] = False


@contextlib.contextmanager
def saving() -> Iterator[None]:
    """A block no signal interrupts (a checkpoint being written); a signal still requests a stop."""
    before = _state["saving"]
    _state["saving"] = True
    try:
        yield
    finally:
        _state["saving"] = before

"""SIGINT and SIGTERM during training: checkpoint once, then exit 130, every time.

`timeout`, systemd and Slurm stop a job with SIGTERM to the whole process group; a terminal
sends Ctrl-C (SIGINT) to it. The first of either raises `KeyboardInterrupt` in the main
thread and marks the run as stopping; later signals are ignored so that they cannot abort
the checkpoint being written. Anything that goes wrong after a stop was requested (a
DataLoader worker seen dead, a broken pipe) is treated as part of the stop, not as an error.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

_state = {"requested": False}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_requested() -> bool:
    """True once SIGINT or SIGTERM arrived under `stop_on_signals`."""
    return _state["requested"]


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _state["requested"]:
        return  # already stopping: let the checkpoint finish
    _state["requested"] = True
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM request a stop (see the module docstring)."""
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    _state["requested"] = False
    for sig in STOP_SIGNALS:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

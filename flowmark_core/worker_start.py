"""A spawned worker of ours dies with its parent from its very first import on.

`PR_SET_PDEATHSIG` used to be armed in the worker initialiser, which runs only after the
worker has imported torch and unpickled its data set: seconds per worker, minutes with many
workers on few cores. A parent killed in that window left the workers running (seen: 247
orphaned DataLoader workers spinning for 11 minutes, ignoring SIGTERM by design, until the
kernel's OOM killer began killing other programs).

A parent starting workers sets `PARENT_ENV` to its pid for the block
(`io.process_guard.children_ignore_stop_signals`). multiprocessing's spawn runs the parent's
main module first in the child (train.py, the `flowmark` script), and every such module
imports this package first: `arm_if_spawned_worker` (run from `flowmark_core/__init__`)
then asks Linux to SIGKILL the child when its parent dies, or exits at once when the parent
is already gone. Only the stdlib is used, and only in a child multiprocessing is preparing.
"""

from __future__ import annotations

import os
import sys

#: Environment variable naming the pid of the process starting workers.
PARENT_ENV = "FLOWMARK_WORKER_PARENT"
_PR_SET_PDEATHSIG = 1
_SIGKILL = 9


def arm_if_spawned_worker() -> None:
    """In a multiprocessing child started by a flowmark parent: die with that parent."""
    process = sys.modules.get("multiprocessing.process")
    if process is None or not getattr(process.current_process(), "_inheriting", False):
        return  # not a child being prepared by multiprocessing's spawn
    parent = os.environ.pop(PARENT_ENV, "")  # our own children must not inherit it
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):  # the parent died before the request was made
        os._exit(1)

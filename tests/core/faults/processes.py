"""Process helpers of the fault tests: is a pid running, and waiting (event-driven) for exit."""

from __future__ import annotations

import os
import select
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie — exited, not yet reaped — counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"


def wait_until_gone(pids: list[int], limit: float = 30.0) -> None:
    """Block until every pid has exited (a pidfd turns readable then), at most `limit` s in
    all; fail naming the survivors. Works for processes that are not our children."""
    deadline = time.monotonic() + limit
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        try:
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(fd)
    survivors = [p for p in pids if alive(p)]
    assert not survivors, f"still running after {limit:.0f} s: {survivors}"

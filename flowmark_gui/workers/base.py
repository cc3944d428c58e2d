"""A QThread with a job mailbox, error reporting and a registry of live workers.

Jobs are callables run in order on the worker thread. Exceptions never escape a job:
`FlowmarkError`s become their one-line message, anything else a short "unexpected error"
line (with the traceback logged), both through the `failed` signal.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

from flowmark_core.errors import Cancelled, FlowmarkError

log = logging.getLogger(__name__)
Job = Callable[[], None]
_REGISTRY: weakref.WeakSet[WorkerThread] = weakref.WeakSet()


def live_workers() -> list[WorkerThread]:
    """Workers whose thread is still running (tests fail when any is left)."""
    # A wrapper can outlive its C++ thread object (deleted by Qt); those are not running.
    return [w for w in list(_REGISTRY) if shiboken6.isValid(w) and w.isRunning()]


def one_line(exc: BaseException) -> str:
    """A user-facing one-line message for an exception."""
    if isinstance(exc, FlowmarkError):
        text = str(exc)
    else:
        text = f"unexpected error: {type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class WorkerThread(QThread):
    """Runs posted jobs one at a time until `stop()`."""

    failed = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._cond = threading.Condition()
        self._jobs: deque[Job] = deque()
        self._stopping = False
        _REGISTRY.add(self)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def post(self, job: Job) -> None:
        """Queue `job` to run on the worker thread (in order)."""
        with self._cond:
            self._jobs.append(job)
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake the loop (after a subclass put work in a slot of its own)."""
        with self._cond:
            self._cond.notify_all()

    def stop(self, wait_ms: int = 10000) -> bool:
        """Ask the loop to end, drop queued jobs and wait for the thread; True if it ended."""
        with self._cond:
            self._stopping = True
            self._jobs.clear()
            self._cond.notify_all()
        self.request_cancel()
        if not self.isRunning():
            return True
        return self.wait(wait_ms)

    def request_cancel(self) -> None:
        """Hook: make a long job in progress stop soon (default: nothing)."""

    def take_extra(self) -> Job | None:
        """Hook: a job to run when the queue is empty (e.g. the latest frame request)."""
        return None

    def _next_job(self) -> Job | None:
        with self._cond:
            while not self._stopping:
                if self._jobs:
                    return self._jobs.popleft()
                extra = self.take_extra()
                if extra is not None:
                    return extra
                self._cond.wait()
            return None

    def drain(self) -> None:
        """Run every queued job now, without waiting (for loops that poll, like cameras)."""
        while True:
            with self._cond:
                if self._stopping or not self._jobs:
                    return
                job = self._jobs.popleft()
            self.guarded(job)

    def guarded(self, job: Job) -> bool:
        """Run `job`, turning exceptions into `failed`; True when it succeeded."""
        try:
            job()
        except Cancelled:
            return False
        except FlowmarkError as exc:
            self.failed.emit(one_line(exc))
            return False
        except Exception as exc:  # a worker must never take the app down
            log.exception("%s: job failed", self.objectName())
            self.failed.emit(one_line(exc))
            return False
        return True

    def run(self) -> None:
        while (job := self._next_job()) is not None:
            self.guarded(job)


class FunctionWorker(WorkerThread):
    """Runs one function on its own thread and reports its return value through `done`."""

    done = Signal(object)

    def __init__(
        self, name: str, function: Callable[[], Any], parent: QObject | None = None
    ) -> None:
        super().__init__(name, parent)
        self._function = function

    def run(self) -> None:
        self.guarded(lambda: self.done.emit(self._function()))

"""The Jitter Lab's two worker threads: one decodes the frame to show (only the latest
request counts, so scrubbing never queues), one runs the long jobs (reading and matching,
detectors, filters and metrics, export) with progress and cancel.

Two threads, so that a filter running over a long video never holds up the frame shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from flowmark_core.errors import Cancelled
from flowmark_core.io.video_reader import open_video
from flowmark_gui.workers.base import Job, WorkerThread
from flowmark_gui.workers.frame_source import FrameSource

#: A job's progress: (what, done, total); it raises Cancelled once cancel was asked.
Report = Callable[[str, int, int], None]
PROGRESS_EVERY_S = 0.1


class FrameWorker(WorkerThread):
    """Decodes frames of one video by index; a new request replaces an unserved one."""

    frame_ready = Signal(int, object)  # video frame index, (H, W, 3) uint8

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("jitter-lab-frames", parent)
        self._source: FrameSource | None = None
        self._wanted: tuple[int, int] | None = None  # (generation, index)
        self._generation = 0
        self._lock = threading.Lock()

    def set_video(self, path: Path) -> None:
        """Decode from `path` from now on (opened on the worker thread)."""
        with self._lock:
            self._generation += 1
            self._wanted = None
            generation = self._generation
        self.post(lambda: self._open(path, generation))

    def _open(self, path: Path, generation: int) -> None:
        if generation == self._generation:
            self._source = FrameSource(open_video(path))

    def request(self, index: int) -> None:
        """Show frame `index` next (an earlier request not yet served is dropped)."""
        with self._lock:
            self._wanted = (self._generation, int(index))
        self.wake()

    def take_extra(self) -> Job | None:
        with self._lock:
            wanted, self._wanted = self._wanted, None
        if wanted is None or wanted[0] != self._generation or self._source is None:
            return None
        return lambda: self.frame_ready.emit(wanted[1], self._source.frame(wanted[1]))


class JobWorker(WorkerThread):
    """Runs long jobs in order; `done(kind, result)` or `failed(message)` after each."""

    progress = Signal(str, int, int)
    done = Signal(str, object)
    stopped = Signal(str)  # the job of this kind was cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("jitter-lab-jobs", parent)
        self._cancel = threading.Event()
        self._last_report = 0.0

    def submit(self, kind: str, job: Callable[[Report], object]) -> None:
        """Queue `job(report)`; its return value comes back through `done(kind, ...)`."""

        def run() -> None:
            self._cancel.clear()
            try:
                result = job(self._report)
            except Cancelled:
                self.stopped.emit(kind)
                return
            self.done.emit(kind, result)

        self.post(run)

    def cancel(self) -> None:
        """Make the running job stop at its next frame (it reports nothing)."""
        self._cancel.set()

    def request_cancel(self) -> None:
        self.cancel()

    def _report(self, what: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled")
        now = time.monotonic()
        if done >= total or now - self._last_report >= PROGRESS_EVERY_S:
            self._last_report = now
            self.progress.emit(what, done, total)

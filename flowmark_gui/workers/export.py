"""The export worker: runs `run_export` on its own thread with progress and Cancel."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from flowmark_core.errors import Cancelled
from flowmark_gui.render.export_job import ExportJob, run_export
from flowmark_gui.state.model_handle import ModelHandle
from flowmark_gui.workers.base import WorkerThread

PROGRESS_INTERVAL_S = 0.05


class ExportWorker(WorkerThread):
    """One export; `cancel()` stops it and removes the partial file."""

    progress = Signal(int, int)
    finished_ok = Signal(str, int)  # path, frames written
    cancelled = Signal()
    note = Signal(str)  # what became of the driving video's sound (gif, dropped)

    def __init__(self, job: ExportJob, handle: ModelHandle, parent: QObject | None = None) -> None:
        super().__init__("flowmark-export", parent)
        self.job = job
        self.handle = handle
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self._last >= PROGRESS_INTERVAL_S or done == total:
            self._last = now
            self.progress.emit(done, total)

    def run(self) -> None:
        def work() -> None:
            try:
                frames = run_export(
                    self.job, self.handle, self._progress, self._cancel.is_set, self.note.emit
                )
            except Exception as exc:
                if self._cancel.is_set():  # whatever broke after Cancel, the answer is that
                    raise Cancelled(f"{self.job.path}: export cancelled") from exc
                raise
            self.finished_ok.emit(str(self.job.path), frames)

        if not self.guarded(work) and self._cancel.is_set():
            self.cancelled.emit()

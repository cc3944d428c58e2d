"""A menu action that runs one job at a time on a `FunctionWorker` (never the UI thread).

The window stops the worker when it really closes (`MainWindow.shutdown` calls `shutdown`;
a close the user takes back after "work is still running…" leaves it running). Subclasses
start jobs with `start_worker` and extend `shutdown` for their own clean-up. It knows no
controller and no session: a subclass is handed what its jobs need.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from flowmark_gui.workers.base import FunctionWorker


class BackgroundAction(QObject):
    """Owns at most one running `FunctionWorker`; stopped and waited for on window close."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: FunctionWorker | None = None

    @property
    def busy(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def start_worker(self, name: str, job: Callable[[], object]) -> None:
        """Run `job` on a new worker thread; its result goes to `_on_done`, errors to `_on_failed`."""
        worker = FunctionWorker(name, job, self)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        worker.start()

    def _on_done(self, result: object) -> None:
        raise NotImplementedError

    def _on_failed(self, message: str) -> None:
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop a running worker and wait for it."""
        if self._worker is not None:
            self._worker.stop()
            self._worker.wait()

"""Workers: everything slow (inference, decoding, encoding, camera I/O) runs here, off the
UI thread; results come back to the UI as queued Qt signals."""

from flowmark_gui.workers.base import FunctionWorker, WorkerThread, live_workers

__all__ = ["FunctionWorker", "WorkerThread", "live_workers"]

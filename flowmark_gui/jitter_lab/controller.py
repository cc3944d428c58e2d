"""The Jitter Lab's controller: turns user requests into worker jobs and their results into
state changes. The UI thread only posts jobs and stores results: reading, detection,
smoothing, scoring, decoding and writing all run on the workers (`worker.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from flowmark_gui.jitter_lab.data import (
    RAW,
    FilterKey,
    FilterResult,
    LabData,
    detect_lab,
    export_track,
    filter_key,
    load_lab,
    measure_jitter,
    run_filters,
)
from flowmark_gui.jitter_lab.state import LabState
from flowmark_gui.jitter_lab.worker import FrameWorker, JobWorker, Report


class LabController(QObject):
    """Owns the lab's workers; one long job runs at a time (later ones queue)."""

    error = Signal(str)  # one line naming the file or setting at fault
    info = Signal(str)  # a finished job's one-line summary
    busy_changed = Signal(str)  # what runs now ("" when idle)
    progress = Signal(str, int, int)
    exported = Signal(object)  # the written Path

    def __init__(self, state: LabState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.frames = FrameWorker(self)
        self.jobs = JobWorker(self)
        self.frames.failed.connect(self.error)
        self.jobs.failed.connect(self._on_failed)
        self.jobs.done.connect(self._on_done)
        self.jobs.stopped.connect(self._on_stopped)
        self.jobs.progress.connect(self.progress)
        self._pending: list[str] = []
        self.frames.start()
        self.jobs.start()
        state.index_changed.connect(self.frames.request)

    @property
    def busy(self) -> str:
        """What the job worker runs or has queued ("" when idle)."""
        return self._pending[0] if self._pending else ""

    # -- requests --------------------------------------------------------------------------
    def open_files(self, video: Path, track: Path) -> None:
        """Read `track` over `video`; a bad pair is one message and changes nothing."""
        self._submit("open", f"reading {Path(track).name}", lambda _r: load_lab(video, track))

    def run_detector(self, video: Path, detector: str) -> None:
        """Track `video` with a built-in detector (`flowmark_core.landmarks.tracking`)."""

        def job(report: Report) -> LabData:
            return detect_lab(video, detector, lambda d, t: report(f"tracking ({detector})", d, t))

        self._submit("open", f"tracking with {detector}", job)

    def run_filters(self, filters: Sequence[tuple[str, Mapping[str, object]]]) -> None:
        """Smooth and score each (filter, params) not cached yet (the raw track too, once)."""
        data = self.state.data
        if data is None:
            self.error.emit("open a video and a track first")
            return
        wanted = [filter_key(name, params) for name, params in filters]
        keys = [k for k in dict.fromkeys([RAW, *wanted]) if k not in self.state.results]
        if not keys:  # all cached: show the first two asked for as A and B
            asked = [k for k in wanted if k != RAW]
            if asked:
                self.state.set_ab(asked[0], asked[1] if len(asked) > 1 else self.state.b)
            return
        self._submit("filters", "filtering", lambda report: (data, run_filters(data, keys, report)))

    def export(self, key: FilterKey, path: Path) -> None:
        """Write the track smoothed by `key` to `path` in the track's own format."""
        data, result = self.state.data, self.state.results.get(key)
        if data is None or result is None:
            self.error.emit("run the filter before exporting its track")
            return
        self._submit(
            "export",
            f"writing {Path(path).name}",
            lambda _r: export_track(data, result, Path(path)),
        )

    def cancel(self) -> None:
        """Stop the running job (its results are dropped)."""
        self.jobs.cancel()

    def shutdown(self) -> None:
        """Stop both workers and wait for them."""
        for worker in (self.jobs, self.frames):
            worker.stop()
            worker.wait()

    # -- results ---------------------------------------------------------------------------
    def _submit(self, kind: str, what: str, job: Callable[[Report], object]) -> None:
        self._pending.append(what)
        self.busy_changed.emit(self.busy)
        self.jobs.submit(kind, job)

    def _finished(self) -> None:
        if self._pending:
            self._pending.pop(0)
        self.busy_changed.emit(self.busy)

    def _on_done(self, kind: str, result: object) -> None:
        self._finished()
        if kind == "open" and isinstance(result, LabData):
            self.frames.set_video(result.video_path)
            self.state.set_data(result)
            self.frames.request(self.state.index)
            track = result.track
            self._submit(
                "jitter",
                "measuring each point's jitter",
                lambda _r: (result, measure_jitter(result)),
            )
            self.info.emit(
                f"{track.num_points} points x {track.num_frames} frames ({track.format or track.detector})"
            )
        elif kind == "filters" and isinstance(result, tuple):
            data, results = result
            if data is self.state.data:  # not a track opened since
                self.state.add_results(_checked(results))
        elif kind == "jitter" and isinstance(result, tuple):
            data, values = result
            if data is self.state.data:
                self.state.set_jitter(values)
        elif kind == "export" and isinstance(result, Path):
            self.info.emit(f"wrote {result}")
            self.exported.emit(result)

    def _on_failed(self, message: str) -> None:
        self._finished()
        self.error.emit(message)

    def _on_stopped(self, _kind: str) -> None:
        self._finished()
        self.info.emit("cancelled")


def _checked(results: object) -> list[FilterResult]:
    return [r for r in results if isinstance(r, FilterResult)] if isinstance(results, list) else []

"""The scrubbing engine: one worker thread owning the Animator of the Source/Driving/Result
panes. Commands (model, source, driving video, options) run in order; frame requests are
latest-only, so a newer request makes older pending ones stale and dragging never queues
work. Tracking a video is cancelled as soon as a newer video or option change arrives.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from flowmark_core.animate import HEAVY_OUTPUTS, Animator
from flowmark_core.animate.framing import Framing, to_model_size
from flowmark_core.animate.source_kind import looks_like_real_photo
from flowmark_core.errors import Cancelled, FlowmarkError
from flowmark_core.flow import to_gray_u8
from flowmark_core.io.images import read_image
from flowmark_core.io.video_base import VideoReader
from flowmark_core.io.video_reader import open_video
from flowmark_gui.render.display_view import ShownFrame, display_view
from flowmark_gui.render.gc_tuning import freeze_long_lived
from flowmark_gui.render.track_analysis import jitter_reports
from flowmark_gui.state.model_handle import ModelHandle, ModelSpec, load_model_handle
from flowmark_gui.state.values import RenderedFrame, RenderOptions, SourceInfo, TrackInfo, VideoInfo
from flowmark_gui.workers.base import Job, WorkerThread, one_line
from flowmark_gui.workers.frame_source import FrameSource

PROGRESS_INTERVAL_S = 0.1


class EngineWorker(WorkerThread):
    """Owns the Animator; every public method is called from the UI thread and only posts."""

    model_loaded = Signal(object)  # ModelHandle
    source_ready = Signal(object)  # SourceInfo
    driving_opened = Signal(object)  # VideoInfo
    track_progress = Signal(int, int)  # frames done, total (0 when unknown)
    track_ready = Signal(object)  # TrackInfo
    frame_ready = Signal(object)  # RenderedFrame
    best_frame_found = Signal(int)
    driving_restored = Signal(object, object)  # VideoInfo | None, TrackInfo | None (refused)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("flowmark-engine", parent)
        self._handle: ModelHandle | None = None
        self._animator: Animator | None = None
        self._source_path: Path | None = None
        self._real_photo = False  # the current source looks like a real photo
        self._source_image: np.ndarray | None = None
        self._reader: VideoReader | None = None
        self._frames: FrameSource | None = None
        self._track: TrackInfo | None = None
        self._options = RenderOptions()
        self._generation = 0
        self._track_token = 0
        self._track_serial = 0
        self._frame_request: int | None = None
        self._video: VideoInfo | None = None

    # -- UI thread -------------------------------------------------------------------------
    def _bump_track(self) -> int:
        with self._cond:
            self._track_token += 1
            return self._track_token

    def load_model(self, spec: ModelSpec, generation: int) -> None:
        """Load a model, then restore source, options and track on it."""
        token = self._bump_track()
        self.post(lambda: self._load_model(spec, generation, token))

    def set_source(self, path: Path, generation: int) -> None:
        self.post(lambda: self._set_source(Path(path), generation))

    def open_driving(self, path: Path, generation: int) -> None:
        """Open a video (decoded here, on the worker) and track its keypoints."""
        token = self._bump_track()
        self.post(lambda: self._open_driving(Path(path), generation, token))

    def set_options(self, options: RenderOptions, generation: int, retrack: bool) -> None:
        token = self._bump_track() if retrack else None
        self.post(lambda: self._set_options(options, generation, token))

    def request_frame(self, index: int) -> None:
        """Render frame `index` when free; replaces any request not started yet."""
        with self._cond:
            self._frame_request = index
            self._cond.notify_all()

    def find_best_frame(self) -> None:
        self.post(self._best_frame)

    def request_cancel(self) -> None:
        self._bump_track()

    def take_extra(self) -> Job | None:  # called with the mailbox lock held
        index, self._frame_request = self._frame_request, None
        return None if index is None else (lambda: self._render(index))

    # -- worker thread ---------------------------------------------------------------------
    def _new_animator(self, handle: ModelHandle) -> Animator:
        animator = handle.new_animator(
            face_crop=self._options.face_crop,
            outputs=HEAVY_OUTPUTS,
            full_resolution=self._options.sharp,
        )
        animator.set_transfer(mode=self._options.mode, adapt_scale=self._options.adapt_scale)
        return animator

    def _load_model(self, spec: ModelSpec, generation: int, token: int) -> None:
        self._generation = generation
        try:
            handle = load_model_handle(spec)
        except FlowmarkError as exc:
            fallback = ModelSpec(device=spec.device, precision=spec.precision)
            if self._handle is not None or spec == fallback:
                raise  # keep the model already loaded
            self.failed.emit(f"{one_line(exc)}; using the bundled model instead")
            handle = load_model_handle(fallback)
        animator = self._new_animator(handle)
        freeze_long_lived()
        self._handle, self._animator = handle, animator
        self._track = None
        self.model_loaded.emit(handle)
        if self._source_image is not None and self._source_path is not None:
            self._apply_source(self._source_path, self._source_image)
        if self._reader is not None:
            self._run_track(token)

    def _apply_source(self, path: Path, image: np.ndarray) -> None:
        assert self._animator is not None
        keypoints = self._animator.set_source(image)  # framed by the animator's framing
        box = self._animator.paste_box
        self._source_path, self._source_image = path, image
        size = (int(image.shape[1]), int(image.shape[0]))
        view, region = None, None
        if self._options.sharp:  # the picture the Result shows, at display resolution
            view, region = display_view(*self._animator.source_picture)
        info = SourceInfo(
            path, self._animator.source_image, keypoints, box, size, self._real_photo, view, region
        )
        self.source_ready.emit(info)

    def _set_source(self, path: Path, generation: int) -> None:
        self._generation = generation
        image = read_image(path)
        if self._animator is None:
            raise FlowmarkError("no model is loaded yet; try again in a moment")
        self._real_photo = looks_like_real_photo(path, image)  # once per source, here
        self._apply_source(path, image)

    def _open_driving(self, path: Path, generation: int, token: int) -> None:
        self._generation = generation
        reader = open_video(path)
        first = reader.read_frame(0)
        size = self._handle.info.image_size if self._handle is not None else 256
        box, _ = Framing(self._options.face_crop).clip_box([first])
        preview = to_model_size(first, size, box)
        video = VideoInfo(path, reader.fps, reader.frame_count, reader.size, preview)
        # A video is loaded whole or refused: the previous one stays until this one tracked.
        previous = (self._reader, self._frames, self._track, self._video)
        self._reader, self._frames, self._track, self._video = (
            reader,
            FrameSource(reader),
            None,
            video,
        )
        self.driving_opened.emit(video)
        try:
            self._run_track(token)
        except Cancelled:
            raise
        except Exception:
            self._reader, self._frames, self._track, self._video = previous
            self.driving_restored.emit(self._video, self._track)
            raise

    def _set_options(self, options: RenderOptions, generation: int, token: int | None) -> None:
        self._generation = generation
        old, self._options = self._options, options
        if self._animator is None:
            return
        self._animator.set_transfer(mode=options.mode, adapt_scale=options.adapt_scale)
        if options.face_crop != old.face_crop:
            self._animator.set_framing(options.face_crop)
        self._animator.full_resolution = options.sharp
        reframed = options.face_crop != old.face_crop or options.sharp != old.sharp
        if reframed and self._source_image is not None and self._source_path is not None:
            self._apply_source(self._source_path, self._source_image)
        if token is not None and self._reader is not None:
            self._run_track(token)

    def _configure_stabilizer(self, fps: float) -> None:
        assert self._animator is not None
        self._animator.set_fps(fps)  # the video's rate: the stabiliser's time step
        self._animator.set_stabilizer(self._options.stabilizer, **self._options.stabilizer_params)

    def _run_track(self, token: int) -> None:
        if token != self._track_token or self._reader is None or self._animator is None:
            return
        reader, animator = self._reader, self._animator
        self._configure_stabilizer(reader.fps)
        total = reader.frame_count or 0
        last_emit = [0.0]

        def check() -> None:
            if token != self._track_token or self.stopping:
                raise Cancelled("tracking superseded")

        def progress(done: int, _total: int | None) -> None:
            check()
            now = time.perf_counter()
            if now - last_emit[0] >= PROGRESS_INTERVAL_S or done == total:
                last_emit[0] = now
                self.track_progress.emit(done, total)

        greys: list[np.ndarray] = []  # the frames as the model saw them, for the jitter
        track = animator.track(
            reader,
            fps=reader.fps,
            progress=progress,
            total=total or None,
            on_prepared=lambda prepared: greys.append(to_gray_u8(prepared)),
        )
        reports = jitter_reports(track, greys, check)
        check()
        self._track_serial += 1
        info = TrackInfo(
            track,
            None if reports is None else reports[0],
            None if reports is None else reports[1],
            self._options,
            self._track_serial,
        )
        self._track = info
        self._frames = FrameSource(reader, info.length)
        self.track_ready.emit(info)

    def _render(self, index: int) -> None:
        info, animator, frames = self._track, self._animator, self._frames
        if info is None or animator is None or frames is None or self._source_image is None:
            return
        if not 0 <= index < info.length:
            return
        frame = frames.frame(index)
        reference = min(max(self._options.reference_index, 0), info.length - 1)
        animator.reference_from_track(info.track, reference)
        result = animator.render_from_track(frame, info.track, index, with_heatmaps=True)
        if self._options.sharp:  # the driving frame as decoded, at display resolution
            result = ShownFrame.of(result, *display_view(frame, info.track.crop_box))
        self.frame_ready.emit(RenderedFrame(self._generation, info.serial, result))

    def _best_frame(self) -> None:
        if self._track is None or self._animator is None or self._source_image is None:
            raise FlowmarkError("find best frame needs a source image and a tracked video")
        self.best_frame_found.emit(self._animator.best_frame(self._track.track))

"""The camera worker: grabs live frames, animates them with its own Animator (`push`),
records and feeds a virtual camera, all on its thread. The UI gets at most one frame in
flight (`frame_consumed` releases the next), so a slow screen never builds a backlog.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal

from flowmark_core.errors import FlowmarkError
from flowmark_core.io.images import read_image
from flowmark_gui.render import recording
from flowmark_gui.render.gc_tuning import freeze_long_lived
from flowmark_gui.state.model_handle import ModelHandle
from flowmark_gui.state.values import CameraFrame, CameraSettings, RenderOptions
from flowmark_gui.workers.base import WorkerThread
from flowmark_gui.workers.camera_input import (
    FileGrabber,
    FrameGrabber,
    crop_camera,
    open_grabber,
)
from flowmark_gui.workers.virtual_camera import VirtualCamera

MAX_FAILURES = 3  # consecutive failed frames before the camera stops
RATE_TOLERANCE = 0.2
"""The stabiliser's time step follows the measured frame rate when the two differ by more
than this share: a change rebuilds the stabiliser (restarting its smoothing), so small drifts
of the measurement are left alone."""


class CameraWorker(WorkerThread):
    """Live puppeteering from one camera (or a stand-in video file)."""

    frame_ready = Signal(object)  # CameraFrame
    source_ready = Signal(object)  # (S, S, 3) avatar as the model sees it
    recording_changed = Signal(bool, str)  # active, path
    recorded = Signal(str, int)  # path, frames
    note = Signal(str)  # what became of a stand-in file's sound in a recording
    take_recorded = Signal(str, int)  # path, frames of a take (the camera as it is)

    def __init__(
        self,
        handle: ModelHandle,
        source: int | str,
        settings: CameraSettings,
        options: RenderOptions,
        avatar: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__("flowmark-camera", parent)
        self.handle = handle
        self.source = source
        self.settings = settings
        self._options = options
        self._avatar = avatar
        self._has_source = False
        self._display_free = threading.Event()
        self._display_free.set()
        self._writer: recording.PacedRecorder | None = None
        self._take: recording.PacedRecorder | None = None
        self._virtual: VirtualCamera | None = None
        self._animator = None
        self._grabber: FrameGrabber | None = None
        self._record_from: tuple[int, int] | None = None  # (frames read, file position)
        self.frames = 0
        self._rate = 0.0  # measured frames per second (a running average; 0: not yet)
        self._last_frame: float | None = None  # when the last frame was grabbed

    # -- UI thread -------------------------------------------------------------------------
    def set_settings(self, settings: CameraSettings) -> None:
        limit_changed = settings.fps_limit != self.settings.fps_limit
        self.settings = settings  # read once per frame by the worker
        if limit_changed:
            self.post(self._restart_rate)

    @property
    def measured_fps(self) -> float:
        """The camera's measured frame rate (0 before two frames)."""
        return self._rate

    @property
    def stabilizer_fps(self) -> float | None:
        """The frame rate the stabiliser works at (None before the camera opened)."""
        return None if self._animator is None else self._animator.fps

    def set_options(self, options: RenderOptions) -> None:
        self.post(lambda: self._apply_options(options))

    def recalibrate(self) -> None:
        """The next frame becomes the reference of relative motion (with face crop, the
        next face found also fixes the crop box anew: a re-centre)."""
        self.post(self._recalibrate)

    def set_avatar(self, path: Path) -> None:
        self.post(lambda: self._load_avatar(Path(path)))

    def start_recording(self, path: Path) -> None:
        self.post(lambda: self._start_recording(Path(path)))

    def stop_recording(self) -> None:
        self.post(self._stop_recording)

    def start_take(self, path: Path) -> None:
        """Record the camera itself (the cropped square, not the animation): a take."""
        self.post(lambda: self._start_take(Path(path)))

    def stop_take(self, keep: bool = True) -> None:
        self.post(lambda: self._stop_take(keep))

    def set_virtual_camera(self, on: bool) -> None:
        self.post(lambda: self._set_virtual(on))

    def frame_consumed(self) -> None:
        self._display_free.set()

    # -- worker thread ---------------------------------------------------------------------
    def _recalibrate(self) -> None:
        if self._animator is not None:
            self._animator.recentre()

    def _apply_options(self, options: RenderOptions) -> None:
        self._options = options
        if self._animator is None:
            return
        if options.face_crop != self._animator.face_crop:  # another view of the face
            self._animator.set_framing(options.face_crop)  # the stream restarts
        self._animator.set_fps(self._rate or self._paced_rate())  # the stabiliser's time step
        self._animator.set_stabilizer(options.stabilizer, **options.stabilizer_params)
        self._animator.set_transfer(mode=options.mode, adapt_scale=options.adapt_scale)

    def _paced_rate(self) -> float:
        """The rate the loop is paced at: the limit, or a slower stand-in file's own rate."""
        limit = self.settings.fps_limit
        grabber = self._grabber
        return min(limit, grabber.fps) if grabber is not None and grabber.fps else limit

    def _restart_rate(self) -> None:
        """A new limit: measure afresh (from the next frame on), starting from the new paced
        rate."""
        self._rate, self._last_frame = 0.0, None
        if self._animator is not None:
            self._animator.set_fps(self._paced_rate())

    def _measure_rate(self, interval: float) -> None:
        """Fold one frame interval into the measured rate; the stabiliser follows it."""
        rate = 1.0 / max(interval, 1e-6)
        self._rate = rate if self._rate == 0 else 0.9 * self._rate + 0.1 * rate
        animator = self._animator
        if animator is None:
            return
        current = animator.fps
        if current is None or abs(self._rate - current) > RATE_TOLERANCE * current:
            animator.set_fps(self._rate)

    def _load_avatar(self, path: Path) -> None:
        assert self._animator is not None
        self._animator.set_source(read_image(path))
        self._avatar, self._has_source = path, True
        self.source_ready.emit(self._animator.source_image)

    def _start_recording(self, path: Path) -> None:
        self._stop_recording()
        settings = self.settings
        self._writer = recording.PacedRecorder(path, settings.fps_limit, settings.record_size)
        grabber = self._grabber
        if isinstance(grabber, FileGrabber):  # the next frame read is the first recorded
            self._record_from = (grabber.frames_read, grabber.position)
        self.recording_changed.emit(True, str(path))

    def _clip_span(self) -> recording.ClipSpan | None:
        """The part of a stand-in file the recording showed (None for a webcam)."""
        grabber, start = self._grabber, self._record_from
        if not isinstance(grabber, FileGrabber) or start is None or not grabber.fps:
            return None
        frames_read, position = start
        seconds = (grabber.frames_read - frames_read) / grabber.fps
        return recording.ClipSpan(grabber.path, position / grabber.fps, seconds)

    def _stop_recording(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        self.recording_changed.emit(False, str(writer.path))
        if writer.frames_written == 0:
            writer.cancel()
            raise FlowmarkError(f"{writer.path}: nothing recorded yet; no file written")
        note = writer.close(recording.clock(), self._clip_span())
        self._record_from = None
        self.recorded.emit(str(writer.path), writer.frames_written)
        if note:
            self.note.emit(note)

    def _start_take(self, path: Path) -> None:
        self._stop_take(keep=False)
        settings = self.settings
        self._take = recording.PacedRecorder(path, settings.fps_limit, settings.record_size)

    def _stop_take(self, keep: bool) -> None:
        take, self._take = self._take, None
        if take is None:
            return
        if not keep or take.frames_written == 0:
            take.cancel()
            return
        take.close(recording.clock())
        self.take_recorded.emit(str(take.path), take.frames_written)

    def _set_virtual(self, on: bool) -> None:
        if self._virtual is not None:
            self._virtual.close()
            self._virtual = None
        if on:
            size = self._animator.size if self._animator is not None else 256
            self._virtual = VirtualCamera(size, size, self.settings.fps_limit)

    def _output(self, frame: np.ndarray) -> None:
        if self._writer is not None:
            try:
                self._writer.add(frame, recording.clock())
            except FlowmarkError:
                self._writer = None
                raise
        if self._virtual is not None:
            width, height = self._virtual.size
            if frame.shape[:2] != (height, width):
                frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
            self._virtual.send(frame)

    def _step(self, grabber: FrameGrabber, started: float) -> None:
        frame = grabber.read()
        if frame is None:
            raise FlowmarkError(f"camera {self.source}: no more frames (disconnected?)")
        settings = self.settings
        square = crop_camera(frame, settings)
        if self._take is not None:
            try:
                self._take.add(square, recording.clock())
            except FlowmarkError:
                self._take = None
                raise
        animator = self._animator
        assert animator is not None
        if settings.passthrough or not self._has_source:
            driving = animator.prepare(square)
            output, keypoints, jacobians = driving, None, None
        else:
            result = animator.push(square)
            driving, output, keypoints = result.driving, result.output, result.kp_stable
            jacobians = result.jacobian_stable
        self._output(output)
        self.frames += 1
        latency = (time.perf_counter() - started) * 1000.0
        if self._display_free.is_set():
            self._display_free.clear()
            self.frame_ready.emit(
                CameraFrame(self.frames, driving, keypoints, output, self._rate, latency, jacobians)
            )

    def run(self) -> None:
        grabber: FrameGrabber | None = None

        def open_all() -> None:
            nonlocal grabber
            grabber = self._grabber = open_grabber(self.source)
            self._animator = self.handle.new_animator(face_crop=self._options.face_crop)
            freeze_long_lived()
            self._apply_options(self._options)
            if self._avatar is not None:
                self._load_avatar(self._avatar)

        if not self.guarded(open_all) or grabber is None:
            return
        failures = 0
        try:
            while not self.stopping and failures < MAX_FAILURES:
                self.drain()
                started = time.perf_counter()
                if self._last_frame is not None:
                    self.guarded(partial(self._measure_rate, started - self._last_frame))
                self._last_frame = started
                ok = self.guarded(partial(self._step, grabber, started))
                failures = 0 if ok else failures + 1
                wait = started + 1.0 / max(self._paced_rate(), 0.5) - time.perf_counter()
                if wait > 0:
                    with self._cond:
                        if not self.stopping:
                            self._cond.wait(wait)
        finally:
            grabber.close()
            self.guarded(self._stop_recording)
            self.guarded(lambda: self._stop_take(keep=False))
            if self._virtual is not None:
                self._virtual.close()

"""Camera mode's logic: which cameras exist, starting/stopping the camera worker, live
settings, the avatar gallery, recording and the virtual camera. No widgets here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from flowmark_core.io.frame_folder import list_frame_files
from flowmark_gui.state.session import Session
from flowmark_gui.state.values import CameraFrame, CameraSettings
from flowmark_gui.workers.base import FunctionWorker
from flowmark_gui.workers.camera import CameraWorker
from flowmark_gui.workers.camera_input import enumerate_cameras, parse_camera
from flowmark_gui.workers.virtual_camera import INSTALL_HINT, virtual_camera_available

CameraSource = tuple[str, int | str]  # label, index or path


class CameraController(QObject):
    """Owns the camera worker and the camera probe."""

    sources_changed = Signal()
    running_changed = Signal(bool)
    frame = Signal(object)  # CameraFrame
    avatar_image = Signal(object)  # (S, S, 3) for the alignment ghost
    avatars_changed = Signal()
    recording_changed = Signal(bool, str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.sources: list[CameraSource] = []
        self.settings = CameraSettings()
        self.avatars: list[Path] = []
        self.avatar_index = -1
        self.worker: CameraWorker | None = None
        self.recording_path: str | None = None
        self.frames_seen = 0
        self.recalibrated_for_crop = 0
        self.virtual_on = False
        self._probe: FunctionWorker | None = None
        self._probed = False
        session.options_changed.connect(self._push_options)
        session.source_changed.connect(self._on_session_source)

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, value: str | int) -> CameraSource:
        """Add a camera index or a stand-in video file to the list; returns the entry."""
        parsed = parse_camera(value)
        label = f"camera {parsed}" if isinstance(parsed, int) else f"file: {Path(parsed).name}"
        entry = (label, parsed)
        if entry not in self.sources:
            self.sources.append(entry)
            self.sources_changed.emit()
        return entry

    def probe_cameras(self) -> None:
        """List the webcams that open (on a worker; OpenCV can block for a while)."""
        if self._probe is not None and self._probe.isRunning():
            return
        self._probe = FunctionWorker("flowmark-camera-probe", enumerate_cameras, self)
        self._probe.done.connect(self._on_probe)
        self._probe.failed.connect(self.session.error)
        self._probe.start()

    def probe_once(self) -> None:
        if not self._probed:
            self._probed = True
            self.probe_cameras()

    def _on_probe(self, indices: list[int]) -> None:
        for index in indices:
            self.add_source(index)
        if not indices and self.sources:
            self.session.info("no webcam found; the camera list holds video files only")
        elif not indices:
            self.session.warn(
                "no camera found; connect one and press Refresh, or use Video file… to "
                "play a clip as the camera"
            )
        else:
            self.session.info(f"{len(indices)} camera(s) found")
        self.sources_changed.emit()

    # -- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from `start` until `stop`, or until the worker's end is handled on the UI
        thread (so its last queued frame/error signals have been delivered)."""
        return self.worker is not None

    def start(self, source: int | str) -> bool:
        """Start live animation from `source`; False (with a message) when it cannot."""
        self.stop()
        handle = self.session.model
        if handle is None:
            self.session.warn("the model is still loading; try again in a moment")
            return False
        avatar = self.current_avatar()
        worker = CameraWorker(handle, source, self.settings, self.session.options, avatar, self)
        worker.frame_ready.connect(self._on_frame)
        worker.source_ready.connect(self.avatar_image)
        worker.recording_changed.connect(self._on_recording)
        worker.recorded.connect(lambda path, n: self.session.info(f"recorded {n} frames to {path}"))
        worker.failed.connect(self.session.error)
        worker.note.connect(self.session.warn)
        worker.finished.connect(self._on_finished)
        self.worker = worker
        self.frames_seen = 0
        worker.start()
        if self.virtual_on:
            worker.set_virtual_camera(True)
        if avatar is None:
            self.session.info("camera on: choose an avatar (source image) to animate")
        self.running_changed.emit(True)
        return True

    def stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
            self.running_changed.emit(False)

    def shutdown(self) -> None:
        self.stop()
        if self._probe is not None:
            self._probe.stop()

    def _on_finished(self) -> None:
        if self.worker is not None and not self.worker.isRunning():
            self.worker = None
            self.running_changed.emit(False)

    def _on_frame(self, frame: CameraFrame) -> None:
        self.frames_seen += 1
        self.frame.emit(frame)
        if self.worker is not None:
            self.worker.frame_consumed()

    # -- live settings ---------------------------------------------------------------------
    def update_settings(self, **changes: Any) -> None:
        old, self.settings = self.settings, replace(self.settings, **changes)
        if self.worker is not None:
            self.worker.set_settings(self.settings)
            crop_moved = (old.zoom, old.offset, old.mirror) != (
                self.settings.zoom,
                self.settings.offset,
                self.settings.mirror,
            )
            if crop_moved:  # the reference pose was seen through another crop
                self.worker.recalibrate()
                self.recalibrated_for_crop += 1

    def _push_options(self) -> None:
        if self.worker is not None:
            self.worker.set_options(self.session.options)

    def recalibrate(self) -> None:
        """The next camera frame becomes the reference pose."""
        if self.worker is not None:
            self.worker.recalibrate()
            crop = " and the face crop is re-centred" if self.session.options.face_crop else ""
            self.session.info(f"recalibrated: the next camera frame is the reference pose{crop}")

    # -- avatars ---------------------------------------------------------------------------
    def set_avatar_folder(self, folder: Path) -> None:
        files = list_frame_files(Path(folder)) if Path(folder).is_dir() else []
        if not files:
            self.session.warn(f"{folder}: no images (png, jpg, bmp, webp) in this folder")
            return
        self.avatars = files
        self.avatars_changed.emit()
        self.choose_avatar(0)

    def add_avatar(self, path: Path) -> None:
        if Path(path) not in self.avatars:
            self.avatars.append(Path(path))
            self.avatars_changed.emit()
        self.choose_avatar(self.avatars.index(Path(path)))

    def current_avatar(self) -> Path | None:
        if 0 <= self.avatar_index < len(self.avatars):
            return self.avatars[self.avatar_index]
        return self.session.source.path if self.session.source is not None else None

    def _on_session_source(self) -> None:
        """Without a gallery, the camera animates the session's source image."""
        source = self.session.source
        if self.worker is not None and self.avatar_index < 0 and source is not None:
            self.worker.set_avatar(source.path)

    def choose_avatar(self, index: int) -> None:
        """Switch the animated avatar without stopping the camera."""
        if not 0 <= index < len(self.avatars):
            return
        self.avatar_index = index
        self.avatars_changed.emit()
        if self.worker is not None:
            self.worker.set_avatar(self.avatars[index])

    # -- outputs ---------------------------------------------------------------------------
    def start_recording(self, path: Path) -> None:
        if self.worker is None:
            self.session.warn("start the camera before recording")
            return
        self.worker.start_recording(Path(path))

    def stop_recording(self) -> None:
        if self.worker is not None:
            self.worker.stop_recording()

    def _on_recording(self, active: bool, path: str) -> None:
        self.recording_path = path if active else None
        self.recording_changed.emit(active, path)

    def set_virtual_camera(self, on: bool) -> bool:
        if on and not virtual_camera_available():
            self.session.warn(INSTALL_HINT)
            return False
        self.virtual_on = on
        if self.worker is not None:
            self.worker.set_virtual_camera(on)
        return True

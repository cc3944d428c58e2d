"""Recording a take for Learn My Face: a countdown, then `seconds` of the camera itself
(not the animation) with one line of guidance at a time, shown as it records.

The take goes to `takes/` beside the model library (the app's data folder, never the
user's media folders). The timing runs on UI-thread timers; the frames are written by the
camera worker. `finished` brings the take's path; `stopped` says why there is none.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from flowmark_gui.controllers.camera_controller import CameraController

TAKE_SECONDS = 30
COUNTDOWN_SECONDS = 3
GUIDANCE = (
    "look straight at the camera, face lit from the front",
    "turn your head slowly left, then right",
    "talk: count slowly to ten out loud",
    "blink a few times; raise your eyebrows",
    "nod slowly; tilt your head a little",
    "smile, then a neutral face",
)
GUIDANCE_SECONDS = 5  # each line stays this long


def take_path(library: Path) -> Path:
    """A new take file in `takes/` beside the library's models."""
    folder = library / "takes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"take-{datetime.now().strftime('%Y%m%d-%H%M%S')}.mp4"


class TakeRecorder(QObject):
    """One take at a time; `guidance` carries the line to show ("" when done)."""

    guidance = Signal(str)
    finished = Signal(object)  # Path of the take
    stopped = Signal(str)  # why there is no take

    def __init__(self, camera: CameraController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.seconds = TAKE_SECONDS
        self.countdown = COUNTDOWN_SECONDS
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._left = 0
        self._recording = False
        self._path: Path | None = None
        camera.running_changed.connect(self._on_camera_running)

    @property
    def active(self) -> bool:
        return self._tick.isActive() or self._recording

    def start(self, library: Path) -> bool:
        """Count down and record; False (with a message) without a running camera."""
        worker = self.camera.worker
        if worker is None:
            self.stopped.emit("start the camera first (Camera mode ▸ Start camera)")
            return False
        self._path = take_path(library)
        self._left = self.countdown
        self._recording = False
        worker.take_recorded.connect(self._on_recorded, Qt.ConnectionType.UniqueConnection)
        if self._left > 0:
            self.guidance.emit(f"recording a take in {self._left}… get ready, look at the camera")
            self._tick.start()
        else:
            self._begin()
        return True

    def cancel(self) -> None:
        """Stop without keeping a take."""
        self._tick.stop()
        if self._recording and self.camera.worker is not None:
            self.camera.worker.stop_take(keep=False)
        self._recording = False
        self.guidance.emit("")

    def _begin(self) -> None:
        worker = self.camera.worker
        if worker is None or self._path is None:
            self.cancel()
            self.stopped.emit("the camera stopped before the take began")
            return
        worker.start_take(self._path)
        self._recording = True
        self._left = self.seconds
        self._say()
        self._tick.start()

    def _say(self) -> None:
        done = self.seconds - self._left
        line = GUIDANCE[min(done // GUIDANCE_SECONDS, len(GUIDANCE) - 1)]
        self.guidance.emit(f"● recording take: {self._left} s left — {line}")

    def _on_tick(self) -> None:
        self._left -= 1
        if not self._recording:
            if self._left > 0:
                self.guidance.emit(f"recording a take in {self._left}… get ready")
            else:
                self._tick.stop()
                self._begin()
            return
        if self._left > 0:
            self._say()
            return
        self._tick.stop()
        self.guidance.emit("take recorded; preparing it…")
        if self.camera.worker is not None:
            self.camera.worker.stop_take(keep=True)

    def _on_recorded(self, path: str, frames: int) -> None:
        if self.camera.worker is not None:
            self.camera.worker.take_recorded.disconnect(self._on_recorded)
        self._recording = False
        self.guidance.emit("")
        self.finished.emit(Path(path))

    def _on_camera_running(self, running: bool) -> None:
        if not running and self.active:
            self._tick.stop()
            self._recording = False
            self.guidance.emit("")
            self.stopped.emit("the camera stopped; the take was not kept")

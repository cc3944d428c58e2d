"""Timeline playback: a timer that advances one frame per tick once the current frame is
on screen, so playback never outruns the renderer and never piles up requests."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from flowmark_gui.session import Session


class Player(QObject):
    """Plays `session` at `session.fps`, looping at the end."""

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        session.playing_changed.connect(self._on_playing)
        session.fps_changed.connect(self._on_fps)
        session.track_changed.connect(self._on_track)

    def toggle(self) -> None:
        self.session.set_playing(not self.session.playing and self.session.length > 1)

    def _on_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start(self._interval_ms())
        else:
            self._timer.stop()

    def _on_fps(self, _fps: float) -> None:
        if self._timer.isActive():
            self._timer.setInterval(self._interval_ms())

    def _on_track(self) -> None:
        if self.session.length <= 1:
            self.session.set_playing(False)

    def _interval_ms(self) -> int:
        return max(1, round(1000.0 / self.session.fps))

    def _tick(self) -> None:
        session = self.session
        if session.length <= 1:
            session.set_playing(False)
            return
        if not session.has_current_result():
            return  # still rendering: wait rather than skip
        session.set_index((session.index + 1) % session.length)

    def step(self, delta: int) -> None:
        self.session.set_playing(False)
        self.session.set_index(self.session.index + delta)

    def home(self) -> None:
        self.session.set_playing(False)
        self.session.set_index(0)

    def end(self) -> None:
        self.session.set_playing(False)
        self.session.set_index(self.session.length - 1)

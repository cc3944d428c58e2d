"""Timeline playback: a timer that advances one frame per tick once the current frame is
on screen, so playback never outruns the renderer and never piles up requests."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject, QTimer, Signal

from flowmark_gui.state.session import Session


class Player(QObject):
    """Plays `session` at `session.fps`, looping at the end. When frames are not rendered
    in time it says so (`note`: "rendering ahead…" and the rate actually reached)."""

    note_changed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.note = ""
        self._advances: deque[float] = deque(maxlen=12)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        session.playing_changed.connect(self._on_playing)
        session.fps_changed.connect(self._on_fps)
        session.track_changed.connect(self._on_track)

    def toggle(self) -> None:
        self.session.set_playing(not self.session.playing and self.session.length > 1)

    def _on_playing(self, playing: bool) -> None:
        self._advances.clear()
        if playing:
            self._timer.start(self._interval_ms())
        else:
            self._timer.stop()
            self._set_note("")

    def _set_note(self, note: str) -> None:
        if note != self.note:
            self.note = note
            self.note_changed.emit(note)

    def reached_fps(self) -> float | None:
        """Frames per second actually shown over the last few advances (None: too few)."""
        if len(self._advances) < 3:
            return None
        span = self._advances[-1] - self._advances[0]
        return (len(self._advances) - 1) / span if span > 0 else None

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
        if not session.has_current_result():  # still rendering: wait rather than skip
            reached = self.reached_fps()
            rate = "" if reached is None else f" ({reached:.0f} of {session.fps:.0f} fps)"
            self._set_note(f"rendering ahead…{rate}")
            return
        self._advances.append(time.monotonic())
        following = (session.index + 1) % session.length
        if following in session.results:
            self._set_note("")  # caught up: frames come from the cache at full speed
        session.set_index(following)

    def step(self, delta: int) -> None:
        self.session.set_playing(False)
        self.session.set_index(self.session.index + delta)

    def home(self) -> None:
        self.session.set_playing(False)
        self.session.set_index(0)

    def end(self) -> None:
        self.session.set_playing(False)
        self.session.set_index(self.session.length - 1)

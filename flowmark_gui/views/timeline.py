"""Timeline: play/pause, step, slider, frame counter and playback fps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from flowmark_gui.controllers.playback import Player
from flowmark_gui.state.session import Session


class Timeline(QWidget):
    """Scrubbing and playback controls bound to the session."""

    def __init__(self, session: Session, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        style = self.style()
        self.play_button = self._button(QStyle.StandardPixmap.SP_MediaPlay, "Play / pause (Space)")
        self.play_button.clicked.connect(player.toggle)
        back = self._button(QStyle.StandardPixmap.SP_MediaSeekBackward, "Previous frame (Left)")
        back.clicked.connect(lambda: player.step(-1))
        forward = self._button(QStyle.StandardPixmap.SP_MediaSeekForward, "Next frame (Right)")
        forward.clicked.connect(lambda: player.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(session.set_index)
        self.counter = QLabel("– / –")
        self.counter.setToolTip("current frame / last frame (frames count from 0)")
        self.counter.setMinimumWidth(90)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 120.0)
        self.fps.setDecimals(1)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("playback speed")
        self.fps.setValue(session.fps)
        self.fps.valueChanged.connect(session.set_fps)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (back, self.play_button, forward):
            layout.addWidget(widget)
        layout.addWidget(self.slider, 1)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #f9ab00")
        self.note.setToolTip("frames not rendered yet: playback waits for each one")
        player.note_changed.connect(self.note.setText)
        layout.addWidget(self.note)
        layout.addWidget(self.counter)
        layout.addWidget(self.fps)
        self._icons = (
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPause),
        )
        session.track_changed.connect(self._on_track)
        session.index_changed.connect(self._on_index)
        session.playing_changed.connect(self._on_playing)
        session.fps_changed.connect(self._on_fps)
        self._on_track()

    def _button(self, icon: QStyle.StandardPixmap, tip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def _on_track(self) -> None:
        length = self.session.length
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(length - 1, 0))
        self.slider.setValue(self.session.index)
        self.slider.blockSignals(False)
        self.slider.setEnabled(length > 1)
        self.play_button.setEnabled(length > 1)
        self._on_index(self.session.index)

    def _on_index(self, index: int) -> None:
        if self.slider.value() != index:
            self.slider.blockSignals(True)
            self.slider.setValue(index)
            self.slider.blockSignals(False)
        length = self.session.length
        self.counter.setText(f"{index} / {length - 1}" if length else "– / –")

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._icons[1 if playing else 0])

    def _on_fps(self, fps: float) -> None:
        if abs(self.fps.value() - fps) > 1e-6:
            self.fps.blockSignals(True)
            self.fps.setValue(fps)
            self.fps.blockSignals(False)

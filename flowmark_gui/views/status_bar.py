"""Status bar: messages (coloured by level), task progress, model and camera readouts."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from flowmark_gui.session import ERROR, WARNING, Session

TIMEOUT_MS = {"info": 5000, "warning": 15000, "error": 20000}
COLOURS = {"info": "", "warning": "color: #f9ab00;", "error": "color: #ff6e6e;"}


class StatusBar(QStatusBar):
    """Shows the session's messages and progress; keeps the last message for tests."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.message = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.camera = QLabel("")
        self.model = QLabel("")
        self.addWidget(self.message, 1)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.camera)
        self.addPermanentWidget(self.model)
        self.history: list[tuple[str, str]] = []
        self.sticky_warning = ""
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(self._restore)
        session.message.connect(self.show_message)
        session.progress.connect(self.show_progress)
        session.model_changed.connect(self._on_model)

    @property
    def text(self) -> str:
        return self.message.text()

    def show_message(self, text: str, level: str = "info") -> None:
        self.history.append((level, text))
        del self.history[:-200]
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.setStyleSheet(COLOURS.get(level, ""))
        self._clear.start(TIMEOUT_MS.get(level, 5000))

    def _restore(self) -> None:
        self.message.setText(self.sticky_warning)
        self.message.setStyleSheet(COLOURS[WARNING] if self.sticky_warning else "")

    def show_progress(self, task: str, done: int, total: int) -> None:
        if total < 0:
            self.progress.hide()
            return
        self.progress.show()
        self.progress.setFormat(f"{task} %v/%m" if total else f"{task}…")
        self.progress.setRange(0, total)  # 0..0: busy indicator
        self.progress.setValue(done)

    def _on_model(self) -> None:
        handle = self.session.model
        if handle is None:
            return
        info = handle.info
        note = " (untrained)" if info.random_weights else ""
        self.model.setText(f"model: {info.name}{note} · {info.image_size}px · {info.num_kp} kp")
        self.sticky_warning = handle.warning or ""

    def set_camera_stats(self, text: str) -> None:
        self.camera.setText(text)

    def errors(self) -> list[str]:
        return [text for level, text in self.history if level == ERROR]

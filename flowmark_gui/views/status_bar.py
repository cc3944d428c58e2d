"""Status bar: the latest message (coloured by level), a button counting the warnings and
errors kept in the message log, task progress with an estimate of the time left, and the
model and camera readouts."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from flowmark_gui.state.session import ERROR, WARNING, Session

TIMEOUT_MS = {"info": 12000, "warning": 20000, "error": 30000}  # all stay in the message log
COLOURS = {"info": "", "warning": "color: #f9ab00;", "error": "color: #ff6e6e;"}
ETA_AFTER_S = 1.0  # estimate the time left once a task has run this long


def progress_text(task: str, done: int, total: int, elapsed_s: float) -> str:
    """What the progress bar says, e.g. "tracking keypoints 40/120 · ~6 s left"."""
    if total <= 0:
        return f"{task}…"
    text = f"{task} {done}/{total}"
    if done > 0 and elapsed_s >= ETA_AFTER_S and done < total:
        left = elapsed_s / done * (total - done)
        text += f" · ~{left:.0f} s left" if left < 90 else f" · ~{left / 60:.0f} min left"
    return text


class ElidedLabel(QLabel):
    """A one-line label that may shrink below its text: what does not fit ends in "…".

    A plain QLabel's minimum width is its whole text, so a long readout (a model card's
    summary) would make the window wider than a small screen.
    """

    MIN_WIDTH = 80

    def __init__(self, text: str = "", min_width: int = MIN_WIDTH) -> None:
        super().__init__(text)
        self.min_width = min_width

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self.min_width, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self.alignment()), text)


class StatusBar(QStatusBar):
    """Shows the session's messages and progress; keeps the message history for tests."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.message = ElidedLabel("", 160)  # "…" where it does not fit; all in the log
        self.log_button = QToolButton()
        self.log_button.setAutoRaise(True)
        self.log_button.setToolTip("warnings and errors stay in the message log until dismissed")
        self.log_button.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.camera = QLabel("")
        self.model = ElidedLabel("")
        self.addWidget(self.message, 1)
        self.addPermanentWidget(self.log_button)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.camera)
        self.addPermanentWidget(self.model)
        self.history: list[tuple[str, str]] = []
        self.sticky_warning = ""
        self._started: dict[str, float] = {}
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

    def show_log_counts(self, errors: int, warnings: int) -> None:
        """The log button: how many warnings and errors wait to be read."""
        parts = [f"✖ {errors}"] if errors else []
        parts += [f"⚠ {warnings}"] if warnings else []
        self.log_button.setText("  ".join(parts))
        self.log_button.setStyleSheet(COLOURS[ERROR] if errors else COLOURS[WARNING])
        self.log_button.setVisible(bool(parts))

    def _restore(self) -> None:
        self.message.setText(self.sticky_warning)
        self.message.setStyleSheet(COLOURS[WARNING] if self.sticky_warning else "")

    def show_progress(self, task: str, done: int, total: int) -> None:
        if total < 0:
            self._started.pop(task, None)
            self.progress.hide()
            return
        now = time.monotonic()
        if done <= 0 or task not in self._started:
            self._started[task] = now
        text = progress_text(task, done, total, now - self._started[task])
        self.progress.setFormat(text.replace("%", "%%"))
        # wide enough for its text (one line, never clipped), whatever the task says
        widest = f"{task} {total}/{total} · ~99 min left" if total > 0 else text
        width = self.progress.fontMetrics().horizontalAdvance(widest) + 24
        self.progress.setMinimumWidth(width)
        self.progress.setMaximumWidth(width)
        self.progress.show()
        self.progress.setRange(0, total)  # 0..0: busy indicator
        self.progress.setValue(done)

    def _on_model(self) -> None:
        handle = self.session.model
        if handle is None:
            return
        info = handle.info
        note = " (untrained)" if info.random_weights else ""
        text = f"model: {info.name}{note} · {info.image_size}px · {info.num_kp} kp"
        # the name is never cut: only the card's summary after it may end in "…"
        self.model.min_width = min(self.model.fontMetrics().horizontalAdvance(text) + 8, 420)
        self.model.updateGeometry()
        if info.card is not None:  # what the model is for, the whole card on hover
            text += f" — {info.card.summary}"
        self.model.setText(text)
        self.model.setToolTip("\n".join(info.card.lines()) if info.card is not None else "")
        self.sticky_warning = handle.warning or ""

    def set_camera_stats(self, text: str) -> None:
        self.camera.setText(text)

    def errors(self) -> list[str]:
        return [text for level, text in self.history if level == ERROR]

"""Learn My Face, step 2: progress in steps and time left, a real Cancel (nothing kept) and
Stop and keep; at the end the held-out score, shown before the model is used."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)


def clock(seconds: float) -> str:
    """125.0 -> "2:05"."""
    whole = max(round(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


class AdaptProgressDialog(QDialog):
    """Modeless; the buttons call the adapter, which reports back through the setters."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learning your face")
        self.setModal(False)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel("reading the take…")
        self.detail.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.cancel_button = self.buttons.addButton("Cancel (keep nothing)", role.RejectRole)
        self.stop_button = self.buttons.addButton("Stop and keep", role.ActionRole)
        self.use_button = self.buttons.addButton("Use this model", role.AcceptRole)
        self.close_button = self.buttons.addButton("Close", role.DestructiveRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        self.resize(520, 180)

    def running(self, take: str, minutes: int, min_steps: int) -> None:
        """The state while learning."""
        self.title.setText(
            f"Learning from {take} for up to {minutes} min. Stop and keep saves the model "
            f"once it has learned {min_steps} steps; Cancel keeps nothing."
        )
        self.bar.setValue(0)
        self.detail.setText("reading the take and finding the face…")
        self._buttons(running=True)

    def step(self, step: int, seconds: float, fraction: float, min_steps: int) -> None:
        """After each step: steps done, time so far and left, the keep threshold."""
        self.bar.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))
        left = seconds * (1 - fraction) / fraction if fraction > 0 else 0.0
        keep = "" if step >= min_steps else f" · Stop and keep from step {min_steps}"
        self.detail.setText(
            f"step {step} · {clock(seconds)} so far · about {clock(left)} left{keep}"
        )

    def finished(self, text: str, usable: bool) -> None:
        """The end: the score (or why nothing was kept); Use only when a model was kept."""
        self.bar.setValue(1000 if usable else self.bar.value())
        self.detail.setText(text)
        self._buttons(running=False)
        self.use_button.setVisible(usable)

    def _buttons(self, running: bool) -> None:
        self.cancel_button.setVisible(running)
        self.stop_button.setVisible(running)
        self.use_button.setVisible(False)
        self.close_button.setVisible(not running)

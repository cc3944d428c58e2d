"""Learn My Face, step 1: which take to learn from, whose face it is (the model's name),
how long to train, and where the model will be kept (the full library path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.adapt.library import new_model_path
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS
from flowmark_gui.dialogs.file_dialogs import choose_file

DEFAULT_MINUTES = 5
TAKE_HINT = (
    "A take is 20–60 s of you alone in front of the camera: turn your head, talk, blink. "
    "Its last seconds are kept aside to score the model on frames it never saw."
)


@dataclass(frozen=True)
class AdaptSetup:
    """What the user chose: the take, the model's name (whose face), minutes to train."""

    take: Path
    name: str
    minutes: int


class AdaptSetupDialog(QDialog):
    """Emits `chosen` (an `AdaptSetup`) on Start, `record_take` when the user wants to
    record a take first (the camera records; the dialog comes back with it)."""

    chosen = Signal(object)
    record_take = Signal()

    def __init__(self, library: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learn my face")
        self.library = library
        self.take = QComboBox()
        self.take.setMinimumWidth(320)
        browse = QPushButton("Clip…")
        browse.setToolTip("learn from a video file of you")
        browse.clicked.connect(self._browse)
        record = QPushButton("Record a take…")
        record.setToolTip("record 30 s with the camera, with a countdown and guidance")
        record.clicked.connect(self._record)
        self.name = QLineEdit("my face")
        self.name.setToolTip("whose face this is; the model is called so in the Model menu")
        self.name.textChanged.connect(self._update_target)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 60)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.minutes.setSuffix(" min")
        self.minutes.setToolTip("longer learns more; Stop and keep ends it early")
        self.target = QLabel()
        self.target.setWordWrap(True)
        self.target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel(TAKE_HINT)
        hint.setWordWrap(True)
        takes = QHBoxLayout()
        takes.addWidget(self.take, 1)
        takes.addWidget(browse)
        takes.addWidget(record)
        form = QFormLayout()
        form.addRow("take", takes)
        form.addRow("", hint)
        form.addRow("name (whose face)", self.name)
        form.addRow("time budget", self.minutes)
        form.addRow("saved as", self.target)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            "Start learning", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_target()

    def offer(self, takes: list[tuple[str, Path]], chosen: Path | None = None) -> None:
        """Fill the take list (label, file), selecting `chosen` if given."""
        self.take.clear()
        for label, path in takes:
            self.take.addItem(label, str(path))
        if chosen is not None:
            index = self.take.findData(str(chosen))
            if index < 0:
                self.take.addItem(f"take: {chosen.name}", str(chosen))
                index = self.take.count() - 1
            self.take.setCurrentIndex(index)
        self.start_button.setEnabled(self.take.count() > 0)
        self._update_target()

    def _update_target(self) -> None:
        path = new_model_path(self.library, self.name.text())
        self.target.setText(str(path))

    def _browse(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in VIDEO_EXTENSIONS)
        path = choose_file(self, "A video of you", str(Path.home()), f"Videos ({patterns})")
        if path:
            self.offer([(self.take.itemText(i), Path(self.take.itemData(i))) for i in range(
                self.take.count())], Path(path))  # fmt: skip

    def _record(self) -> None:
        self.hide()
        self.record_take.emit()

    def _accept(self) -> None:
        data = self.take.currentData()
        if not data:
            return
        name = self.name.text().strip() or "my face"
        self.accept()
        self.chosen.emit(AdaptSetup(Path(data), name, self.minutes.value()))

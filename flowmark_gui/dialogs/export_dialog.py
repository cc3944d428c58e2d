"""Export dialog: path, format, fps, size, layout and face motion; runs the export worker with a
progress bar and Cancel while the rest of the app stays usable (the dialog is modeless)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.mediapipe_runtime import MEDIAPIPE_HINT
from flowmark_gui.dialogs import confirm
from flowmark_gui.dialogs.file_dialogs import choose_file
from flowmark_gui.render.export_job import FORMATS, ExportJob
from flowmark_gui.state.session import Session
from flowmark_gui.workers.export import ExportWorker

EXPORT_TASK = "exporting"
LAYOUT_LABELS = {
    "result": "result only",
    "side-by-side": "side by side: source | driving | result, with overlays",
}


def free_name(path: Path) -> Path:
    """`path`, or `path` numbered (`name-2.mp4`, ...) when a file of that name exists."""
    candidate, n = path, 2
    stem = path.stem
    tail = stem.rsplit("-", 1)[-1]
    if "-" in stem and tail.isdigit() and len(tail) <= 3:  # name-2 -> name-3, not name-2-2
        stem = stem.rsplit("-", 1)[0]
    while candidate.exists():
        candidate = path.with_name(f"{stem}-{n}{path.suffix}")
        n += 1
    return candidate


class ExportDialog(QDialog):
    """Modeless; one export at a time."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.setModal(False)
        self.session = session
        self.worker: ExportWorker | None = None
        self._active = False
        self.path = QLineEdit()
        self.path.editingFinished.connect(self._on_path_edited)
        self._proposed = ""  # the name this dialog proposed (not typed by the user)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.currentTextChanged.connect(self._on_format)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 120.0)
        self.fps.setDecimals(2)
        self.size = QSpinBox()
        self.size.setRange(32, 2048)
        self.size.setSingleStep(32)
        self.size.setSuffix(" px")
        self.layout_box = QComboBox()
        for key, label in LAYOUT_LABELS.items():
            self.layout_box.addItem(label, key)
        self.mesh_expression = QCheckBox("mouth, eyes and brows from the face mesh (photos)")
        self.mesh_expression.setToolTip(
            "The model renders at the source's resolution; the driver's mouth, eyes and brows "
            "are then carried by MediaPipe's face mesh (as flowmark animate --motion hybrid). "
            "Needs a face in the source."
        )
        self._mesh_chosen = False  # the user ticked or unticked it: no longer follows the source
        self.mesh_expression.clicked.connect(self._on_mesh_clicked)
        if importlib.util.find_spec("mediapipe") is None:  # not imported here: it is slow
            self.mesh_expression.setEnabled(False)
            self.mesh_expression.setToolTip(f"mediapipe is not installed; {MEDIAPIPE_HINT}")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        accept = QDialogButtonBox.ButtonRole.AcceptRole
        self.export_button = self.buttons.addButton("Export", accept)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.hide)
        self.cancel_button.setEnabled(False)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("file", path_row)
        form.addRow("format", self.format)
        form.addRow("frame rate", self.fps)
        form.addRow("size (each pane)", self.size)
        form.addRow("layout", self.layout_box)
        form.addRow("face motion", self.mesh_expression)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 300)

    @property
    def running(self) -> bool:
        """True from `start` until the worker's end has been handled on the UI thread.

        Not `QThread.isRunning()`: that turns False as soon as the thread returns, while its
        last progress and done signals may still wait in the UI thread's queue.
        """
        return self._active

    def prepare(self) -> None:
        """Fill defaults from the session (called each time the dialog opens).

        The file name is proposed anew unless the user typed one that is still free: a
        name that exists (the last export) or one proposed for other media is replaced by
        a free one, so opening Export again never offers to overwrite the last file.
        """
        if self.running:
            return
        session = self.session
        if session.driving is not None:
            self.fps.setValue(session.driving.fps)
        self.size.setValue(max(session.image_size, 256))
        text = self.path.text().strip()
        if session.source is not None and session.driving is not None:
            fmt = self.format.currentText()
            folder = Path(text).expanduser().parent if text else Path.cwd()
            default = folder / f"{session.source.path.stem}-{session.driving.path.stem}.{fmt}"
            if not text or text == self._proposed:
                text = str(free_name(default))
                self._proposed = text
            elif Path(text).expanduser().exists():
                text = str(free_name(Path(text).expanduser()))
            self.path.setText(text)
        self._on_format(self.format.currentText())
        if not self._mesh_chosen and self.mesh_expression.isEnabled():
            # as `flowmark animate --motion auto`: on for a real photo, off for anything else
            photo = session.source is not None and session.source.real_photo
            self.mesh_expression.setChecked(bool(photo))

    def _on_mesh_clicked(self) -> None:
        self._mesh_chosen = True

    def _on_path_edited(self) -> None:
        """A typed extension picks the format (the field always shows the file written)."""
        suffix = Path(self.path.text().strip()).suffix.lower().lstrip(".")
        if suffix in FORMATS and suffix != self.format.currentText():
            self.format.setCurrentText(suffix)

    def _browse(self) -> None:
        fmt = self.format.currentText()
        path = choose_file(
            self.parentWidget(), "Export to", self.path.text(), f"{fmt.upper()} (*.{fmt})", True
        )
        if path:
            self.path.setText(path)
            self._on_format(fmt)

    def _on_format(self, fmt: str) -> None:
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(f".{fmt}")))

    def job(self) -> ExportJob | None:
        """The export the form describes, or None (with a reason shown) when it cannot run."""
        session = self.session
        if session.source is None or session.driving is None or session.track is None:
            self.status.setText("load a source image and a driving video (and let it track) first")
            return None
        text = self.path.text().strip()
        if not text:
            self.status.setText("choose a file to export to")
            return None
        self._on_path_edited()
        path = Path(text).expanduser()
        if path.suffix.lower().lstrip(".") != self.format.currentText():
            path = path.with_name(f"{path.name}.{self.format.currentText()}")
            self.path.setText(str(path))
        return ExportJob(
            path=path,
            fps=self.fps.value(),
            size=self.size.value(),
            layout=str(self.layout_box.currentData()),
            source_path=session.source.path,
            driving_path=session.driving.path,
            track=session.track.track,
            options=session.options,
            overlays=session.overlays,
            selection=session.selection,
            expression_from_mesh=self.mesh_expression.isChecked(),
        )

    def start(self) -> bool:
        """Start exporting; False when the form or the session is not ready."""
        if self.running or self.session.model is None:
            return False
        job = self.job()
        if job is None:
            return False
        if job.path.exists() and not confirm.ask(
            self, "Replace file?", f"{job.path} already exists. Replace it?", "Replace"
        ):
            self.status.setText(f"not exported: {job.path.name} exists (choose another name)")
            return False
        worker = ExportWorker(job, self.session.model, self)
        worker.progress.connect(self._on_progress)
        worker.finished_ok.connect(self._on_done)
        worker.cancelled.connect(self._on_cancelled)
        worker.note.connect(self.session.warn)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_thread_end)
        self.worker = worker
        self._active = True
        self.progress.setRange(0, job.frame_count)
        self.progress.setValue(0)
        self.status.setText(f"exporting {job.frame_count} frames to {job.path.name}…")
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        worker.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("cancelling…")

    def shutdown(self) -> None:
        """Cancel a running export and wait for its thread (app exit)."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.stop()
        self._active = False

    def _on_progress(self, done: int, total: int) -> None:
        if not self._active or (self.worker is not None and self.worker.cancel_requested):
            return  # a frame finished while Cancel was on its way: not progress any more
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.session.progress.emit(EXPORT_TASK, done, total)  # also in the status bar

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        """Closing the dialog does not stop an export: say so (Cancel stops it)."""
        if self.running:
            self.session.info(
                "export continues in the background (progress in the status bar); "
                "File > Export… shows it again, with Cancel"
            )
        super().hideEvent(event)

    def _on_done(self, path: str, frames: int) -> None:
        self.session.progress.emit(EXPORT_TASK, -1, -1)
        self.status.setText(f"wrote {frames} frames to {path}")
        self.session.info(f"exported {frames} frames to {path}")

    def _on_cancelled(self) -> None:
        self.session.progress.emit(EXPORT_TASK, -1, -1)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("export cancelled; no file written")
        self.session.info("export cancelled; no file written")

    def _on_failed(self, message: str) -> None:
        self.session.progress.emit(EXPORT_TASK, -1, -1)
        self.progress.setValue(0)
        self.status.setText(message)
        self.session.error(f"export failed: {message}")

    def _on_thread_end(self) -> None:
        self._active = False
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

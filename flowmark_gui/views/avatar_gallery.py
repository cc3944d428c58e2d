"""Avatar gallery: a folder of source images; number keys 1–9 switch the live avatar.
Thumbnails are decoded on a worker."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.io.images import read_image
from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.workers.base import FunctionWorker

THUMB = 56
EMPTY_HINT = (
    "No avatars yet: choose a folder of portraits, or drop images on the camera view. "
    "Until then the source image is animated; keys 1–9 pick avatars."
)


def thumbnails(paths: list[Path]) -> list[np.ndarray | None]:
    """Small RGB thumbnails of image files (None for unreadable ones); slow: a worker."""
    out: list[np.ndarray | None] = []
    for path in paths:
        try:
            image = read_image(path)
        except Exception:
            out.append(None)
            continue
        scale = THUMB / max(image.shape[:2])
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        out.append(np.ascontiguousarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA)))
    return out


def to_icon(rgb: np.ndarray) -> QIcon:
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QIcon(QPixmap.fromImage(image))


class AvatarGallery(QWidget):
    """Lists the avatars of the chosen folder; the current one is selected."""

    def __init__(self, camera: CameraController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.choose = QPushButton("Avatar folder…")
        self.choose.clicked.connect(self._ask_folder)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(56, 56))
        self.list.setMovement(QListView.Movement.Static)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMinimumHeight(90)
        self.list.currentRowChanged.connect(self._on_row)
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choose)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        self._worker: FunctionWorker | None = None
        camera.avatars_changed.connect(self.refresh)

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of avatar images")
        if folder:
            self.camera.set_avatar_folder(Path(folder))

    def refresh(self) -> None:
        self.list.blockSignals(True)
        if self.list.count() != len(self.camera.avatars):
            self.list.clear()
            for i, path in enumerate(self.camera.avatars):
                label = f"{i + 1}. {path.stem}" if i < 9 else path.stem
                item = QListWidgetItem(label)
                item.setToolTip(str(path))
                self.list.addItem(item)
            self._load_thumbnails(list(self.camera.avatars))
        self.list.setCurrentRow(self.camera.avatar_index)
        self.list.blockSignals(False)
        self.hint.setVisible(not self.camera.avatars)

    def _load_thumbnails(self, paths: list[Path]) -> None:
        self.shutdown()
        self._worker = FunctionWorker("flowmark-thumbnails", lambda: thumbnails(paths), self)
        self._worker.done.connect(self._show_thumbnails)
        self._worker.start()

    def _show_thumbnails(self, images: list[np.ndarray | None]) -> None:
        for row, image in enumerate(images[: self.list.count()]):
            if image is not None:
                self.list.item(row).setIcon(to_icon(image))

    def _on_row(self, row: int) -> None:
        self.camera.choose_avatar(row)

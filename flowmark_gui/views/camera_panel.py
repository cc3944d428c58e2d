"""Camera mode page: the live camera (with keypoints and the ghosted source for
alignment) next to the live result, with controls and the avatar gallery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.render.overlays import PaneLayers
from flowmark_gui.state.file_routing import Role, classify
from flowmark_gui.state.session import Session
from flowmark_gui.state.values import CameraFrame
from flowmark_gui.views.avatar_gallery import AvatarGallery
from flowmark_gui.views.camera_controls import CameraControls
from flowmark_gui.views.frame_view import FrameView


class CameraPanel(QWidget):
    """Live views + controls; status-bar readouts go through `stats` callbacks."""

    def __init__(
        self, session: Session, camera: CameraController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.camera = camera
        self.live = FrameView("Camera", "start a camera (right) to puppeteer the source")
        self.result = FrameView("Live result", "")
        self.controls = CameraControls(camera)
        self.gallery = AvatarGallery(camera)
        self._ghost_opacity = 0.0
        self._ghost: np.ndarray | None = None
        views = self.views = QSplitter(Qt.Orientation.Horizontal)
        views.addWidget(self.live)
        views.addWidget(self.result)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.controls)
        side_layout.addWidget(self.gallery, 1)
        # scrolls rather than setting the window's minimum height (small screens)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # as wide as the controls need (never clipped), the views get the rest
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(side.minimumSizeHint().width() + bar + 2)
        scroll.setMaximumWidth(max(340, scroll.minimumWidth()))
        self.guidance = QLabel()  # the take recorder's countdown and guidance
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet("font-size: 15pt; font-weight: bold; padding: 4px;")
        self.guidance.hide()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.guidance)
        left_layout.addWidget(views, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(left, 1)
        layout.addWidget(scroll)
        for view in (self.live, self.result):
            view.keypoint_clicked.connect(session.click_keypoint)
            view.files_dropped.connect(self._on_drop)
        camera.frame.connect(self.show_frame)
        camera.avatar_image.connect(self._on_avatar)
        self.controls.ghost_opacity_changed.connect(self._on_ghost_opacity)
        session.overlays_changed.connect(lambda: self.live.set_overlays(session.overlays))
        session.selection_changed.connect(lambda: self.live.set_selection(session.selection))
        session.source_changed.connect(self._on_session_source)

    def show_frame(self, frame: CameraFrame) -> None:
        size = self.session.image_size
        layers = PaneLayers(keypoints=frame.keypoints, jacobians=frame.jacobians)
        self.live.set_frame(frame.driving, layers, size)
        self.result.set_frame(frame.output, PaneLayers(), size)
        self.live.caption.setText(f"{frame.fps:.1f} fps · {frame.latency_ms:.0f} ms")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Camera and result side by side when there is width, else one above the other
        (a small window gave each a sliver ~170 px wide)."""
        super().resizeEvent(event)
        views = self.views
        vertical = views.width() < 1.2 * views.height()
        wanted = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        if views.orientation() != wanted:
            views.setOrientation(wanted)

    def set_guidance(self, text: str) -> None:
        """Show one line above the camera views ("" hides it)."""
        self.guidance.setText(text)
        self.guidance.setVisible(bool(text))

    def _on_avatar(self, image: np.ndarray) -> None:
        self._ghost = image
        self.live.set_ghost(image, self._ghost_opacity)

    def _on_session_source(self) -> None:
        if self._ghost is None and self.session.source is not None:
            self.live.set_ghost(self.session.source.image, self._ghost_opacity)

    def _on_ghost_opacity(self, opacity: float) -> None:
        self._ghost_opacity = opacity
        image = self._ghost
        if image is None and self.session.source is not None:
            image = self.session.source.image
        self.live.set_ghost(image, opacity)

    def _on_drop(self, paths: list[str]) -> None:
        for path in paths:
            if classify(path) is Role.SOURCE:
                self.camera.add_avatar(Path(path))
            elif classify(path) is Role.DRIVING:
                self.camera.add_source(path)
            else:
                self.session.warn(f"{path}: drop images (avatars) or a video (camera stand-in)")

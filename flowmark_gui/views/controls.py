"""The Controls dock: stabilisation, motion options and overlays, in a scroll area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from flowmark_gui.controller import Controller
from flowmark_gui.session import Session
from flowmark_gui.views.motion_controls import MotionControls
from flowmark_gui.views.overlay_controls import OverlayControls
from flowmark_gui.views.stabilizer_controls import StabilizerControls


class Controls(QScrollArea):
    """Stacked option groups."""

    def __init__(
        self, session: Session, controller: Controller, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.stabilizer = StabilizerControls(session, controller)
        self.motion = MotionControls(session, controller)
        self.overlays = OverlayControls(session)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.stabilizer)
        layout.addWidget(self.motion)
        layout.addWidget(self.overlays)
        layout.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(280)

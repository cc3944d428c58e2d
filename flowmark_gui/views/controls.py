"""The Controls dock: stabilisation, motion options and overlays, one tab each, so each
fits a small screen without scrolling and changing one never moves the others."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

from flowmark_gui.controllers.controller import Controller
from flowmark_gui.state.session import Session
from flowmark_gui.views.motion_controls import MotionControls
from flowmark_gui.views.overlay_controls import OverlayControls
from flowmark_gui.views.stabilizer_controls import StabilizerControls


def _scrolled(widget: QWidget) -> QScrollArea:
    """`widget` at the top of a tab, scrolled only if the window is smaller still."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setAlignment(Qt.AlignmentFlag.AlignTop)
    return area


class Controls(QTabWidget):
    """Tabs: Stabilise, Motion, Overlays."""

    def __init__(
        self, session: Session, controller: Controller, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.stabilizer = StabilizerControls(session, controller)
        self.motion = MotionControls(session, controller)
        self.overlays = OverlayControls(session)
        for widget, title in (
            (self.stabilizer, "Stabilise"),
            (self.motion, "Motion"),
            (self.overlays, "Overlays"),
        ):
            widget.setFlat(True)
            widget.setTitle("")
            self.addTab(_scrolled(widget), title)
        self.setDocumentMode(True)
        self.setMinimumWidth(280)

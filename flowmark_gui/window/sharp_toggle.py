"""View > Sharp Panes: the panes at display resolution and the Result at the source's
resolution, or (off) the model's own S x S view of all three, for debugging."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar

from flowmark_gui.controllers.controller import Controller
from flowmark_gui.state.session import Session

SHARP_TEXT = "Sharp Panes (off: the model's own size, for debugging)"


def add_sharp_toggle(bar: QMenuBar, session: Session, controller: Controller) -> QAction:
    """A checkable action in the View menu that switches `RenderOptions.sharp`; the current
    frame is rendered again (by the engine worker) when it changes."""
    menu = next((a.menu() for a in bar.actions() if a.text() == "&View"), None)
    action = QAction(SHARP_TEXT, bar)
    action.setCheckable(True)
    action.setChecked(session.options.sharp)
    action.setShortcut(QKeySequence("Ctrl+Shift+S"))
    action.toggled.connect(lambda on: controller.update_options(sharp=bool(on)))
    if menu is not None:
        menu.addSeparator()
        menu.addAction(action)
    return action


def sync_sharp_toggle(action: QAction, session: Session) -> None:
    """Show the session's setting without triggering a change."""
    action.blockSignals(True)
    action.setChecked(session.options.sharp)
    action.blockSignals(False)

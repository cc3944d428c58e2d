"""The message log: every message stays listed until the user dismisses it (the status bar
shows only the latest one, and only for a while): warnings and errors in colour, information
in grey, so nothing said is lost and the log is never empty once something was said.
"Dismiss all" empties it and closes its dock (`emptied`)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from flowmark_gui.state.session import ERROR, INFO, WARNING, Session

COLOURS = {ERROR: "#ff6e6e", WARNING: "#f9ab00", INFO: "#9aa0a6"}
MARKS = {ERROR: "✖", WARNING: "⚠", INFO: "ℹ"}
MAX_INFO = 200  # information lines kept (the oldest go first)
LEVEL_ROLE = Qt.ItemDataRole.UserRole


class MessageLog(QWidget):
    """Warnings and errors, newest last, each until dismissed."""

    changed = Signal()
    error_added = Signal()
    emptied = Signal()  # "Dismiss all"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("remove the selected messages (Delete)")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.clear_button = QPushButton("Dismiss all")
        self.clear_button.clicked.connect(self.dismiss_all)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        session.message.connect(self.add)

    def add(self, text: str, level: str) -> None:
        """List a message (information too: it left the status bar after a few seconds)."""
        if level not in MARKS:
            return
        if level == INFO and len(self.messages(INFO)) >= MAX_INFO:
            oldest = next(
                i for i in range(self.list.count()) if self.list.item(i).data(LEVEL_ROLE) == INFO
            )
            self.list.takeItem(oldest)
        stamp = time.strftime("%H:%M:%S")
        item = QListWidgetItem(f"{MARKS[level]} {stamp}  {text}")
        item.setToolTip(text)
        item.setData(LEVEL_ROLE, level)
        item.setForeground(QBrush(QColor(COLOURS[level])))
        self.list.addItem(item)
        self.list.scrollToBottom()
        self.changed.emit()
        if level == ERROR:
            self.error_added.emit()

    def messages(self, level: str | None = None) -> list[str]:
        """Texts of the listed messages (of one level, or all)."""
        items = [self.list.item(i) for i in range(self.list.count())]
        return [item.toolTip() for item in items if level is None or item.data(LEVEL_ROLE) == level]

    def counts(self) -> tuple[int, int]:
        """(errors, warnings) listed."""
        return len(self.messages(ERROR)), len(self.messages(WARNING))

    def dismiss_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.changed.emit()

    def dismiss_all(self) -> None:
        self.list.clear()
        self.changed.emit()
        self.emptied.emit()

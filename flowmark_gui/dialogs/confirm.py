"""Yes/No questions to the user (replace a file, quit while work runs).

Callers go through `ask` as a module attribute (`confirm.ask(...)`), so tests can answer
without a modal dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget | None, title: str, text: str, yes: str = "Yes") -> bool:
    """True when the user picks `yes`; No is the default button (Enter does not destroy)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.No, parent)
    accept = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.exec()
    return box.clickedButton() is accept

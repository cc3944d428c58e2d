"""Editors for a stabiliser's tunable parameters, built from their defaults' types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from flowmark_core.flow import DIS_PRESETS

CHOICES: dict[str, tuple[str, ...]] = {"preset": tuple(DIS_PRESETS)}


def make_editor(name: str, default: Any, on_change: Callable[[], None]) -> QWidget:
    """A widget editing one parameter whose default is `default`."""
    if isinstance(default, bool):
        box = QCheckBox()
        box.setChecked(default)
        box.toggled.connect(on_change)
        return box
    if isinstance(default, int):
        spin = QSpinBox()
        spin.setRange(0, 100000)
        spin.setValue(default)
        spin.valueChanged.connect(on_change)
        return spin
    if isinstance(default, float) and 0 < abs(default) < 1e-3:
        tiny = QLineEdit(f"{default:g}")  # e.g. 1e-07: a spin box would show 0.000
        tiny.setValidator(QDoubleValidator(0.0, 1e6, 12, tiny))
        tiny.setProperty("float_value", True)
        tiny.editingFinished.connect(on_change)
        return tiny
    if isinstance(default, float):
        dspin = QDoubleSpinBox()
        dspin.setDecimals(4 if abs(default) < 0.01 and default else 3)
        dspin.setRange(0.0, 1e6)
        dspin.setSingleStep(max(abs(default) / 10.0, 1e-4) if default else 0.1)
        dspin.setValue(default)
        dspin.valueChanged.connect(on_change)
        return dspin
    if name in CHOICES:
        combo = QComboBox()
        combo.addItems(list(CHOICES[name]))
        combo.setCurrentText(str(default))
        combo.currentTextChanged.connect(on_change)
        return combo
    line = QLineEdit(str(default))
    line.editingFinished.connect(on_change)
    return line


def editor_value(editor: QWidget) -> Any:
    """The value an editor made by `make_editor` holds."""
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QLineEdit):
        if editor.property("float_value"):
            try:
                return float(editor.text())
            except ValueError:
                return 0.0
        return editor.text()
    raise TypeError(f"not a parameter editor: {editor!r}")


def set_editor_value(editor: QWidget, value: Any) -> None:
    """Show `value` without emitting change signals."""
    editor.blockSignals(True)
    try:
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(f"{value:g}" if isinstance(value, float) else str(value))
    finally:
        editor.blockSignals(False)

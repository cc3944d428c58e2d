"""Stabiliser choice (none / one-euro / flow) and its parameters; edits re-track the video
after a short pause so typing a number does not start a track per keystroke."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QToolButton,
    QWidget,
)

from flowmark_core.stabilize import STABILIZERS, stabilizer_params
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.state.session import Session
from flowmark_gui.views.param_editors import editor_value, make_editor, set_editor_value
from flowmark_gui.views.param_specs import spec_for

HIDDEN_PARAMS = ("fps",)  # taken from the video
DEBOUNCE_MS = 350
EDITOR_WIDTH = 130
LABELS = {"none": "none (raw keypoints)", "one-euro": "one-euro filter", "flow": "optical flow"}


class StabilizerControls(QGroupBox):
    """Combo box plus a form of the chosen stabiliser's parameters."""

    def __init__(
        self, session: Session, controller: Controller, parent: QWidget | None = None
    ) -> None:
        super().__init__("Stabilisation", parent)
        self.session = session
        self.controller = controller
        self.combo = QComboBox()
        for name in STABILIZERS:
            self.combo.addItem(LABELS.get(name, name), name)
        self.combo.setToolTip("how detector keypoints are smoothed over time")
        self.combo.currentIndexChanged.connect(self._on_choice)
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.addRow("method", self.combo)
        self.editors: dict[str, QWidget] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._commit)
        session.options_changed.connect(self._sync)
        self._build(session.options.stabilizer)
        self._sync()

    @property
    def name(self) -> str:
        return str(self.combo.currentData())

    def _build(self, name: str) -> None:
        """The parameters that matter, with units and tooltips; the rest under Advanced."""
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.editors = {}
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setText("Advanced")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QWidget()
        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(8, 0, 0, 0)
        advanced_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.advanced.hide()
        self.advanced_toggle.toggled.connect(self._show_advanced)
        for key, default in stabilizer_params(name).items():
            if key in HIDDEN_PARAMS:
                continue
            spec = spec_for(key)
            editor = make_editor(key, default, self._timer.start)
            editor.setToolTip(spec.tip)
            editor.setMaximumWidth(EDITOR_WIDTH)
            label = spec.label
            if isinstance(editor, QSpinBox | QDoubleSpinBox):
                editor.setSuffix(spec.unit)
            elif spec.unit:
                label += f" ({spec.unit.strip()})"
            self.editors[key] = editor
            (self.form if spec.main else advanced_form).addRow(label, editor)
        if advanced_form.rowCount():
            self.form.addRow(self.advanced_toggle)
            self.form.addRow(self.advanced)

    def _show_advanced(self, on: bool) -> None:
        self.advanced.setVisible(on)
        arrow = Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow
        self.advanced_toggle.setArrowType(arrow)

    def params(self) -> dict[str, Any]:
        """Parameters that differ from the stabiliser's defaults."""
        defaults = stabilizer_params(self.name)
        values = {key: editor_value(editor) for key, editor in self.editors.items()}
        return {k: v for k, v in values.items() if v != defaults.get(k)}

    def _on_choice(self) -> None:
        self._timer.stop()
        self._build(self.name)
        self.controller.update_options(stabilizer=self.name, stabilizer_params={})

    def _commit(self) -> None:
        self.controller.update_options(stabilizer=self.name, stabilizer_params=self.params())

    def _sync(self) -> None:
        options = self.session.options
        if options.stabilizer != self.name:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(max(self.combo.findData(options.stabilizer), 0))
            self.combo.blockSignals(False)
            self._build(options.stabilizer)
        if self._timer.isActive():
            return  # an edit is about to be committed; keep what the user typed
        defaults = stabilizer_params(options.stabilizer)
        for key, editor in self.editors.items():
            set_editor_value(editor, options.stabilizer_params.get(key, defaults[key]))

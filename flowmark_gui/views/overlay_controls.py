"""Overlay toggles (each independent) and the heatmap opacity / scope."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSlider,
    QWidget,
)

from flowmark_gui.state.session import Session

TOGGLES = (
    ("keypoints", "numbered keypoints", "K"),
    ("raw_keypoints", "raw keypoints (× before stabilisation)", ""),
    ("jacobians", "Jacobian axes", "J"),
    ("heatmaps", "heatmaps", "H"),
    ("motion", "motion arrows (Result)", "M"),
    ("occlusion", "occlusion map (Result)", "O"),
)


EXPLANATIONS = {
    "keypoints": "dots: the model's keypoints, one colour each (the same in every view and "
    "in the plots); click one to select it",
    "raw_keypoints": "×: where the detector put a keypoint before stabilisation (drawn with "
    "a stabiliser on; without one the dots are the raw keypoints)",
    "jacobians": "axes: how the region around each keypoint is turned and stretched",
    "heatmaps": "heatmaps: where each keypoint's detector looks (brighter: surer)",
    "motion": "arrows (Result): where each part of the picture is taken from in the source; "
    "none on a face that does not move",
    "occlusion": "occlusion (Result): magenta marks what the source does not show, which "
    "the model has to invent (mouth inside, a turned cheek); clear parts are copied",
}


class OverlayControls(QGroupBox):
    """Checkboxes bound to `session.overlays`."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Overlays", parent)
        self.session = session
        self.checks: dict[str, QCheckBox] = {}
        form = QFormLayout(self)
        for field, label, key in TOGGLES:
            box = QCheckBox(f"{label}  ({key})" if key else label)
            box.toggled.connect(lambda on, f=field: session.set_overlays(**{f: on}))
            self.checks[field] = box
            form.addRow(box)
        self.scope = QComboBox()
        self.scope.addItems(["all keypoints", "selected keypoints"])
        self.scope.currentIndexChanged.connect(
            lambda i: session.set_overlays(heatmap_selected_only=i == 1)
        )
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.valueChanged.connect(lambda v: session.set_overlays(heatmap_opacity=v / 100.0))
        self.scope_hint = QLabel("click a keypoint (or a table row) to see its heatmap")
        self.scope_hint.setStyleSheet("color: #f9ab00")
        self.scope_hint.setWordWrap(True)
        self.scope_hint.hide()
        form.addRow("heatmaps of", self.scope)
        form.addRow(self.scope_hint)
        form.addRow("heatmap opacity", self.opacity)
        self.explain = QLabel("")
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet("color: #9aa0a6")
        form.addRow(self.explain)
        session.overlays_changed.connect(self._sync)
        session.selection_changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        overlays = self.session.overlays
        for field, box in self.checks.items():
            box.blockSignals(True)
            box.setChecked(bool(getattr(overlays, field)))
            box.blockSignals(False)
        self.scope.blockSignals(True)
        self.scope.setCurrentIndex(1 if overlays.heatmap_selected_only else 0)
        self.scope.blockSignals(False)
        self.opacity.blockSignals(True)
        self.opacity.setValue(round(overlays.heatmap_opacity * 100))
        self.opacity.blockSignals(False)
        self.opacity.setEnabled(overlays.heatmaps)
        self.scope.setEnabled(overlays.heatmaps)
        nothing_chosen = overlays.heatmap_selected_only and not self.session.selection
        self.scope_hint.setVisible(overlays.heatmaps and nothing_chosen)
        shown = [text for field, text in EXPLANATIONS.items() if getattr(overlays, field)]
        self.explain.setText("\n".join(shown))

"""Per-keypoint jitter numbers (flow residual, acceleration) raw vs stabilised."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.drawing import keypoint_colour
from flowmark_gui.state.session import Session

HEADERS = ("kp", "resid. raw", "resid. stab.", "acc. raw", "acc. stab.")
TOOLTIPS = (
    "keypoint (click to select; Ctrl-click adds)",
    "mean distance (px) between a keypoint's move and the optical flow under it, raw track",
    "the same for the stabilised track",
    "mean |x(t+1) - 2x(t) + x(t-1)| in px/frame², raw track",
    "the same for the stabilised track",
)


EXPLANATION = (
    "resid.: how far a keypoint moves against the picture under it (optical flow), in px "
    "a frame; acc.: how jerky its path is, px/frame². Lower is steadier; stab. is after "
    "the stabiliser."
)


def _fmt(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.2f}"


class JitterTable(QWidget):
    """One row per keypoint; the summary line compares the means."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        for col, tip in enumerate(TOOLTIPS):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # The session's selection is the only selection model; the table mirrors it.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumWidth(360)
        self._fix_column_widths()
        self.table.cellClicked.connect(self._on_click)
        self.summary = QLabel("")
        self.explain = QLabel(EXPLANATION)
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet("color: #9aa0a6")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.explain)
        session.track_changed.connect(self.refresh)
        session.selection_changed.connect(self.show_selection)
        self.refresh()

    def _fix_column_widths(self) -> None:
        """Columns as wide as their header or "● 99" / "999.99", whatever the numbers: the
        layout stays put when the stabiliser or the video changes."""
        metrics = self.table.fontMetrics()
        for col, header in enumerate(HEADERS):
            sample = "● 99" if col == 0 else "999.99"
            width = max(metrics.horizontalAdvance(header), metrics.horizontalAdvance(sample))
            self.table.setColumnWidth(col, width + 18)

    def show_selection(self) -> None:
        """Highlight exactly the session's selected keypoints."""
        table = self.table
        table.blockSignals(True)
        table.clearSelection()
        for k in self.session.selection:
            if 0 <= k < table.rowCount():
                table.selectRow(k)
        table.blockSignals(False)
        table.viewport().update()

    def values(self, k: int) -> tuple[float, float, float, float]:
        """(residual raw, residual stable, accel raw, accel stable) of keypoint k."""
        info = self.session.track
        if info is None or info.jitter_raw is None or info.jitter_stable is None:
            return (math.nan,) * 4  # type: ignore[return-value]
        raw, stable = info.jitter_raw, info.jitter_stable
        return (
            float(raw.flow_residual[k]),
            float(stable.flow_residual[k]),
            float(raw.acceleration[k]),
            float(stable.acceleration[k]),
        )

    def refresh(self) -> None:
        info = self.session.track
        count = 0 if info is None else info.track.raw.shape[1]
        self.table.setRowCount(count)
        for k in range(count):
            swatch = QTableWidgetItem(f"● {k}")
            swatch.setForeground(QBrush(QColor(*keypoint_colour(k))))
            self.table.setItem(k, 0, swatch)
            for col, value in enumerate(self.values(k), start=1):
                self.table.setItem(k, col, QTableWidgetItem(_fmt(value)))
        self.show_selection()
        if info is None:
            self.summary.setText("")
        elif info.jitter_raw is None or info.jitter_stable is None:
            self.summary.setText("no jitter numbers: they need at least two frames")
        else:
            raw = _mean(info.jitter_raw.flow_residual)
            stable = _mean(info.jitter_stable.flow_residual)
            name = info.options.stabilizer
            text = f"mean flow residual: raw {_fmt(raw)} px"
            if name != "none":
                text += f" → {name} {_fmt(stable)} px"
            self.summary.setText(text)
            self.summary.setToolTip(
                "how far keypoints move differently from the image content under them "
                "(optical flow); lower is steadier"
            )

    def _on_click(self, row: int, _column: int) -> None:
        modifiers = QApplication.keyboardModifiers()
        additive = bool(
            modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        )
        self.session.click_keypoint(row, additive)
        self.show_selection()  # the table's own click toggling never wins over the session


def _mean(values: object) -> float:
    arr = np.asarray(values, dtype=np.float64)
    finite = arr[np.isfinite(arr)]
    return float(finite.mean()) if finite.size else math.nan

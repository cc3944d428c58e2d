"""The filters run so far, one row each, with their metrics for one region (chosen above
the table): NMJ, acceleration, lag (frames) and flow residual, as `flowmark jitter`."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from flowmark_gui.jitter_lab.state import LabState

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("nmj", "NMJ", "motion unlike the image content's optical flow, over the face/body size"),
    ("acceleration", "accel. px/f²", "mean |x(t+1) - 2x(t) + x(t-1)|"),
    ("lag", "lag frames", "how many frames the track's velocities trail the raw track's"),
    ("flow_residual", "flow res. px", "how far points slide off the image content per frame"),
)


def cell_text(value: object) -> str:
    """A metric as shown: 4 significant decimals, "–" when there is none."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "–"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"


class FilterTable(QWidget):
    """Rows: results in the order they were run ("raw (none)" first)."""

    def __init__(self, state: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.region = QComboBox()
        self.region.currentTextChanged.connect(lambda text: text and state.set_region(text))
        self.table = QTableWidget(0, len(COLUMNS) + 1)
        self.table.setHorizontalHeaderLabels(["filter", *(c[1] for c in COLUMNS)])
        for col, (_key, _label, tip) in enumerate(COLUMNS, start=1):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        row = QHBoxLayout()
        row.addWidget(QLabel("metrics of region"))
        row.addWidget(self.region, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        state.data_changed.connect(self._fill_regions)
        state.results_changed.connect(self.refresh)
        state.region_changed.connect(self.refresh)
        self._fill_regions()

    def _fill_regions(self) -> None:
        data = self.state.data
        self.region.blockSignals(True)
        self.region.clear()
        self.region.addItems(["all", *(data.track.groups if data is not None else ())])
        self.region.blockSignals(False)
        self.refresh()

    def rows(self) -> list[tuple[str, list[str]]]:
        """(filter label, shown cells) per row, as on screen."""
        region = self.state.region
        out = []
        for result in self.state.results.values():
            metrics = result.metrics.get(region, {})
            out.append((result.label, [cell_text(metrics.get(key)) for key, _l, _t in COLUMNS]))
        return out

    def refresh(self) -> None:
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for r, (label, cells) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(label))
            for c, text in enumerate(cells, start=1):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

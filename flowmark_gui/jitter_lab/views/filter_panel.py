"""Which filters to run (checked, each with its parameters), A/B, the point colouring and
the export: the lab's controls. It asks the controller; it computes nothing itself."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.stabilize.track_smoothing import FILTERS, filter_params
from flowmark_gui.jitter_lab.data import FilterKey, key_label
from flowmark_gui.jitter_lab.state import COLOURINGS, LabState

DEFAULT_CHECKED = ("one-euro", "savgol")
ROLE = int(Qt.ItemDataRole.UserRole)


def _defaults_text(name: str) -> str:
    return ", ".join(f"{k}={v}" for k, v in filter_params(name).items())


class FilterPanel(QWidget):
    """Emits `run_requested([(name, params text), ...])` and `export_requested()`."""

    run_requested = Signal(list)
    export_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, state: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.filters = QListWidget()
        for name in FILTERS[1:]:  # "none" (raw) always runs
            item = QListWidgetItem(name)
            item.setData(ROLE, _defaults_text(name))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = name in DEFAULT_CHECKED
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.filters.addItem(item)
        rows = self.filters.count() * self.filters.sizeHintForRow(0)
        self.filters.setFixedHeight(rows + 2 * self.filters.frameWidth() + 4)
        self.params = QLineEdit()
        self.params.setPlaceholderText("KEY=VALUE, ... (the filter's defaults when empty)")
        self.filters.currentItemChanged.connect(self._show_params)
        self.params.textEdited.connect(self._store_params)
        self.run = QPushButton("Run checked filters")
        self.run.clicked.connect(self._request_run)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self.cancel_requested)
        self.cancel.setEnabled(False)
        self.a = QComboBox()
        self.b = QComboBox()
        for combo in (self.a, self.b):
            combo.currentIndexChanged.connect(self._on_ab)
        self.colouring = QComboBox()
        self.colouring.addItems(["by region", "by raw acceleration", "by raw jitter"])
        self.colouring.currentIndexChanged.connect(lambda i: state.set_colouring(COLOURINGS[i]))
        self.export = QPushButton("Export smoothed track (A)…")
        self.export.clicked.connect(self.export_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run, 1)
        buttons.addWidget(self.cancel)
        form = QFormLayout()
        form.addRow("parameters", self.params)
        form.addRow("A (amber)", self.a)
        form.addRow("B (green)", self.b)
        form.addRow("points", self.colouring)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.filters)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.export)
        self._syncing = False
        self._keys: list[FilterKey | None] = [None]
        state.results_changed.connect(self._fill_ab)
        state.ab_changed.connect(self._show_ab)
        self.filters.setCurrentRow(0)
        self._fill_ab()

    def set_busy(self, what: str) -> None:
        self.cancel.setEnabled(bool(what))

    def checked(self) -> list[tuple[str, str]]:
        """(filter, parameter text) of the checked filters."""
        out = []
        for row in range(self.filters.count()):
            item = self.filters.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append((item.text(), str(item.data(ROLE))))
        return out

    def _show_params(self, item: QListWidgetItem | None) -> None:
        self.params.setText("" if item is None else str(item.data(ROLE)))

    def _store_params(self, text: str) -> None:
        item = self.filters.currentItem()
        if item is not None:
            item.setData(ROLE, text)

    def _request_run(self) -> None:
        self.run_requested.emit(self.checked())

    def _fill_ab(self) -> None:
        self._keys = [None, *self.state.results]
        self._syncing = True
        for combo in (self.a, self.b):
            combo.clear()
            for key in self._keys:
                combo.addItem("—" if key is None else key_label(key))
        self._syncing = False
        self._show_ab()

    def _show_ab(self) -> None:
        self._syncing = True
        for combo, key in ((self.a, self.state.a), (self.b, self.state.b)):
            combo.setCurrentIndex(self._keys.index(key) if key in self._keys else 0)
        self.export.setEnabled(self.state.a is not None)
        self._syncing = False

    def _on_ab(self) -> None:
        if not self._syncing:
            self.state.set_ab(self._key(self.a), self._key(self.b))

    def _key(self, combo: QComboBox) -> FilterKey | None:
        index = combo.currentIndex()
        return self._keys[index] if 0 <= index < len(self._keys) else None

"""The track's regions as a list (coloured as on the frame); picking regions selects their
points (Ctrl/Shift-click picks several); "all points" selects every point."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from flowmark_gui.jitter_lab.points import REGION_COLOURS
from flowmark_gui.jitter_lab.state import LabState

ALL = "all points"


class RegionList(QWidget):
    """One row per region with its point count."""

    def __init__(self, state: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._on_pick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.list)
        self._syncing = False
        state.data_changed.connect(self.refresh)
        state.selection_changed.connect(self._show_selection)
        self.refresh()

    def refresh(self) -> None:
        self._syncing = True
        self.list.clear()
        data = self.state.data
        if data is not None:
            item = QListWidgetItem(f"{ALL} ({data.track.num_points})")
            item.setData(256, ALL)
            self.list.addItem(item)
            for n, (name, members) in enumerate(data.track.groups.items()):
                item = QListWidgetItem(f"● {name} ({len(members)})")
                item.setData(256, name)
                item.setForeground(QBrush(QColor(*REGION_COLOURS[n % len(REGION_COLOURS)])))
                self.list.addItem(item)
        self._syncing = False

    def select_regions(self, names: list[str]) -> None:
        """Select the points of these regions (as picking them in the list does)."""
        self.list.clearSelection()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(256) in names:
                item.setSelected(True)

    def _on_pick(self) -> None:
        data = self.state.data
        if self._syncing or data is None:
            return
        names = [item.data(256) for item in self.list.selectedItems()]
        if ALL in names:
            points: list[int] = list(range(data.track.num_points))
        else:
            points = sorted({k for name in names for k in data.track.groups[name]})
        self._syncing = True
        self.state.set_selection(points)
        self._syncing = False

    def _show_selection(self) -> None:
        """A lasso's selection is no region's: the list's highlight goes."""
        if not self._syncing:
            self._syncing = True
            self.list.clearSelection()
            self._syncing = False

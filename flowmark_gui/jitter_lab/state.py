"""The Jitter Lab's state on the UI thread: the loaded data, the frame shown, the selected
points, the filter results (cached per filter and parameters), A/B and the colouring.

Views read it and listen to its signals; only the controller changes the data and results.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from flowmark_gui.jitter_lab.data import RAW, FilterKey, FilterResult, LabData

COLOURINGS: tuple[str, ...] = ("region", "acceleration", "jitter")


class LabState(QObject):
    """One lab's state; every setter emits only when the value changes."""

    data_changed = Signal()
    index_changed = Signal(int)
    selection_changed = Signal()
    results_changed = Signal()
    ab_changed = Signal()
    colouring_changed = Signal()
    region_changed = Signal()
    jitter_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data: LabData | None = None
        self.jitter: np.ndarray | None = None  # (K,) raw jitter, measured after opening
        self.index = 0
        self.selection: tuple[int, ...] = ()
        self.results: dict[FilterKey, FilterResult] = {}
        self.a: FilterKey | None = None
        self.b: FilterKey | None = None
        self.colouring = "region"
        self.region = "all"  # the filter table's region

    @property
    def length(self) -> int:
        """Frames the scrubber spans (the video's, else the track's last frame + 1)."""
        if self.data is None:
            return 0
        span_end = self.data.first + self.data.matched.span
        return max(self.data.frame_count or 0, span_end)

    def set_data(self, data: LabData) -> None:
        """A new video and track: results, A/B and the selection start over."""
        self.data = data
        self.jitter = None
        self.results = {}
        self.a = self.b = None
        self.selection = ()
        self.region = "all"
        self.index = min(max(data.first, 0), max(self.length - 1, 0))
        self.data_changed.emit()
        self.selection_changed.emit()
        self.results_changed.emit()
        self.ab_changed.emit()
        self.index_changed.emit(self.index)

    @property
    def shakiness(self) -> np.ndarray:
        """(K,) how much each point shakes: its raw jitter, its acceleration until measured."""
        if self.data is None:
            return np.zeros(0)
        return self.jitter if self.jitter is not None else self.data.acceleration

    def set_jitter(self, jitter: np.ndarray) -> None:
        """The points' raw jitter of the current data (`data.measure_jitter`)."""
        self.jitter = jitter
        self.jitter_changed.emit()

    def set_index(self, index: int) -> None:
        index = min(max(int(index), 0), max(self.length - 1, 0))
        if index != self.index:
            self.index = index
            self.index_changed.emit(index)

    def set_selection(self, points: tuple[int, ...] | list[int]) -> None:
        chosen = tuple(sorted({int(k) for k in points}))
        if chosen != self.selection:
            self.selection = chosen
            self.selection_changed.emit()

    def add_results(self, results: list[FilterResult]) -> None:
        """Cache new results; the first filters run become A and B."""
        for result in results:
            self.results[result.key] = result
        self.results_changed.emit()
        if self.a is None or self.b is None:
            ran = [r.key for r in results if r.key != RAW]
            a = self.a if self.a is not None else (ran.pop(0) if ran else None)
            b = self.b if self.b is not None else (ran.pop(0) if ran else None)
            self.set_ab(a, b)

    def set_ab(self, a: FilterKey | None, b: FilterKey | None) -> None:
        """Show filter A and filter B (cached keys, or None) on the plot and the frame."""
        a = a if a in self.results else None
        b = b if b in self.results else None
        if (a, b) != (self.a, self.b):
            self.a, self.b = a, b
            self.ab_changed.emit()

    def set_colouring(self, colouring: str) -> None:
        if colouring not in COLOURINGS:
            raise ValueError(f"colouring {colouring!r}: expected one of {COLOURINGS}")
        if colouring != self.colouring:
            self.colouring = colouring
            self.colouring_changed.emit()

    def set_region(self, region: str) -> None:
        if region != self.region:
            self.region = region
            self.region_changed.emit()

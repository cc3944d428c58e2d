"""The video frame with the track's points over it: one `ScatterPlotItem` per layer (all
points, the selection's rings, filter A, filter B), each redrawn with one `setData` a frame.

Track coordinates put (0, 0) at the centre of the top-left pixel; the image item's pixel
(0, 0) covers [0, 1] x [0, 1], so points are drawn at +0.5.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from flowmark_gui.jitter_lab.data import key_label
from flowmark_gui.jitter_lab.points import inside_polygon, jitter_colours, region_colours
from flowmark_gui.jitter_lab.state import LabState
from flowmark_gui.jitter_lab.views.lasso import LassoViewBox
from flowmark_gui.views.pg_setup import configure_pyqtgraph

PIXEL_CENTRE = 0.5
A_COLOUR = (255, 170, 0)  # amber
B_COLOUR = (0, 255, 170)  # spring green
POINT_SIZE = 5
AB_SIZE = 4
RING_SIZE = 10
TRACK_MARGIN = 0.25  # of the track's extent, around it when a track opens


def _scatter(size: float, z: int, **style: object) -> pg.ScatterPlotItem:
    item = pg.ScatterPlotItem(size=size, pxMode=True, **style)
    item.setZValue(z)
    return item


class FrameCanvas(QWidget):
    """The frame and its points; a drag lassoes points (Ctrl/Shift adds to the selection)."""

    def __init__(self, state: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_pyqtgraph()
        self.state = state
        self.view = pg.GraphicsView()
        self.view.setBackground("#202124")
        self.box = LassoViewBox()
        self.view.setCentralItem(self.box)
        self.image = pg.ImageItem()
        self.image.setZValue(0)
        self.box.addItem(self.image)
        self.points = _scatter(POINT_SIZE, 10, pen=None)
        self.rings = _scatter(RING_SIZE, 11, pen=pg.mkPen("w", width=1.2), brush=None)
        self.layer_a = _scatter(AB_SIZE, 12, pen=None, brush=pg.mkBrush(*A_COLOUR))
        self.layer_b = _scatter(AB_SIZE, 13, pen=None, brush=pg.mkBrush(*B_COLOUR))
        for item in (self.points, self.rings, self.layer_a, self.layer_b):
            self.box.addItem(item)
        self.caption = QLabel("")
        self.caption.setStyleSheet("color: #9aa0a6")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.shown_index: int | None = None  # the frame whose picture is on screen
        self._brushes: list[object] = []
        self._shape: tuple[int, int] | None = None
        self.box.lassoed.connect(self._on_lasso)
        state.data_changed.connect(self._on_data)
        state.colouring_changed.connect(self._recolour)
        state.jitter_changed.connect(self._recolour)
        state.index_changed.connect(self.draw_points)
        state.selection_changed.connect(lambda: self.draw_points(state.index))
        state.ab_changed.connect(lambda: self.draw_points(state.index))

    # -- content ---------------------------------------------------------------------------
    def show_frame(self, index: int, frame: np.ndarray) -> None:
        """Put the decoded frame `index` on screen (a late frame for another index is dropped)."""
        if index != self.state.index:
            return
        self.image.setImage(frame, autoLevels=False, levels=(0, 255))
        shape = (int(frame.shape[0]), int(frame.shape[1]))
        if shape != self._shape:
            self._shape = shape
            self.show_track_area()
        self.shown_index = index

    def show_track_area(self) -> None:
        """Zoom to where the track's points go (with a margin), within the frame."""
        data, shape = self.state.data, self._shape
        if shape is None:
            return
        height, width = shape
        left, top, right, bottom = 0.0, 0.0, float(width), float(height)
        if data is not None and np.isfinite(data.raw).any():
            low = np.nanmin(data.raw, axis=(0, 1))
            high = np.nanmax(data.raw, axis=(0, 1))
            margin = TRACK_MARGIN * max(high - low)
            left, top = max(left, low[0] - margin), max(top, low[1] - margin)
            right, bottom = min(right, high[0] + margin), min(bottom, high[1] + margin)
        self.box.setRange(xRange=(left, right), yRange=(top, bottom), padding=0.01)

    def colours(self) -> np.ndarray:
        """(K, 3) the points' colours under the current colouring."""
        data = self.state.data
        if data is None:
            return np.zeros((0, 3), dtype=np.uint8)
        if self.state.colouring == "acceleration":
            return jitter_colours(data.acceleration)[0]
        if self.state.colouring == "jitter":
            return jitter_colours(self.state.shakiness)[0]
        return region_colours(data.track.num_points, data.track.groups)

    def _on_data(self) -> None:
        self._shape = None
        self.image.clear()
        self.shown_index = None
        self._recolour()

    def _recolour(self) -> None:
        self._brushes = [pg.mkBrush(*rgb) for rgb in self.colours().tolist()]
        self.draw_points(self.state.index)

    def draw_points(self, index: int) -> None:
        """The points of frame `index`: raw (coloured), the selection ringed, A and B."""
        data, state = self.state.data, self.state
        raw = None if data is None else data.points_at(index)
        if data is None or raw is None:
            for item in (self.points, self.rings, self.layer_a, self.layer_b):
                item.clear()
            self.caption.setText("" if data is None else f"frame {index}: outside the track")
            return
        shown = raw + PIXEL_CENTRE
        self.points.setData(pos=shown, brush=self._brushes)
        sel = np.asarray(state.selection, dtype=np.int64)
        self.rings.setData(pos=shown[sel] if sel.size else np.zeros((0, 2)))
        for item, key in ((self.layer_a, state.a), (self.layer_b, state.b)):
            result = state.results.get(key) if key is not None else None
            values = None if result is None else data.points_at(index, result.dense)
            if values is None:
                item.clear()
            else:  # the selection's points (all without one): the colours stay readable
                item.setData(pos=(values[sel] if sel.size else values) + PIXEL_CENTRE)
        found = int(np.isfinite(raw).all(axis=1).sum())
        self.caption.setText(
            f"frame {index} · {found} of {len(raw)} points · {len(state.selection)} selected "
            f"(drag to lasso, Ctrl adds){self._legend()}"
        )

    def _legend(self) -> str:
        state = self.state
        parts = []
        if state.colouring != "region" and state.data is not None:
            accel = state.colouring == "acceleration" or state.jitter is None
            values = state.data.acceleration if accel else state.jitter
            top = jitter_colours(values)[1]  # type: ignore[arg-type]
            what = "raw acceleration" if accel else "raw jitter"
            unit = "px/frame²" if accel else "px"
            wait = " (jitter still being measured)" if state.colouring == "jitter" and accel else ""
            parts.append(f"colour: {what}, blue 0 → red ≥ {top:.2f} {unit}{wait}")
        for name, key in (("amber", state.a), ("green", state.b)):
            if key is not None:
                parts.append(f"{name}: {key_label(key)}")
        return " · " + " · ".join(parts) if parts else ""

    def _on_lasso(self, polygon: np.ndarray, additive: bool) -> None:
        raw = None if self.state.data is None else self.state.data.points_at(self.state.index)
        if raw is None:
            return
        hit = np.flatnonzero(inside_polygon(raw + PIXEL_CENTRE, polygon)).tolist()
        chosen = [*self.state.selection, *hit] if additive else hit
        self.state.set_selection(chosen)

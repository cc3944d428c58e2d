"""x(t) and y(t) of the selected points: raw (thin, region colour) and filters A and B
(two colours). Long tracks stay fast: each curve is clipped to the view and downsampled
(peak) to the plot's width; more than `MAX_CURVES` selected points show the shakiest."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from flowmark_gui.jitter_lab.data import key_label
from flowmark_gui.jitter_lab.points import plotted_points, region_colours
from flowmark_gui.jitter_lab.state import LabState
from flowmark_gui.jitter_lab.views.canvas import A_COLOUR, B_COLOUR
from flowmark_gui.views.pg_setup import configure_pyqtgraph

MAX_CURVES = 12
RAW_ALPHA = 230
WINDOW = 240  # frames shown at first around the current one
CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class TrajectoryView(QWidget):
    """Two plots sharing the frame axis, a cursor at the shown frame; a click scrubs."""

    def __init__(self, state: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_pyqtgraph()
        self.state = state
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground("#202124")
        self.plot_x = self.widget.addPlot(row=0, col=0)
        self.plot_y = self.widget.addPlot(row=1, col=0)
        self.plot_y.setXLink(self.plot_x)
        self.plot_y.invertY(True)  # image rows grow downwards
        self.plot_y.setLabel("bottom", "frame")
        self.cursors: list[pg.InfiniteLine] = []
        for plot, axis in ((self.plot_x, "x"), (self.plot_y, "y")):
            plot.setLabel("left", f"{axis} (px)")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=True, y=False)  # wheel/drag zoom and pan in time
            plot.setClipToView(True)  # long tracks: only the visible part,
            plot.setDownsampling(auto=True, mode="peak")  # at most ~the plot's width
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)
                plot.getAxis(side).setCacheMode(CACHE)
            cursor = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen("w", width=1))
            cursor.setZValue(50)
            plot.addItem(cursor)
            self.cursors.append(cursor)
        self.plot_x.getAxis("bottom").setStyle(showValues=False)
        self.hint = QLabel("")
        self.hint.setStyleSheet("color: #9aa0a6")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.hint)
        #: role ("raw", "a", "b") -> point -> (x curve, y curve)
        self.curves: dict[str, dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]]] = {}
        self.widget.scene().sigMouseClicked.connect(self._on_click)
        state.data_changed.connect(self.refresh)
        state.selection_changed.connect(self.refresh)
        state.ab_changed.connect(self.refresh)
        state.jitter_changed.connect(self.refresh)
        state.index_changed.connect(self._move_cursor)
        self.refresh()

    def plotted(self) -> list[int]:
        data = self.state.data
        return (
            []
            if data is None
            else plotted_points(self.state.selection, self.state.shakiness, MAX_CURVES)
        )

    def refresh(self) -> None:
        """Redraw the curves of the selection, raw and A/B."""
        for plot in (self.plot_x, self.plot_y):
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
        self.curves = {}
        data, state = self.state.data, self.state
        if data is None:
            self.hint.setText("open a video and a track (File menu)")
            return
        points = self.plotted()
        if not points:
            self.hint.setText("select points: a region in the list, or drag a lasso on the frame")
            return
        t = np.arange(len(data.raw)) + data.first
        colours = region_colours(data.track.num_points, data.track.groups)
        layers: list[tuple[str, np.ndarray, object]] = []
        shown_ab = [(r, k) for r, k in (("a", state.a), ("b", state.b)) if k is not None]
        for role, key in shown_ab:  # filters under the raw line, which stays visible
            colour = A_COLOUR if role == "a" else B_COLOUR
            for k in points:
                layers.append((role, state.results[key].dense, (k, pg.mkPen(*colour, width=2.4))))
        for k in points:
            layers.append(("raw", data.raw, (k, pg.mkPen(*colours[k], RAW_ALPHA, width=1))))
        for role, values, (k, pen) in layers:  # type: ignore[misc]
            pair = tuple(self._curve(plot, t, values[:, k, axis], pen)
                         for axis, plot in enumerate((self.plot_x, self.plot_y)))  # fmt: skip
            self.curves.setdefault(role, {})[k] = pair  # type: ignore[assignment]
        half = WINDOW // 2  # jitter shows over a few seconds; the wheel zooms out
        start = min(max(state.index - half, int(t[0])), max(int(t[-1]) - WINDOW, int(t[0])))
        self.plot_x.setXRange(start, min(start + WINDOW, int(t[-1])), padding=0.01)
        for plot in (self.plot_x, self.plot_y):
            plot.setAutoVisible(y=True)  # the y range of the frames in view
            plot.enableAutoRange(axis="y")
        self._move_cursor(state.index)
        self.hint.setText(self._describe(points, shown_ab))

    def _curve(
        self, plot: pg.PlotItem, t: np.ndarray, v: np.ndarray, pen: object
    ) -> pg.PlotDataItem:
        item = pg.PlotDataItem(t, v, pen=pen, connect="finite")
        plot.addItem(item)  # the plot's clip-to-view and downsampling apply
        return item

    def _describe(self, points: list[int], shown_ab: list) -> str:  # type: ignore[type-arg]
        selected = len(self.state.selection)
        which = (
            f"{len(points)} points"
            if len(points) == selected
            else (f"the {len(points)} shakiest of {selected} selected points")
        )
        names = ["thin: raw (region colour)"]
        names += [f"{'amber' if r == 'a' else 'green'}: {key_label(k)}" for r, k in shown_ab]
        return f"{which}; {', '.join(names)}; wheel: zoom time, drag: pan"

    def _move_cursor(self, index: int) -> None:
        """The cursor at `index`; the time window follows when the frame leaves it."""
        for cursor in self.cursors:
            cursor.setValue(index)
        if not self.curves:
            return
        left, right = self.plot_x.viewRange()[0]
        if not left <= index <= right:
            half = (right - left) / 2
            self.plot_x.setXRange(index - half, index + half, padding=0)

    def _on_click(self, event: object) -> None:
        """A click on either plot shows that frame."""
        if self.state.data is None:
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        for plot in (self.plot_x, self.plot_y):
            if plot.vb.sceneBoundingRect().contains(pos):
                self.state.set_index(round(plot.vb.mapSceneToView(pos).x()))
                return

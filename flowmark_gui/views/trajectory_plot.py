"""x(t) and y(t) of the selected keypoints, raw (faint points) against stabilised (a line),
with a legend and a draggable cursor line that scrubs the timeline."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from flowmark_core.drawing import keypoint_colour
from flowmark_gui.state.session import Session
from flowmark_gui.views.pg_setup import configure_pyqtgraph

CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
RAW_ALPHA = 120
EMPTY_RANGE = (0.0, 100.0)  # the frame axis before a video is tracked
LEGEND_HEIGHT = 22


class TrajectoryPlot(QWidget):
    """Two stacked plots sharing the time axis; all keypoints when none is selected."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_pyqtgraph()
        self.session = session
        self.hint = QLabel("")
        self.hint.setStyleSheet("color: #9aa0a6")
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground("#202124")
        self.plot_x = self.widget.addPlot(row=0, col=0)
        self.plot_y = self.widget.addPlot(row=1, col=0)
        self.plot_y.setXLink(self.plot_x)
        self.plot_x.getAxis("bottom").setStyle(showValues=False)  # shared with the plot below
        # The legend sits in its own row under the plots, never over the curves.
        self.legend = pg.LegendItem(labelTextSize="8pt", colCount=2)
        self.widget.addItem(self.legend, row=2, col=0)
        self.widget.ci.layout.setRowFixedHeight(2, LEGEND_HEIGHT)
        self.legend_raw = pg.PlotDataItem(
            pen=None, symbol="o", symbolSize=4, symbolPen=None, symbolBrush=(220, 220, 220)
        )
        self.legend_stable = pg.PlotDataItem(pen=pg.mkPen((220, 220, 220), width=2.2))
        self.cursors: list[pg.InfiniteLine] = []
        for plot, axis in ((self.plot_x, "x"), (self.plot_y, "y")):
            plot.setLabel("left", f"{axis} (px)")
            for side in ("left", "bottom"):  # moving the cursor must not re-render the axes
                plot.getAxis(side).setCacheMode(CACHE)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMenuEnabled(False)
            # Fixed ranges: a drag that misses the thin cursor must not pan the plot; a
            # click anywhere moves the cursor there instead (`_on_click`).
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            for side in ("left", "bottom"):  # "frame (x0.001)" before a video: never
                plot.getAxis(side).enableAutoSIPrefix(False)
            plot.setXRange(*EMPTY_RANGE, padding=0)
            cursor = pg.InfiniteLine(pos=0, angle=90, movable=True, pen=pg.mkPen("w", width=1.5))
            cursor.setHoverPen(pg.mkPen("#ffd54f", width=3))
            cursor.setZValue(50)
            cursor.sigPositionChanged.connect(self._on_cursor)
            plot.addItem(cursor)
            self.cursors.append(cursor)
        self.widget.scene().sigMouseClicked.connect(self._on_click)
        self.plot_y.setLabel("bottom", "frame")
        self.plot_y.invertY(True)  # image rows grow downwards; so does the curve
        self.raw_curves: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.stable_curves: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.hint)
        session.track_changed.connect(self.refresh)
        session.selection_changed.connect(self.refresh)
        session.index_changed.connect(self._move_cursor)
        session.options_changed.connect(self._show_pending)
        self.refresh()

    def plotted_keypoints(self) -> list[int]:
        if self.session.track is None:
            return []
        count = self.session.track.track.raw.shape[1]
        chosen = [k for k in self.session.selection if k < count]
        return chosen or list(range(count))

    def refresh(self) -> None:
        """Redraw the curves from the session's track and selection."""
        for plot in (self.plot_x, self.plot_y):
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
        self.raw_curves.clear()
        self.stable_curves.clear()
        self.legend.clear()
        info = self.session.track
        if info is None:
            self.hint.setText("open a driving video to see keypoint trajectories")
            for plot in (self.plot_x, self.plot_y):
                plot.setXRange(*EMPTY_RANGE, padding=0)
                plot.setYRange(0.0, float(self.session.image_size), padding=0)
            return
        track = info.track
        t = np.arange(track.raw.shape[0])
        keypoints = self.plotted_keypoints()
        stabilized = not np.array_equal(track.raw, track.stable)
        for k in keypoints:
            colour = keypoint_colour(k)
            # raw: faint points (a line when there is nothing else); stabilised: a line
            raw_style: dict[str, object] = (
                {
                    "pen": None,
                    "symbol": "o",
                    "symbolSize": 4,
                    "symbolPen": None,
                    "symbolBrush": pg.mkBrush(*colour, RAW_ALPHA),
                }
                if stabilized
                else {"pen": pg.mkPen(*colour, width=2)}
            )
            stable_pen = pg.mkPen(*colour, width=2.2)
            raws, stables = [], []
            for axis, plot in enumerate((self.plot_x, self.plot_y)):
                raws.append(plot.plot(t, track.raw[:, k, axis], **raw_style))
                stables.append(plot.plot(t, track.stable[:, k, axis], pen=stable_pen))
                stables[-1].setVisible(stabilized)
                for item in (raws[-1], stables[-1]):
                    item.curve.setCacheMode(CACHE)
            self.raw_curves[k] = (raws[0], raws[1])
            self.stable_curves[k] = (stables[0], stables[1])
        which = "selected keypoints" if self.session.selection else "all keypoints (click one)"
        legend = f"{which}; points: raw, lines: {info.options.stabilizer}"
        self.hint.setText(legend if stabilized else f"{which}; raw (no stabilisation)")
        if stabilized:
            self.legend.addItem(self.legend_raw, "raw")
            self.legend.addItem(self.legend_stable, f"stabilised ({info.options.stabilizer})")
        else:
            self.legend.addItem(self.legend_stable, "raw (no stabilisation)")
        self.plot_x.setXRange(0, max(len(t) - 1, 1), padding=0.01)
        for axis, plot in enumerate((self.plot_x, self.plot_y)):
            values = np.concatenate(
                [track.raw[:, keypoints, axis], track.stable[:, keypoints, axis]]
            )
            # a fixed range: auto-ranging on every cursor move would redraw the whole plot
            plot.setYRange(float(values.min()), float(values.max()), padding=0.08)
        self._move_cursor(self.session.index)
        self._show_pending()

    def _show_pending(self) -> None:
        """While a re-track runs, the curves are the previous track's: say so."""
        info = self.session.track
        if info is None:
            return
        base = self.hint.text().split(" — ")[0]
        wanted = self.session.options
        pending = wanted.stabilizer != info.options.stabilizer or (
            info.options.needs_retrack(wanted)
        )
        self.hint.setText(f"{base} — re-tracking with {wanted.stabilizer}…" if pending else base)

    def _move_cursor(self, index: int) -> None:
        for cursor in self.cursors:
            if abs(cursor.value() - index) >= 0.5:
                cursor.blockSignals(True)
                cursor.setValue(index)
                cursor.blockSignals(False)

    def _on_click(self, event: object) -> None:
        """A click on either plot puts the cursor (and the timeline) at that frame."""
        if self.session.length == 0:
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        for plot in (self.plot_x, self.plot_y):
            if plot.vb.sceneBoundingRect().contains(pos):
                self.session.set_index(round(plot.vb.mapSceneToView(pos).x()))
                return

    def _on_cursor(self, cursor: pg.InfiniteLine) -> None:
        index = round(cursor.value())
        for other in self.cursors:
            if other is not cursor:
                other.blockSignals(True)
                other.setValue(cursor.value())
                other.blockSignals(False)
        if index != self.session.index:
            self.session.set_index(index)

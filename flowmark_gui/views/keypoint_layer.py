"""Numbered keypoints (one colour each), raw-keypoint ghosts and Jacobian axes on a pane;
clicking a keypoint reports it so it can be selected everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen

from flowmark_core.drawing import keypoint_colour
from flowmark_gui.render.overlays import MAX_AXIS_FRACTION, jacobian_segments
from flowmark_gui.state.values import OverlayOptions
from flowmark_gui.views.graphics_items import SegmentsItem

DOT_SIZE = 10
SELECTED_SIZE = 15
RAW_SIZE = 11
LABEL_GAP_PX = 14  # labels closer than this (screen px) to a shown one are left out


def labelled(points: np.ndarray, selection: Sequence[int], min_gap: float) -> set[int]:
    """Keypoints whose number is drawn: the selected ones when there is a selection, else
    every keypoint whose label would not sit on top of an earlier one (the dot colours
    still tell them apart; selecting shows the number).

    Shape:
        points: (K, 2) in picture pixels; `min_gap` in the same unit.
    """
    if selection:
        return {k for k in selection if 0 <= k < len(points)}
    kept: list[int] = []
    for k, point in enumerate(np.asarray(points, np.float64)):
        if all(np.hypot(*(point - points[j])) >= min_gap for j in kept):
            kept.append(k)
    return set(kept)


class KeypointLayer(QObject):
    """The keypoint items of one ViewBox."""

    clicked = Signal(int, bool)  # keypoint, additive (Ctrl / Shift held)

    def __init__(self, box: pg.ViewBox) -> None:
        super().__init__()
        self.jacobians = SegmentsItem()
        # Raw keypoints: a large × over the dot (under it, it was invisible), not clickable.
        self.raw = pg.ScatterPlotItem(pxMode=True, symbol="x", size=RAW_SIZE)
        self.raw.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.dots = pg.ScatterPlotItem(pxMode=True, hoverable=True)
        self.dots.sigClicked.connect(self._on_click)
        self._labels: list[pg.TextItem] = []
        self._styles: dict[tuple[int, bool], tuple[QBrush, QPen]] = {}
        self._raw_styles: dict[int, tuple[QBrush, QPen]] = {}
        self._box = box
        self._dots_shown = True
        for item, z in ((self.jacobians, 20), (self.dots, 21), (self.raw, 22)):
            item.setZValue(z)
            box.addItem(item)

    def _label(self, k: int) -> pg.TextItem:
        while len(self._labels) <= k:
            n = len(self._labels)
            text = pg.TextItem(str(n), color=QColor(*keypoint_colour(n)), anchor=(-0.15, 1.05))
            text.setZValue(23)
            self._box.addItem(text)
            self._labels.append(text)
        return self._labels[k]

    def _style(self, k: int, chosen: bool) -> tuple[QBrush, QPen]:
        """Brush and pen of a dot, made once: pyqtgraph caches symbols by pen/brush object,
        so fresh objects every frame would re-render (and pile up) symbols."""
        key = (k, chosen)
        if key not in self._styles:
            pen = pg.mkPen("w" if chosen else "k", width=2.5 if chosen else 1)
            self._styles[key] = (pg.mkBrush(*keypoint_colour(k)), pen)
        return self._styles[key]

    def _raw_style(self, k: int) -> tuple[QBrush, QPen]:
        """The keypoint's colour outlined in black: seen on its own dot and off it."""
        if k not in self._raw_styles:
            self._raw_styles[k] = (pg.mkBrush(*keypoint_colour(k)), pg.mkPen("k", width=1))
        return self._raw_styles[k]

    def clear(self) -> None:
        self._hide_dots()
        self.jacobians.clear()

    def _hide_dots(self) -> None:
        """Remove the dots, ghosts and numbers; the whole pane is repainted once (pixel-
        sized symbols reach past the bounds Qt repaints, leaving cut-off dots behind)."""
        if not self._dots_shown:
            return
        self._dots_shown = False
        self.dots.clear()
        self.raw.clear()
        for label in self._labels:
            label.hide()
        self._box.update()

    def update(
        self,
        points: np.ndarray | None,
        raw: np.ndarray | None,
        jacobians: np.ndarray | None,
        overlays: OverlayOptions,
        selection: Sequence[int],
        scale: float,
        image_side: float,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        """Draw keypoints (K, 2) px of the model frame, scaled by `scale` to the image and
        moved by `offset` (where the model frame sits in the picture)."""
        if points is None:
            self.clear()
            return
        shift = np.asarray(offset, np.float64)
        pts = np.asarray(points, np.float64) * scale + shift
        self._draw_jacobians(pts, jacobians, overlays, image_side)
        if not overlays.keypoints:  # the axes (J) are drawn without the dots (K)
            self._hide_dots()
            return
        self._dots_shown = True
        count = len(pts)
        styles = [self._style(k, k in selection) for k in range(count)]
        self.dots.setData(
            pos=pts,
            data=list(range(count)),
            size=[SELECTED_SIZE if k in selection else DOT_SIZE for k in range(count)],
            brush=[brush for brush, _pen in styles],
            pen=[pen for _brush, pen in styles],
        )
        shown = labelled(pts, selection, self._pixel_size() * LABEL_GAP_PX)
        for k, (x, y) in enumerate(pts):
            label = self._label(k)
            label.setPos(float(x), float(y))
            label.setVisible(k in shown)
        for label in self._labels[len(pts) :]:
            label.hide()
        if overlays.raw_keypoints and raw is not None:
            raw_pts = np.asarray(raw, np.float64) * scale + shift
            styles = [self._raw_style(k) for k in range(len(raw_pts))]
            self.raw.setData(
                pos=raw_pts, brush=[b for b, _p in styles], pen=[p for _b, p in styles]
            )
        else:
            self.raw.clear()

    def _draw_jacobians(
        self,
        pts: np.ndarray,
        jacobians: np.ndarray | None,
        overlays: OverlayOptions,
        image_side: float,
    ) -> None:
        """Each keypoint's two local axes (J), from its place in the picture."""
        if overlays.jacobians and jacobians is not None:
            segments = jacobian_segments(
                pts, jacobians, image_side * 0.05, image_side * MAX_AXIS_FRACTION
            ).reshape(-1, 2, 2)
            cols = [keypoint_colour(k) for k in range(len(pts)) for _ in range(2)]
            self.jacobians.set_segments(segments, cols, width=2.0)
        else:
            self.jacobians.clear()

    def _pixel_size(self) -> float:
        """Picture pixels per screen pixel (1 before the view has a size)."""
        try:
            width, height = self._box.viewPixelSize()
        except Exception:  # no view yet
            return 1.0
        size = max(float(width), float(height))
        return size if np.isfinite(size) and size > 0 else 1.0

    def _on_click(self, _item: object, points: Sequence[object], event: object) -> None:
        if not len(points):
            return
        k = int(points[0].data())  # type: ignore[attr-defined]
        modifiers = event.modifiers() if hasattr(event, "modifiers") else Qt.NoModifier  # type: ignore[attr-defined]
        additive = bool(
            modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        )
        self.clicked.emit(k, additive)

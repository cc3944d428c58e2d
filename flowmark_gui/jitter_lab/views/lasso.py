"""A view box where a left-button drag draws a lasso (other buttons pan and zoom as usual)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

LASSO_PEN = (255, 213, 79)


class LassoViewBox(pg.ViewBox):
    """Emits `lassoed(polygon, additive)` in view (image) coordinates when a drag ends."""

    lassoed = Signal(object, bool)  # (N, 2) ndarray, Ctrl/Shift held

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self._trail: list[QPointF] = []
        self.path_item = QGraphicsPathItem()
        pen = QPen(pg.mkColor(*LASSO_PEN))
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.path_item.setPen(pen)
        self.path_item.setZValue(100)
        self.addItem(self.path_item, ignoreBounds=True)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 (pyqtgraph override)
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        if ev.isStart():
            self._trail = [self.mapSceneToView(ev.buttonDownScenePos()), point]
        else:
            self._trail.append(point)
        path = QPainterPath(self._trail[0])
        for p in self._trail[1:]:
            path.lineTo(p)
        self.path_item.setPath(path)
        if ev.isFinish():
            polygon = np.array([[p.x(), p.y()] for p in self._trail])
            modifiers = ev.modifiers()
            additive = bool(
                modifiers
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
            )
            self._trail = []
            self.path_item.setPath(QPainterPath())
            self.lassoed.emit(polygon, additive)

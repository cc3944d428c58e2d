"""Small pyqtgraph items: many coloured line segments (Jacobian axes, motion arrows)
drawn in one paint call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget


def arrow_heads(segments: np.ndarray, length: float, angle_deg: float = 25.0) -> np.ndarray:
    """Two short strokes at the head of each segment, making it an arrow.

    Shape:
        segments: (N, 2, 2) tail/head; output: (2N, 2, 2).
    """
    seg = np.asarray(segments, np.float64).reshape(-1, 2, 2)
    direction = seg[:, 1] - seg[:, 0]
    norm = np.linalg.norm(direction, axis=1, keepdims=True)
    keep = norm[:, 0] > 1e-6
    unit = np.zeros_like(direction)
    unit[keep] = direction[keep] / norm[keep]
    heads = []
    for sign in (1.0, -1.0):
        a = np.deg2rad(180.0 - angle_deg) * sign
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        tip = seg[:, 1] + (unit @ rot.T) * np.minimum(length, norm * 0.5)
        heads.append(np.stack([seg[:, 1], tip], axis=1)[keep])
    return np.concatenate(heads) if heads else np.zeros((0, 2, 2))


class SegmentsItem(pg.GraphicsObject):
    """Line segments in data coordinates, each with its own colour; cosmetic pen widths."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[tuple[QPen, list[QLineF]]] = []
        self._rect = QRectF()

    def set_segments(
        self,
        segments: np.ndarray,
        colours: Sequence[tuple[int, int, int]] | tuple[int, int, int],
        width: float = 1.5,
        alpha: int = 255,
    ) -> None:
        """Replace the segments. One colour for all, or one per segment.

        Shape:
            segments: (N, 2, 2) as [segment, tail/head, xy].
        """
        seg = np.asarray(segments, np.float64).reshape(-1, 2, 2)
        self.prepareGeometryChange()
        per_segment = (
            len(seg) > 0 and len(colours) == len(seg) and not isinstance(colours[0], int | float)
        )
        groups: dict[tuple[int, int, int], list[QLineF]] = {}
        for i, (tail, head) in enumerate(seg):
            colour = tuple(colours[i]) if per_segment else tuple(colours)  # type: ignore[arg-type]
            line = QLineF(float(tail[0]), float(tail[1]), float(head[0]), float(head[1]))
            groups.setdefault(colour, []).append(line)  # type: ignore[arg-type]
        self._lines = []
        for colour, lines in groups.items():
            pen = QPen(QColor(*colour, alpha))
            pen.setWidthF(width)
            pen.setCosmetic(True)
            self._lines.append((pen, lines))
        if len(seg):
            lo, hi = seg.reshape(-1, 2).min(axis=0), seg.reshape(-1, 2).max(axis=0)
            self._rect = QRectF(lo[0], lo[1], max(hi[0] - lo[0], 1e-3), max(hi[1] - lo[1], 1e-3))
        else:
            self._rect = QRectF()
        self.update()

    @property
    def segment_count(self) -> int:
        """How many segments are drawn."""
        return sum(len(lines) for _pen, lines in self._lines)

    def clear(self) -> None:
        self.set_segments(np.zeros((0, 2, 2)), (0, 0, 0))

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        """The segments' extent plus a few screen pixels (the pens are cosmetic: their width
        is in screen pixels, whatever the zoom)."""
        pad_x = pad_y = 2.0
        try:
            px, py = self.pixelSize()
        except Exception:  # not in a view yet
            px = py = 0.0
        if np.isfinite(px) and np.isfinite(py):
            pad_x, pad_y = max(pad_x, 4.0 * abs(px)), max(pad_y, 4.0 * abs(py))
        return self._rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for pen, lines in self._lines:
            painter.setPen(pen)
            painter.drawLines(lines)

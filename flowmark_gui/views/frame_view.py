"""One image pane (Source, Driving, Result or a camera view): a pyqtgraph image with
independently toggled overlays — numbered keypoints, Jacobian axes, heatmaps, motion
arrows, occlusion — plus a ghost image for alignment, and file drops."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from flowmark_gui.render.overlays import (
    PaneLayers,
    heatmap_rgba,
    layer_region,
    motion_segments,
    occlusion_rgba,
)
from flowmark_gui.state.values import OverlayOptions
from flowmark_gui.views.graphics_items import SegmentsItem, arrow_heads
from flowmark_gui.views.keypoint_layer import KeypointLayer
from flowmark_gui.views.pg_setup import configure_pyqtgraph

ARROW_RGB = (255, 255, 255)
OCCLUSION_OPACITY = 0.55
MIN_ARROW_FRACTION = 1 / 150  # shorter motion arrows (of the pane's side) are not drawn


def dropped_paths(event: QDropEvent | QDragEnterEvent) -> list[str]:
    """Local file paths carried by a drag-and-drop event."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class FrameView(QWidget):
    """A titled image pane with overlays."""

    keypoint_clicked = Signal(int, bool)  # keypoint, additive
    files_dropped = Signal(list)  # local paths

    def __init__(self, title: str, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_pyqtgraph()
        self.setObjectName(f"pane-{title.lower()}")
        self.title = QLabel(f"<b>{title}</b>")
        self.caption = QLabel("")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.view = pg.GraphicsView()
        self.view.setBackground("#202124")
        self.view.setAcceptDrops(False)
        self.view.viewport().setAcceptDrops(False)
        self.box = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setCentralItem(self.box)
        self.image = pg.ImageItem()
        self.ghost = pg.ImageItem()
        self.occlusion = pg.ImageItem()
        self.heatmap = pg.ImageItem()
        self.arrows = SegmentsItem()
        for z, item in enumerate((self.image, self.ghost, self.occlusion, self.heatmap)):
            item.setZValue(z)
            self.box.addItem(item)
        self.arrows.setZValue(10)
        self.box.addItem(self.arrows)
        self.keypoints = KeypointLayer(self.box)
        self.keypoints.clicked.connect(self.keypoint_clicked)
        self.placeholder = pg.TextItem(hint, color="#9aa0a6", anchor=(0.5, 0.5))
        self.box.addItem(self.placeholder)
        self.placeholder.setPos(0.5, 0.5)
        self.box.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)
        self._shape: tuple[int, int] | None = None
        self._layers = PaneLayers()
        self._image_size = 1
        self._overlays = OverlayOptions()
        self._selection: tuple[int, ...] = ()
        self._ghost: tuple[np.ndarray | None, float] = (None, 0.0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        header = QWidget()
        row = QHBoxLayout(header)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.title)
        row.addStretch(1)
        row.addWidget(self.caption)
        layout.addWidget(header)
        layout.addWidget(self.view, 1)
        self.setAcceptDrops(True)
        self.setMinimumSize(160, 160)

    # -- content ---------------------------------------------------------------------------
    @property
    def has_image(self) -> bool:
        return self._shape is not None

    def clear(self, hint: str | None = None) -> None:
        """Show nothing but the hint."""
        self.image.clear()
        self.heatmap.clear()
        self.occlusion.clear()
        self.ghost.clear()
        self.arrows.clear()
        self.keypoints.clear()
        self._shape = None
        self._layers = PaneLayers()
        if hint is not None:
            self.placeholder.setText(hint)
        self.placeholder.show()
        self.box.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)

    def set_frame(self, image: np.ndarray, layers: PaneLayers, image_size: int) -> None:
        """Show `image` with overlay data measured in the model's `image_size` frame.

        Shape:
            image: (H, W, 3) uint8.
        """
        shape = (int(image.shape[0]), int(image.shape[1]))
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        if shape != self._shape:
            self._shape = shape
            self.placeholder.hide()
            self.box.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)
            self._draw_ghost()
        self._layers, self._image_size = layers, max(int(image_size), 2)
        self._draw_overlays()

    def set_overlays(self, overlays: OverlayOptions) -> None:
        self._overlays = overlays
        self._draw_overlays()

    def set_selection(self, selection: Sequence[int]) -> None:
        self._selection = tuple(selection)
        self._draw_overlays()

    def set_ghost(self, image: np.ndarray | None, opacity: float) -> None:
        """Overlay `image` (stretched over the pane's picture) at `opacity` (alignment aid)."""
        self._ghost = (image, float(opacity))
        self._draw_ghost()

    def _draw_ghost(self) -> None:
        image, opacity = self._ghost
        if image is None or opacity <= 0 or self._shape is None:
            self.ghost.clear()
            return
        self.ghost.setImage(image, autoLevels=False, levels=(0, 255))
        self.ghost.setRect(0, 0, self._shape[1], self._shape[0])
        self.ghost.setOpacity(opacity)

    # -- overlays --------------------------------------------------------------------------
    def _draw_overlays(self) -> None:
        if self._shape is None:
            return
        layers, overlays = self._layers, self._overlays
        height, width = self._shape
        region = layer_region(layers, height, width)
        if region is None:  # nothing can be placed on this picture
            layers, region = PaneLayers(), (0.0, 0.0, float(width))
        left, top, side = region
        pixels = max(round(side), 2)
        scale = (side - 1) / (self._image_size - 1)
        if overlays.heatmaps and layers.heatmaps is not None:
            only = self._selection if overlays.heatmap_selected_only else None
            rgba = heatmap_rgba(layers.heatmaps, pixels, overlays.heatmap_opacity, only)
            self.heatmap.setImage(rgba, autoLevels=False, levels=(0, 255))
            self.heatmap.setRect(left, top, side, side)
        else:
            self.heatmap.clear()
        if overlays.occlusion and layers.occlusion is not None:
            rgba = occlusion_rgba(layers.occlusion, pixels, OCCLUSION_OPACITY)
            self.occlusion.setImage(rgba, autoLevels=False, levels=(0, 255))
            self.occlusion.setRect(left, top, side, side)
        else:
            self.occlusion.clear()
        if overlays.motion and layers.motion is not None:
            segments = motion_segments(layers.motion, pixels) * (side / pixels)
            segments = segments + np.array([left, top])
            lengths = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1)
            segments = segments[lengths >= side * MIN_ARROW_FRACTION]  # no still-face dots
            heads = arrow_heads(segments, side / 60.0)
            self.arrows.set_segments(np.concatenate([segments, heads]), ARROW_RGB, 1.2, 220)
        else:
            self.arrows.clear()
        self.keypoints.update(
            layers.keypoints,
            layers.raw_keypoints,
            layers.jacobians,
            overlays,
            self._selection,
            scale,
            side,
            (left, top),
        )

    # -- drops -----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            event.ignore()

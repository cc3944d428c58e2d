"""Pictures for the panes at display resolution, with where the model's square sits in them.

The model sees an S x S square cut from each picture (`flowmark_core.animate.framing`); the
panes show the picture itself, capped at `DISPLAY_SIDE`, and place the overlays (measured in
the model's S px) in that square's region. Computed on the engine worker, never on the UI
thread. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import cv2
import numpy as np

from flowmark_core.animate import FrameResult
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.framing import centre_square
from flowmark_core.animate.full_resolution import MAX_OUTPUT_SIDE, output_shape

DISPLAY_SIDE = MAX_OUTPUT_SIDE
"""Longest side of a pane's picture (the full-resolution Result is capped the same way)."""

ViewRegion = tuple[float, float, float]  # left, top, side in pixels of the shown picture


@dataclass(frozen=True)
class ShownFrame(FrameResult):
    """A rendered frame with the driving frame as shown (display resolution).

    Shape:
        driving_view: (h, w, 3) uint8, or None when the panes show the model's view;
        driving_region: where the model's square sits in `driving_view`.
    """

    driving_view: np.ndarray | None = None
    driving_region: ViewRegion | None = None

    @classmethod
    def of(
        cls, result: FrameResult, view: np.ndarray | None, region: ViewRegion | None
    ) -> ShownFrame:
        """`result` with the display picture of its driving frame."""
        values = {f.name: getattr(result, f.name) for f in fields(FrameResult)}
        return cls(**values, driving_view=view, driving_region=region)


def display_view(
    picture: np.ndarray, box: CropBox | None, max_side: int = DISPLAY_SIDE
) -> tuple[np.ndarray, ViewRegion]:
    """`picture` scaled down to at most `max_side` px and the model square's region in it.

    Args:
        picture: the frame or image as loaded, RGB uint8.
        box: the square the model sees, in `picture` px (None: its centred square).

    Shape:
        picture: (H, W, 3); output: (h, w, 3) uint8 with max(h, w) <= max_side.
    """
    height, width = picture.shape[:2]
    h, w = output_shape(height, width, max_side)
    shown = picture
    if (h, w) != (height, width):
        shown = cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA)
    square = box if box is not None else centre_square(picture)
    scale = w / width
    return shown, (square.x * scale, square.y * scale, square.size * scale)

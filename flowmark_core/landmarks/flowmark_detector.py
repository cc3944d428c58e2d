"""flowmark's own unsupervised keypoints as a landmark detector (through `Animator.track`).

The model sees each frame cut to one face box (the clip's median Haar box, as `animate`
does; the centred square when no face is found) and resized to its input size; the raw
(unstabilised) keypoints are mapped back to the video's pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from flowmark_core.landmarks.layouts import indexed_names

if TYPE_CHECKING:
    from flowmark_core.animate import Animator
    from flowmark_core.animate.face_crop import CropBox


def to_video_pixels(
    points: np.ndarray, model_size: int, frame_size: tuple[int, int], box: CropBox | None
) -> np.ndarray:
    """Model-input pixels to video pixels (pixel centres mapped as `cv2.resize` maps them).

    The model saw the square `box` of each frame, or without one the frame's largest
    centred square (`flowmark_core.animate.framing`: frames are never stretched).

    Shape:
        points: (..., 2) px of the `model_size` square; output: (..., 2) px of the video.
    """
    if box is None:
        from flowmark_core.animate.face_crop import CropBox

        w, h = frame_size
        side = min(w, h)
        box = CropBox((w - side) / 2, (h - side) / 2, side)
    x, y, side = box.as_int()
    return (points + 0.5) * (side / model_size) - 0.5 + np.array([x, y], dtype=np.float64)


def track_keypoints(
    animator: Animator,
    frames: Iterable[np.ndarray],
    frame_size: tuple[int, int],
    fps: float,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Raw keypoints of every frame in video pixels, and their names.

    Shape:
        output: (T, K, 2).
    """
    track = animator.track(frames, fps=fps, progress=progress)
    points = to_video_pixels(
        track.raw.astype(np.float64), animator.size, frame_size, track.crop_box
    )
    return points, indexed_names("kp_", points.shape[1])

"""The first pass over a video: shot cuts, the largest face and its sharpness per frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from flowmark_core.data.prepare.faces import FaceBoxDetector, face_sharpness
from flowmark_core.data.prepare.shots import ShotCutDetector, shot_ranges
from flowmark_core.io.video_base import VideoReader


@dataclass(frozen=True)
class VideoScan:
    """Per-frame numbers of one video (nothing of its pixels).

    Shape:
        boxes: (T, 4) largest face (left, top, width, height) px, NaN without a face;
        sharpness: (T,), NaN without a face.
    """

    frame_count: int
    frame_size: tuple[int, int]
    fps: float
    shots: list[tuple[int, int]]
    boxes: np.ndarray
    sharpness: np.ndarray


def scan_video(
    reader: VideoReader,
    detector: FaceBoxDetector,
    cuts: ShotCutDetector | None = None,
    on_frame: Callable[[], None] | None = None,
) -> VideoScan:
    """Decode `reader` once, frame by frame: shot cuts, face boxes, face sharpness."""
    cuts = cuts or ShotCutDetector()
    boxes: list[np.ndarray] = []
    sharp: list[float] = []
    size = reader.size
    for frame in reader:
        size = (frame.shape[1], frame.shape[0])
        cuts.push(frame)
        box = detector.largest_face(frame)
        if box is None:
            boxes.append(np.full(4, np.nan))
            sharp.append(np.nan)
        else:
            boxes.append(box)
            sharp.append(face_sharpness(frame, box))
        if on_frame is not None:
            on_frame()
    count = len(boxes)
    return VideoScan(
        frame_count=count,
        frame_size=size,
        fps=float(reader.fps),
        shots=shot_ranges(cuts.cuts, count),
        boxes=np.array(boxes, dtype=np.float64).reshape(count, 4),
        sharpness=np.array(sharp, dtype=np.float64),
    )

"""Run a built-in detector over a video, streaming: frames are read, detected and dropped.

Only the landmarks are kept (478 points x 2 floats per frame for the face mesh, ~3.8 kB), so
memory stays flat however long the video is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.track import DetectorTrack

if TYPE_CHECKING:
    from flowmark_core.animate import Animator
    from flowmark_core.io.video_base import VideoReader

#: Built-in detectors (`flowmark track --detector`).
DETECTORS: tuple[str, ...] = ("mediapipe-face", "mediapipe-pose", "mediapipe-hands", "flowmark")
Progress = Callable[[int, int | None], None]


def track_video(
    video: VideoReader,
    detector: str,
    progress: Progress | None = None,
    animator: Animator | None = None,
) -> DetectorTrack:
    """The landmarks `detector` finds in every frame of `video` (NaN where it finds none).

    Args:
        detector: one of `DETECTORS`; "flowmark" needs `animator`.
        progress: called with (frames done, total or None) after each frame.

    Raises:
        InputFileError: the detector found nothing in any frame.
        FlowmarkError: mediapipe is not installed (MediaPipe detectors).
    """
    if detector == "flowmark":
        if animator is None:
            raise ValueError("the flowmark detector needs an Animator")
        from flowmark_core.landmarks.flowmark_detector import track_keypoints

        points, names = track_keypoints(animator, video, video.size, video.fps, progress)
        confidence, groups = None, {}
    else:
        points, confidence, names, groups = _mediapipe(video, detector, progress)
    if not np.isfinite(points).any():
        raise InputFileError(f"{video.path}: {detector} found nothing in any frame")
    count = points.shape[0]
    return DetectorTrack(
        points,
        names=names,
        confidence=confidence,
        groups=groups,
        detector=detector,
        fps=video.fps,
        frame_size=video.size,
        frame_indices=np.arange(count),
        timestamps=np.arange(count) / video.fps,
    )


def _mediapipe(video: VideoReader, detector: str, progress: Progress | None):
    from flowmark_core.landmarks.mediapipe_detector import MediaPipeDetector

    mp = MediaPipeDetector(detector)
    rows: list[np.ndarray] = []
    conf_rows: list[np.ndarray] = []
    missing = np.full((len(mp.names), 2), np.nan, dtype=np.float32)
    try:
        for i, frame in enumerate(video):
            points, conf = mp.detect(frame)
            rows.append(missing if points is None else points.astype(np.float32))
            if mp.has_confidence:
                conf_rows.append(missing[:, 0] if conf is None else conf.astype(np.float32))
            if progress is not None:
                progress(i + 1, video.frame_count)
    finally:
        mp.close()
    if not rows:
        raise InputFileError(f"{video.path}: has no frames")
    points = np.stack(rows).astype(np.float64)
    confidence = np.stack(conf_rows).astype(np.float64) if conf_rows else None
    return points, confidence, mp.names, mp.groups

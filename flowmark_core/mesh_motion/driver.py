"""The driving video's face mesh, frame by frame, stabilised by the optical flow.

MediaPipe's face mesh (478 points with irises: `MediaPipeDetector`) runs on every driving
frame in static-image mode (a detection per frame: its video mode shifts a still face's points
by ~3% of the eye distance from the first frame to the tracked ones, which relative transfer
would carry as motion); the points go through the flow-guided stabiliser ("flow", causal, the
one `flowmark smooth` offers for any detector's landmarks), lips, eyelids and irises with
half the smoothing strength of the rest (they move fast and far). A frame without a face
is given to the stabiliser as missing (it keeps its flow state) and holds the last pose.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.stabilize import make_stabilizer
from flowmark_core.stabilize.track_smoothing import PointScaled, point_strength

MESH_POINTS = 478
DRIVER_STABILIZER = "flow"
REGION_STRENGTH: dict[str, float] = {
    "lips": 0.5,
    "left_eye": 0.5,
    "right_eye": 0.5,
    "left_iris": 0.5,
    "right_iris": 0.5,
}
"""Smoothing strength per mesh group (1 = the stabiliser as set; see `smooth_track`)."""


class DriverMesh:
    """Per-frame MediaPipe face mesh of a driving video, flow-stabilised.

    Args:
        stabilizer: "flow" (default) or "none".
        params: the stabiliser's parameters (`stabilizer_params`).
        region_strength: group name -> smoothing strength (default `REGION_STRENGTH`).

    Raises:
        FlowmarkError: mediapipe is not installed.
    """

    def __init__(
        self,
        stabilizer: str = DRIVER_STABILIZER,
        params: Mapping[str, object] | None = None,
        region_strength: Mapping[str, float] | None = None,
    ) -> None:
        from flowmark_core.landmarks.mediapipe_detector import MediaPipeDetector

        self._detector = MediaPipeDetector("mediapipe-face", static=True)
        layout = mediapipe_layout(MESH_POINTS)
        assert layout is not None
        strengths = REGION_STRENGTH if region_strength is None else region_strength
        self._strength = point_strength(MESH_POINTS, layout[2], strengths)
        self._stabilizer_name = stabilizer
        self._params = dict(params or {})
        self._fps: float | None = None
        self._filter: PointScaled | None = None
        self._last: np.ndarray | None = None

    def reset(self, fps: float | None = None) -> None:
        """Start a new video (its frame rate for the stabiliser; None: the default)."""
        self._fps = fps
        self._filter = None
        self._last = None

    def _stabilizer(self, frame: np.ndarray) -> PointScaled | None:
        if self._stabilizer_name == "none":
            return None
        if self._filter is None:
            built = make_stabilizer(
                self._stabilizer_name, frame.shape[:2], fps=self._fps, **self._params
            )
            if not isinstance(built, PointScaled):
                raise TypeError(f"stabiliser {self._stabilizer_name!r} is not a point filter")
            built.reset()
            self._filter = built
        return self._filter

    def update(self, frame: np.ndarray) -> tuple[np.ndarray | None, bool]:
        """The stabilised mesh of the next frame, and whether a face was found in it.

        Returns the last pose when no face is found (None before the first face).

        Shape:
            frame: (H, W, 3) uint8 RGB; mesh: (478, 2) float64 px in `frame`.
        """
        points, _ = self._detector.detect(frame)
        found = points is not None and len(points) == MESH_POINTS
        values = np.full((MESH_POINTS, 2), np.nan)
        if points is not None and found:
            values = np.asarray(points, np.float64)
        smoother = self._stabilizer(frame)
        if smoother is not None:
            scale = self._strength if found else np.full(MESH_POINTS, np.inf)
            smoother.set_point_scale(scale)
            values = smoother.update(values, None, frame)[0]
        if found and np.all(np.isfinite(values)):
            self._last = np.asarray(values, np.float64)
        return self._last, found

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self._detector.close()

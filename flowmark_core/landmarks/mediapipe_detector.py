"""MediaPipe face mesh (478 points with iris), pose (33) and hands (21), offline.

The models ship inside the `mediapipe==0.10.21` wheel (legacy `solutions` API; pose runs
with `model_complexity=1`, the one model in the wheel). Video mode (`static_image_mode`
False) is used, as people run it on video: the solution tracks from the previous frame's
landmarks and detects again only when it loses the face/body/hand. One face / the first
hand. Imported through `flowmark_core.mediapipe_runtime`, so its native log lines stay off
the terminal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.mediapipe_runtime import import_mediapipe

KINDS: dict[str, int] = {"mediapipe-face": 478, "mediapipe-pose": 33, "mediapipe-hands": 21}


class MediaPipeDetector:
    """One MediaPipe solution run frame after frame on a video.

    Args:
        name: "mediapipe-face", "mediapipe-pose" or "mediapipe-hands".
        min_confidence: detection and tracking confidence thresholds.
        static: detect in every frame (static-image mode) instead of tracking from the
            previous frame's landmarks: slower, but a still face gives the same points in
            every frame (tracking shifts them by ~3% of the eye distance after the first).

    Raises:
        FlowmarkError: mediapipe 0.10.21 is not installed.
    """

    def __init__(self, name: str, min_confidence: float = 0.5, static: bool = False) -> None:
        if name not in KINDS:
            raise ValueError(f"unknown MediaPipe detector {name!r}")
        mp = import_mediapipe()
        self.name = name
        layout = mediapipe_layout(KINDS[name])
        assert layout is not None
        _, self.names, self.groups = layout
        common: dict[str, Any] = {
            "static_image_mode": bool(static),
            "min_detection_confidence": min_confidence,
            "min_tracking_confidence": min_confidence,
        }
        if name == "mediapipe-face":
            self._solution = mp.solutions.face_mesh.FaceMesh(
                max_num_faces=1, refine_landmarks=True, **common
            )
            self._field = "multi_face_landmarks"
        elif name == "mediapipe-pose":
            self._solution = mp.solutions.pose.Pose(model_complexity=1, **common)
            self._field = "pose_landmarks"
        else:
            self._solution = mp.solutions.hands.Hands(max_num_hands=1, **common)
            self._field = "multi_hand_landmarks"

    @property
    def has_confidence(self) -> bool:
        """True when the detector gives a per-point confidence (pose visibility)."""
        return self.name == "mediapipe-pose"

    def detect(self, frame: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(points px, confidence) of one frame; (None, None) when nothing was found.

        Shape:
            frame: (H, W, 3) uint8 RGB; points: (K, 2); confidence: (K,) or None.
        """
        found = getattr(self._solution.process(np.ascontiguousarray(frame)), self._field)
        if not found:
            return None, None
        marks = found.landmark if self._field == "pose_landmarks" else found[0].landmark
        values = np.array([(m.x, m.y, m.visibility) for m in marks], dtype=np.float64)
        h, w = frame.shape[:2]
        points = values[:, :2] * np.array([w, h], dtype=np.float64) - 0.5
        return points, (values[:, 2] if self.has_confidence else None)

    def close(self) -> None:
        """Release the solution's graph."""
        self._solution.close()

"""The largest face of a frame, from MediaPipe's face detector (offline, in the wheel).

Boxes are in the frame's pixels as (left, top, width, height), x = column, y = row, with
(0, 0) the top-left corner of the top-left pixel (MediaPipe's normalised box times the
frame size). A sharpness score of the face (variance of the Laplacian of the face region at
a fixed size) comes with it, to drop blurred shots.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from flowmark_core.metrics.reference_mesh import import_mediapipe

SHARPNESS_SIDE = 96
"""The face region is resized to this side before its sharpness is measured."""


def face_sharpness(frame: np.ndarray, box: np.ndarray) -> float:
    """Variance of the Laplacian of the face region resized to `SHARPNESS_SIDE`.

    Shape:
        frame: (H, W, 3) uint8 RGB; box: (4,) left, top, width, height in pixels.
    """
    h, w = frame.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(np.ceil(box[0] + box[2]))), min(h, int(np.ceil(box[1] + box[3])))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0.0
    gray = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    gray = cv2.resize(gray, (SHARPNESS_SIDE, SHARPNESS_SIDE), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


class FaceBoxDetector:
    """MediaPipe face detection (full-range model: small faces in wide shots too).

    Args:
        min_confidence: detections below this score are ignored.

    Raises:
        FlowmarkError: mediapipe 0.10.21 is not installed.
    """

    def __init__(self, min_confidence: float = 0.5) -> None:
        mp = import_mediapipe()
        self._detector: Any = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=float(min_confidence)
        )

    def close(self) -> None:
        """Release the detector's graph."""
        self._detector.close()

    def __enter__(self) -> FaceBoxDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def largest_face(self, frame: np.ndarray) -> np.ndarray | None:
        """(left, top, width, height) of the largest face in pixels, or None.

        Shape:
            frame: (H, W, 3) uint8 RGB; output: (4,) float64.
        """
        found = self._detector.process(np.ascontiguousarray(frame))
        if not found.detections:
            return None
        h, w = frame.shape[:2]
        best: np.ndarray | None = None
        for detection in found.detections:
            rel = detection.location_data.relative_bounding_box
            box = np.array([rel.xmin * w, rel.ymin * h, rel.width * w, rel.height * h])
            if best is None or box[2] * box[3] > best[2] * best[3]:
                best = box
        return best

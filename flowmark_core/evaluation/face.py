"""AKD / MKR / AED in an evaluation: the dlib backend if installed, detections per frame.

Real frames are detected once and shared by every stabiliser variant of a model; each
variant keeps the detections of its own reconstructions. Metrics are pooled over all frames
of all test videos (the definitions in `flowmark_core.metrics.face_metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flowmark_core.errors import FlowmarkError
from flowmark_core.metrics import DlibFaceBackend, FaceBackend, aed, akd, mkr


def open_face_backend(enabled: bool) -> tuple[FaceBackend | None, str | None]:
    """The dlib backend, or (None, the reason it is not used).

    Args:
        enabled: False skips the face metrics on request.
    """
    if not enabled:
        return None, "face metrics switched off (face_metrics=False / --no-face-metrics)"
    try:
        return DlibFaceBackend(), None
    except FlowmarkError as exc:
        return None, f"AKD/MKR/AED not computed: {exc}"


@dataclass
class FaceDetections:
    """Per-frame dlib landmarks (None = no face) and identity embeddings of one video stream."""

    landmarks: list[np.ndarray | None] = field(default_factory=list)
    embeddings: list[np.ndarray | None] = field(default_factory=list)

    def add(self, backend: FaceBackend, frame: np.ndarray) -> None:
        """Detect the face of one frame (an embedding only where a face was found).

        Shape:
            frame: (H, W, 3) uint8 RGB.
        """
        found = backend.landmarks(frame)
        self.landmarks.append(found)
        self.embeddings.append(None if found is None else backend.embedding(frame))


def face_scores(real: FaceDetections, generated: FaceDetections) -> dict[str, float | int]:
    """AKD (px), MKR, AED and the count of frames with a face in both streams.

    AKD/AED are NaN when no frame has a face in both; MKR is NaN when the real frames have
    no face at all.
    """
    both = sum(r is not None and g is not None for r, g in zip(real.landmarks, generated.landmarks))
    return {
        "akd": akd(real.landmarks, generated.landmarks),
        "mkr": mkr(real.landmarks, generated.landmarks),
        "aed": aed(real.embeddings, generated.embeddings),
        "face_frames": int(both),
    }

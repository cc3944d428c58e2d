"""A face-landmark reference for real footage: MediaPipe's face mesh, run offline.

`mediapipe==0.10.21` ships its face-mesh models inside the wheel (later versions download
them). It is installed by the Makefile with `--no-deps` (its declared dependencies pin
numpy<2 and pull jax; the face mesh needs none of that) plus the `eval` extra's absl-py,
attrs, flatbuffers and protobuf<5. The mesh runs per frame in static-image mode: tracking
mode reuses the previous frame's landmarks and oscillates on a repeated still.

The reference is ~20 named points of the 468-point mesh (eye corners and lids, brows, nose,
mouth corners and lips, chin, cheeks), in pixels of the image given (x = column, y = row,
(0, 0) the centre of the top-left pixel, as in `flowmark_core.geometry`).
"""

from __future__ import annotations

import cv2
import numpy as np

from flowmark_core.errors import FlowmarkError
from flowmark_core.mediapipe_runtime import import_mediapipe

# name -> index in MediaPipe's 468-point canonical face mesh. "right" is the subject's right
# (the image's left for a frontal face).
REFERENCE_POINTS: dict[str, int] = {
    "right_eye_outer": 33,
    "right_eye_inner": 133,
    "left_eye_inner": 362,
    "left_eye_outer": 263,
    "right_eye_upper_lid": 159,
    "right_eye_lower_lid": 145,
    "left_eye_upper_lid": 386,
    "left_eye_lower_lid": 374,
    "right_brow_outer": 70,
    "right_brow_inner": 107,
    "left_brow_inner": 336,
    "left_brow_outer": 300,
    "nose_tip": 1,
    "nose_base": 2,
    "mouth_right": 61,
    "mouth_left": 291,
    "upper_lip_top": 0,
    "lower_lip_bottom": 17,
    "upper_lip_inner": 13,
    "lower_lip_inner": 14,
    "chin": 152,
    "right_cheek": 234,
    "left_cheek": 454,
}
REFERENCE_NAMES: tuple[str, ...] = tuple(REFERENCE_POINTS)
REFERENCE_INDICES = np.array(list(REFERENCE_POINTS.values()), dtype=np.int64)
EYE_OUTER = (REFERENCE_NAMES.index("right_eye_outer"), REFERENCE_NAMES.index("left_eye_outer"))
EYE_POINTS = tuple(i for i, n in enumerate(REFERENCE_NAMES) if "eye" in n)
MOUTH_POINTS = tuple(i for i, n in enumerate(REFERENCE_NAMES) if "mouth" in n or "lip" in n)


def mediapipe_available() -> str | None:
    """None when the reference can run, else why not (for skips and report notes)."""
    try:
        import_mediapipe()
    except FlowmarkError as exc:
        return str(exc)
    return None


def inter_ocular(points: np.ndarray) -> np.ndarray:
    """Distance between the outer eye corners of reference landmarks, px.

    Shape:
        points: (..., L, 2) in `REFERENCE_NAMES` order; output: (...,).
    """
    pts = np.asarray(points, dtype=np.float64)
    return np.linalg.norm(pts[..., EYE_OUTER[0], :] - pts[..., EYE_OUTER[1], :], axis=-1)


class MediaPipeReference:
    """Reference face landmarks from MediaPipe's face mesh (static-image mode, one face).

    Images smaller than `min_side` on their shorter side are upscaled (cubic) before the mesh
    runs; landmarks are mapped back to the input's pixels.

    Args:
        min_side: shorter side (px) the mesh runs at, at least.
        min_confidence: the face detector's confidence threshold.

    Raises:
        FlowmarkError: mediapipe (0.10.21, with the legacy face mesh) is not installed.
    """

    names = REFERENCE_NAMES

    def __init__(self, min_side: int = 256, min_confidence: float = 0.5) -> None:
        mp = import_mediapipe()
        self.min_side = int(min_side)
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True,
            max_num_faces=1,
            refine_landmarks=False,
            min_detection_confidence=float(min_confidence),
        )

    def close(self) -> None:
        """Release the mesh graph."""
        self._mesh.close()

    def __enter__(self) -> MediaPipeReference:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def mesh(self, image: np.ndarray) -> np.ndarray | None:
        """All 468 mesh points (x, y) in the input's pixels, or None when no face is found.

        Shape:
            image: (H, W, 3) uint8 RGB; output: (468, 2) float64.
        """
        rgb = np.asarray(image)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected a uint8 RGB image (H, W, 3), got {rgb.shape} {rgb.dtype}")
        h, w = rgb.shape[:2]
        scale = max(1.0, self.min_side / min(h, w))
        work = rgb
        if scale > 1.0:
            work = cv2.resize(
                rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC
            )
        found = self._mesh.process(np.ascontiguousarray(work))
        if not found.multi_face_landmarks:
            return None
        marks = found.multi_face_landmarks[0].landmark
        wh = np.array([work.shape[1], work.shape[0]], dtype=np.float64)
        # MediaPipe's normalised coordinates run from the image's left/top edge (0) to its
        # right/bottom edge (1); pixel centres sit half a pixel in.
        pts = np.array([(m.x, m.y) for m in marks], dtype=np.float64) * wh
        return pts / scale - 0.5

    def landmarks(self, image: np.ndarray) -> np.ndarray | None:
        """The named reference landmarks (`REFERENCE_NAMES` order), or None without a face.

        Shape:
            image: (H, W, 3) uint8 RGB; output: (L, 2) float64, L = len(REFERENCE_NAMES).
        """
        mesh = self.mesh(image)
        return None if mesh is None else mesh[REFERENCE_INDICES]

    def track(self, frames: list[np.ndarray] | np.ndarray) -> np.ndarray:
        """Reference landmarks of every frame; frames without a face are NaN.

        Shape:
            frames: T x (H, W, 3); output: (T, L, 2).
        """
        out = np.full((len(frames), len(REFERENCE_NAMES), 2), np.nan)
        for t, frame in enumerate(frames):
            found = self.landmarks(frame)
            if found is not None:
                out[t] = found
        return out

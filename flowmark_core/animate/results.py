"""What one animated frame carries, so views can overlay anything without recomputing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.animate.face_crop import CropBox


@dataclass(frozen=True)
class DetectedKeypoints:
    """Keypoints of one image in pixel coordinates of the model-size image.

    Shape:
        value: (K, 2) px (x=col, y=row); jacobian: (K, 2, 2) or None; heatmap: (K, h, w) or None.
    """

    value: np.ndarray
    jacobian: np.ndarray | None
    heatmap: np.ndarray | None


@dataclass(frozen=True)
class FrameResult:
    """One animated frame and everything that produced it.

    Shape:
        output: (H, W, 3) uint8 (model size, or the full source size when face crop pastes
        back); driving: (S, S, 3) uint8, the driving frame as the model saw it;
        kp_raw / kp_stable: (K, 2) px in the driving image; jacobian_*: (K, 2, 2) or None;
        kp_rendered: (K, 2) px in the source image (after motion transfer);
        heatmaps: (K, h, w) float32; motion: (h, w, 2) normalised backward sampling grid;
        occlusion: (h, w) float32 in [0, 1]. The last three are None unless the pipeline
        was asked for them (`Animator(outputs=...)`); occlusion is also None for a model
        without an occlusion map.
    """

    index: int
    output: np.ndarray
    driving: np.ndarray
    kp_raw: np.ndarray
    kp_stable: np.ndarray
    jacobian_raw: np.ndarray | None
    jacobian_stable: np.ndarray | None
    kp_rendered: np.ndarray
    heatmaps: np.ndarray | None
    motion: np.ndarray | None
    occlusion: np.ndarray | None
    model_ms: float = 0.0


@dataclass(frozen=True)
class KeypointTrack:
    """Keypoint trajectories of a whole driving video (pixels of the model-size frames).

    Shape:
        raw / stable: (T, K, 2); jacobian_raw / jacobian_stable: (T, K, 2, 2) or None;
        heatmaps: (T, K, h, w) float16 of the raw detections, kept only when the pipeline
        was asked for heatmaps (so scrubbing need not detect again), else None.
        crop_box: the one square of every driving frame the keypoints were detected in
        (video pixels; face crop), or None when frames were used whole.
    """

    raw: np.ndarray
    stable: np.ndarray
    jacobian_raw: np.ndarray | None
    jacobian_stable: np.ndarray | None
    image_size: int
    fps: float
    stabilizer: str
    heatmaps: np.ndarray | None = None
    crop_box: CropBox | None = None

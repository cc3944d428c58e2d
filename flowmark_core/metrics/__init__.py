"""Evaluation metrics on numpy arrays: reconstruction, face (AKD/MKR/AED), landmarks, jitter.

Every metric is a plain function whose docstring defines it; coordinates are pixels.
"""

from __future__ import annotations

from flowmark_core.metrics.face_backend import DlibFaceBackend, FaceBackend
from flowmark_core.metrics.face_metrics import aed, akd, evaluate_face_metrics, mkr
from flowmark_core.metrics.jitter import (
    JitterReport,
    flow_residual,
    jitter_report,
    keypoint_acceleration,
    nmj,
)
from flowmark_core.metrics.landmarks import (
    LandmarkRegressor,
    box_size,
    fit_landmark_regressor,
    nme,
)
from flowmark_core.metrics.reconstruction import reconstruction_l1

__all__ = [
    "DlibFaceBackend",
    "FaceBackend",
    "JitterReport",
    "LandmarkRegressor",
    "aed",
    "akd",
    "box_size",
    "evaluate_face_metrics",
    "fit_landmark_regressor",
    "flow_residual",
    "jitter_report",
    "keypoint_acceleration",
    "mkr",
    "nme",
    "nmj",
    "reconstruction_l1",
]

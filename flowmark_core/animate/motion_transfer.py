"""Motion transfer: how driving keypoints become the keypoints the source is rendered with.

All functions work on normalised keypoints (see `flowmark_core.geometry`).
- relative: kp = kp_source + (kp_driving - kp_reference) * scale, and with relative
  Jacobians J = (J_driving J_reference^-1) J_source;
- absolute: kp = kp_driving;
- adapt movement scale: scale = sqrt(hull area(source)) / sqrt(hull area(reference)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from flowmark_core.geometry import convex_hull_area, inverse_2x2
from flowmark_core.models.keypoints import Keypoints

MODES = ("relative", "absolute")


@dataclass(frozen=True)
class TransferOptions:
    """How driving motion is applied to the source."""

    mode: str = "relative"
    adapt_scale: bool = False
    relative_jacobian: bool = True


def movement_scale(kp_source: Keypoints, kp_reference: Keypoints) -> float:
    """sqrt(hull area of the source keypoints) / sqrt(hull area of the reference keypoints)."""
    a_src = convex_hull_area(kp_source.value[0].detach().cpu().numpy())
    a_ref = convex_hull_area(kp_reference.value[0].detach().cpu().numpy())
    if a_ref <= 1e-12:
        return 1.0
    return math.sqrt(a_src) / math.sqrt(a_ref)


def transfer_motion(
    kp_source: Keypoints,
    kp_driving: Keypoints,
    kp_reference: Keypoints | None,
    options: TransferOptions,
) -> Keypoints:
    """Keypoints to render the source with, for one driving frame (batch of 1 or more)."""
    if options.mode == "absolute" or kp_reference is None:
        return Keypoints(kp_driving.value, kp_driving.jacobian)
    scale = movement_scale(kp_source, kp_reference) if options.adapt_scale else 1.0
    value = kp_source.value + (kp_driving.value - kp_reference.value) * scale
    jacobian = kp_driving.jacobian
    if (
        options.relative_jacobian
        and kp_driving.jacobian is not None
        and kp_reference.jacobian is not None
        and kp_source.jacobian is not None
    ):
        jac_diff = torch.matmul(kp_driving.jacobian, inverse_2x2(kp_reference.jacobian))
        jacobian = torch.matmul(jac_diff, kp_source.jacobian)
    return Keypoints(value, jacobian)


def normalized_shape(values: np.ndarray) -> np.ndarray:
    """Keypoints (K, 2) centred and scaled to unit hull area, for pose comparison."""
    centred = values - values.mean(axis=0, keepdims=True)
    area = convex_hull_area(values)
    return centred / math.sqrt(area) if area > 1e-12 else centred


def find_best_frame(source_values: np.ndarray, driving_values: np.ndarray) -> int:
    """Index of the driving frame whose normalised keypoints are closest to the source's.

    Shape:
        source_values: (K, 2); driving_values: (T, K, 2).
    """
    src = normalized_shape(np.asarray(source_values, dtype=np.float64))
    best, best_dist = 0, float("inf")
    for t, values in enumerate(np.asarray(driving_values, dtype=np.float64)):
        dist = float(((normalized_shape(values) - src) ** 2).sum())
        if dist < best_dist:
            best, best_dist = t, dist
    return best

"""Overlay geometry shared by the live views (pyqtgraph) and export (OpenCV drawing).

Everything is in display pixels of a square pane of side `size`: keypoints (x = column,
y = row) from the model-size frame are scaled by `size / image_size` by the callers. When
the model frame is only part of the pane's picture (face crop pastes the result into the
whole source), `PaneLayers.region` says where it sits and the overlays are drawn there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.animate import DetectedKeypoints, FrameResult
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.drawing import keypoint_colour
from flowmark_core.geometry import make_coordinate_grid, normalized_to_pixels

OCCLUSION_RGB = (255, 0, 170)
HEAT_GAMMA = 0.4  # detector heatmaps are sharply peaked; a gamma shows their spread
MAX_AXIS_FRACTION = 0.12
Region = tuple[float, float, float]  # left, top, side in pixels of the pane's picture


@dataclass(frozen=True)
class PaneLayers:
    """What one image pane can overlay on its picture (any field may be None).

    Shape:
        keypoints / raw_keypoints: (K, 2) px of the pane image; jacobians: (K, 2, 2);
        heatmaps: (K, h, w); motion: (h, w, 2) normalised sampling grid; occlusion: (h, w).
    """

    keypoints: np.ndarray | None = None
    raw_keypoints: np.ndarray | None = None
    jacobians: np.ndarray | None = None
    heatmaps: np.ndarray | None = None
    motion: np.ndarray | None = None
    occlusion: np.ndarray | None = None
    region: Region | None = None  # where the model frame sits (None: the whole square)


def layer_region(layers: PaneLayers, height: int, width: int) -> Region | None:
    """Where the overlays go in an (height, width) picture; None when they cannot be
    placed (a non-square picture without a region)."""
    if layers.region is not None:
        return layers.region
    return (0.0, 0.0, float(width)) if height == width else None


def letterboxed(region: Region, height: int, width: int, size: int) -> Region:
    """`region` of an (height, width) picture after it is fitted, centred, into a
    `size` x `size` square (as `export_job.fit_square` does)."""
    scale = size / max(height, width)
    nh, nw = max(1, round(height * scale)), max(1, round(width * scale))
    top, left = (size - nh) // 2, (size - nw) // 2
    x, y, side = region
    return left + x * scale, top + y * scale, side * scale


def source_layers(keypoints: DetectedKeypoints) -> PaneLayers:
    """Layers of the Source pane."""
    return PaneLayers(keypoints.value, None, keypoints.jacobian, keypoints.heatmap)


def driving_layers(result: FrameResult) -> PaneLayers:
    """Layers of the Driving pane: stabilised keypoints, raw ones as ghosts, heatmaps."""
    raw = None if np.array_equal(result.kp_raw, result.kp_stable) else result.kp_raw
    return PaneLayers(result.kp_stable, raw, result.jacobian_stable, result.heatmaps)


def result_layers(result: FrameResult, image_size: int, box: CropBox | None = None) -> PaneLayers:
    """Layers of the Result pane: rendered keypoints, motion and occlusion.

    When face crop pastes the output into the whole source, they are placed in the
    source's crop `box`; a square output without one (the model's size, or the source's
    with sharp panes) holds them whole; otherwise only the picture shows.
    """
    region = None
    height, width = result.output.shape[:2]
    if box is not None and (height != image_size or width != image_size):
        region = (float(box.x), float(box.y), float(box.size))
    elif height != width:  # a non-square picture without a box: nowhere to place them
        return PaneLayers()
    return PaneLayers(
        keypoints=result.kp_rendered,
        motion=result.motion,
        occlusion=result.occlusion,
        region=region,
    )


def colours(count: int) -> np.ndarray:
    """RGB colours of keypoints 0..count-1. Shape: (count, 3) uint8."""
    return np.array([keypoint_colour(k) for k in range(count)], dtype=np.uint8).reshape(-1, 3)


def heatmap_rgba(
    heatmaps: np.ndarray,
    size: int,
    opacity: float,
    only: Sequence[int] | None = None,
) -> np.ndarray:
    """Keypoint heatmaps blended into one RGBA image, each in its keypoint's colour.

    Each heatmap is scaled to a peak of 1 and raised to `HEAT_GAMMA` (so the tails of
    sharply peaked heatmaps show); colour is the heat-weighted mean of the keypoint
    colours and alpha is the strongest heat times `opacity`.

    Shape:
        heatmaps: (K, h, w); output: (size, size, 4) uint8.
    """
    heat = np.asarray(heatmaps, dtype=np.float32)
    num = heat.shape[0]
    keep = list(range(num)) if only is None else [k for k in only if 0 <= k < num]
    out = np.zeros((size, size, 4), np.uint8)
    if not keep:
        return out
    chosen = heat[keep]
    peaks = chosen.reshape(len(keep), -1).max(axis=1).clip(min=1e-12)
    chosen = chosen / peaks[:, None, None]
    resized = np.stack([cv2.resize(h, (size, size), interpolation=cv2.INTER_CUBIC) for h in chosen])
    resized = resized.clip(0.0, 1.0) ** HEAT_GAMMA
    weight = resized.sum(axis=0)
    rgb = np.einsum("khw,kc->hwc", resized, colours(num)[keep].astype(np.float32))
    rgb /= np.maximum(weight, 1e-6)[..., None]
    out[..., :3] = rgb.clip(0, 255).astype(np.uint8)
    out[..., 3] = (resized.max(axis=0) * 255.0 * float(np.clip(opacity, 0, 1))).astype(np.uint8)
    return out


def occlusion_rgba(occlusion: np.ndarray, size: int, opacity: float) -> np.ndarray:
    """Occluded regions (occlusion map near 0) tinted over the picture.

    Shape:
        occlusion: (h, w) in [0, 1], 1 = visible; output: (size, size, 4) uint8.
    """
    occ = cv2.resize(
        np.asarray(occlusion, np.float32), (size, size), interpolation=cv2.INTER_LINEAR
    )
    out = np.zeros((size, size, 4), np.uint8)
    out[..., :3] = OCCLUSION_RGB
    out[..., 3] = ((1.0 - occ.clip(0, 1)) * 255.0 * float(np.clip(opacity, 0, 1))).astype(np.uint8)
    return out


def _to_display(points_norm: np.ndarray, size: int) -> np.ndarray:
    return normalized_to_pixels(points_norm, size, size)


def motion_segments(motion: np.ndarray, size: int, arrows: int = 16) -> np.ndarray:
    """Arrows of the dense motion: from where content is sampled in the source to where it
    lands in the result, on an `arrows` x `arrows` lattice.

    Shape:
        motion: (h, w, 2) normalised backward sampling grid; output: (N, 2, 2) px
        ([:, 0] tail, [:, 1] head).
    """
    grid = np.asarray(motion, dtype=np.float32)
    h, w = grid.shape[:2]
    rows = np.linspace(0, h - 1, min(arrows, h)).round().astype(int)
    cols = np.linspace(0, w - 1, min(arrows, w)).round().astype(int)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    identity = make_coordinate_grid(h, w).numpy()[rr, cc].reshape(-1, 2)
    sampled = grid[rr, cc].reshape(-1, 2)
    return np.stack([_to_display(sampled, size), _to_display(identity, size)], axis=1)


def jacobian_segments(
    values: np.ndarray, jacobians: np.ndarray, length: float, max_length: float | None = None
) -> np.ndarray:
    """The two local axes of each keypoint's Jacobian, drawn from the keypoint.

    Each axis is a column of the Jacobian times `length`; axes longer than `max_length`
    keep their direction and are cut to it (untrained models have huge Jacobians).

    Shape:
        values: (K, 2) px; jacobians: (K, 2, 2); output: (K, 2, 2, 2) as
        [keypoint, axis, tail/head, xy].
    """
    vals = np.asarray(values, dtype=np.float64)
    jac = np.asarray(jacobians, dtype=np.float64)
    axes = np.transpose(jac, (0, 2, 1)) * length  # row i = image of unit vector e_i
    if max_length is not None:
        norms = np.linalg.norm(axes, axis=-1, keepdims=True)
        axes = axes * np.minimum(1.0, max_length / np.maximum(norms, 1e-9))
    tails = np.repeat(vals[:, None, :], 2, axis=1)
    return np.stack([tails, tails + axes], axis=2)

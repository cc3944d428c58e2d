"""Draw panes with their overlays into plain RGB frames (for export; no Qt involved)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from flowmark_core.drawing import keypoint_colour
from flowmark_gui.render.overlays import (
    MAX_AXIS_FRACTION,
    PaneLayers,
    heatmap_rgba,
    jacobian_segments,
    layer_region,
    motion_segments,
    occlusion_rgba,
)
from flowmark_gui.state.values import OverlayOptions

ARROW_RGB = (255, 255, 255)


def _blend(image: np.ndarray, rgba: np.ndarray) -> np.ndarray:
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    mixed = image.astype(np.float32) * (1 - alpha) + rgba[..., :3].astype(np.float32) * alpha
    return mixed.round().clip(0, 255).astype(np.uint8)


def _blend_at(out: np.ndarray, rgba: np.ndarray, left: int, top: int) -> np.ndarray:
    """Blend `rgba` into `out` with its corner at (left, top), clipped to `out`."""
    h, w = out.shape[:2]
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + rgba.shape[1], w), min(top + rgba.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return out
    out = out.copy()
    patch = rgba[y0 - top : y1 - top, x0 - left : x1 - left]
    out[y0:y1, x0:x1] = _blend(out[y0:y1, x0:x1], patch)
    return out


def _pt(xy: np.ndarray) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))


def draw_pane(
    image: np.ndarray,
    layers: PaneLayers,
    overlays: OverlayOptions,
    size: int,
    image_size: int,
    selected: Sequence[int] = (),
) -> np.ndarray:
    """`image` resized to `size` x `size` with the enabled overlays drawn on it.

    Args:
        image_size: side of the model-size frame the keypoints are measured in.

    Shape:
        image: (H, W, 3) uint8; output: (size, size, 3) uint8.
    """
    shrink = max(image.shape[:2]) > size
    out = cv2.resize(
        image, (size, size), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    )
    region = layer_region(layers, image.shape[0], image.shape[1])
    if region is None:
        return out
    factor = size / image.shape[1]
    left, top, side = (float(v) * factor for v in region)
    pixels = max(round(side), 2)
    at = (round(left), round(top))
    shift = np.array([left, top])
    scale = (side - 1) / max(image_size - 1, 1)
    if overlays.occlusion and layers.occlusion is not None:
        out = _blend_at(out, occlusion_rgba(layers.occlusion, pixels, 0.6), *at)
    if overlays.heatmaps and layers.heatmaps is not None:
        only = list(selected) if overlays.heatmap_selected_only else None
        heat = heatmap_rgba(layers.heatmaps, pixels, overlays.heatmap_opacity, only)
        out = _blend_at(out, heat, *at)
    if overlays.motion and layers.motion is not None:
        for tail, head in motion_segments(layers.motion, pixels) + shift:
            cv2.arrowedLine(out, _pt(tail), _pt(head), ARROW_RGB, 1, cv2.LINE_AA, tipLength=0.3)
    if layers.keypoints is None or not overlays.keypoints:
        return out
    points = np.asarray(layers.keypoints, np.float64) * scale + shift
    radius = max(2, size // 80)
    if overlays.jacobians and layers.jacobians is not None:
        segments = jacobian_segments(
            points, layers.jacobians, size * 0.05, size * MAX_AXIS_FRACTION
        )
        for k, axes in enumerate(segments):
            for tail, head in axes:
                cv2.line(out, _pt(tail), _pt(head), keypoint_colour(k), 1, cv2.LINE_AA)
    if overlays.raw_keypoints and layers.raw_keypoints is not None:
        for k, xy in enumerate(np.asarray(layers.raw_keypoints, np.float64) * scale + shift):
            cv2.drawMarker(out, _pt(xy), keypoint_colour(k), cv2.MARKER_TILTED_CROSS, radius * 2)
    font_scale = max(0.3, size / 700)
    for k, xy in enumerate(points):
        colour = keypoint_colour(k)
        cv2.circle(out, _pt(xy), radius + (2 if k in selected else 0), colour, -1, cv2.LINE_AA)
        cv2.circle(out, _pt(xy), radius + (2 if k in selected else 0), (0, 0, 0), 1, cv2.LINE_AA)
        label = (round(xy[0]) + radius + 1, round(xy[1]) - radius - 1)
        font = cv2.FONT_HERSHEY_SIMPLEX
        cv2.putText(out, str(k), label, font, font_scale, colour, 1, cv2.LINE_AA)
    return out


def side_by_side(panes: Sequence[np.ndarray], gap: int = 0) -> np.ndarray:
    """Panes of equal height placed left to right.

    Shape:
        panes: each (H, W_i, 3) uint8; output: (H, sum W_i + gaps, 3).
    """
    height = panes[0].shape[0]
    parts: list[np.ndarray] = []
    for i, pane in enumerate(panes):
        if i and gap:
            parts.append(np.zeros((height, gap, 3), np.uint8))
        parts.append(pane)
    return np.concatenate(parts, axis=1)

"""Ground-truth motion from landmark tracks, for the flow-loss ablation on synthetic data.

The flow-consistency loss needs a dense motion field from frame t to t+1. Optical flow can
be wrong; synthetic data knows where its landmarks go. This module turns the ground-truth
correspondences of one frame pair into the same (flow, error) pair the optical-flow path
yields, so the loss runs unchanged: the motion is exact at every landmark visible in both
frames and thin-plate-spline interpolated between them, and it is marked trustworthy
(error 0) only within `radius` pixels of such a landmark; elsewhere the error is
`UNTRUSTED_ERROR`, which the loss's forward-backward cut turns into weight 0.
"""

from __future__ import annotations

import numpy as np

LANDMARK_MOTION = "landmarks"
"""The `data.flow_method` that takes motion from the landmark tracks instead of optical flow."""

UNTRUSTED_ERROR = 1.0e3
"""Error (px) written where no landmark is near: far beyond any forward-backward cut-off."""

MIN_POINTS = 3
"""Fewer shared landmarks than this: no motion is trusted anywhere (an affine fit needs 3)."""


def _tps_kernel(r2: np.ndarray) -> np.ndarray:
    """The thin-plate radial basis U(r) = r^2 log r^2 / 2, with U(0) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r2 > 0, 0.5 * r2 * np.log(np.maximum(r2, 1e-12)), 0.0)


def thin_plate_fit(
    points: np.ndarray, values: np.ndarray, regularisation: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Thin-plate spline through `values` at `points`: radial weights and affine part.

    Shape:
        points: (N, 2); values: (N, C) -> weights (N, C), affine (3, C).
    """
    n = len(points)
    d2 = squared_distances(points, points)
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = _tps_kernel(d2) + regularisation * np.eye(n)
    system[:n, n] = 1.0
    system[:n, n + 1 :] = points
    system[n, :n] = 1.0
    system[n + 1 :, :n] = points.T
    rhs = np.zeros((n + 3, values.shape[1]))
    rhs[:n] = values
    solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    return solution[:n], solution[n:]


def squared_distances(query: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Squared distances of every query point to every point. Shape: (M, 2), (N, 2) -> (M, N)."""
    return ((query[:, None, :] - points[None, :, :]) ** 2).sum(-1)


def thin_plate_eval(
    weights: np.ndarray, affine: np.ndarray, query: np.ndarray, d2: np.ndarray
) -> np.ndarray:
    """Evaluate a fitted thin-plate spline at `query` points, given their squared distances
    `d2` to the fitted points (`squared_distances(query, points)`).

    Shape:
        query: (M, 2); d2: (M, N) -> (M, C).
    """
    return _tps_kernel(d2) @ weights + affine[0] + query @ affine[1:]


def landmark_motion(
    start: np.ndarray,
    end: np.ndarray,
    visible: np.ndarray,
    size: tuple[int, int],
    radius: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Dense motion from frame t to t+1 given where the landmarks are in both.

    Args:
        start, end: landmark positions (L, 2), (x, y) pixels at pixel centres, in t and t+1.
        visible: (L,) bool, the landmarks visible in both frames.
        size: (height, width) of the field.
        radius: pixels around a used landmark inside which the motion is trusted.

    Returns:
        flow (H, W, 2) float32 px (dx, dy) and error (H, W) float32: 0 where trusted,
        `UNTRUSTED_ERROR` elsewhere.
    """
    height, width = size
    flow = np.zeros((height, width, 2), np.float32)
    error = np.full((height, width), UNTRUSTED_ERROR, np.float32)
    used = visible & np.isfinite(start).all(1) & np.isfinite(end).all(1)
    if used.sum() < MIN_POINTS:
        return flow, error
    p0 = start[used].astype(np.float64)
    shift = (end[used] - start[used]).astype(np.float64)
    weights, affine = thin_plate_fit(p0, shift)
    ys, xs = np.mgrid[0:height, 0:width]
    grid = np.column_stack([xs.ravel(), ys.ravel()]).astype(np.float64)
    d2 = squared_distances(grid, p0)  # once: for the spline and for the trusted area
    flow[:] = thin_plate_eval(weights, affine, grid, d2).reshape(height, width, 2)
    error[(d2.min(1) <= radius**2).reshape(height, width)] = 0.0
    return flow, error


def resize_points(points: np.ndarray, source: tuple[int, int], target: int) -> np.ndarray:
    """Map pixel-centre coordinates of a (height, width) frame onto the `target`-pixel square
    the model sees: the frame's centred square (as `framing.to_model_size` cuts it), resized.

    Shape:
        points: (..., 2) (x, y) -> same.
    """
    height, width = source
    side = min(height, width)
    corner = np.array([round((width - side) / 2), round((height - side) / 2)])  # CropBox.as_int
    return (points - corner + 0.5) * (target / side) - 0.5


def mirror_points(points: np.ndarray, width: int) -> np.ndarray:
    """The same points after a left-right mirror of a `width`-pixel image."""
    out = np.array(points, copy=True)
    out[..., 0] = (width - 1) - out[..., 0]
    return out

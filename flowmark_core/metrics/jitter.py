"""Temporal stability of keypoint tracks: normalised jitter, acceleration and flow residual.

All coordinates are pixels (x = column, y = row). `flow_residual` measures what flowmark is
about: how far keypoints move differently from the image content under them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from flowmark_core.flow import sample_at
from flowmark_core.metrics.landmarks import box_size, visible_mask

DEFAULT_FB_THRESHOLD = 1.0


def _check_track(track: np.ndarray) -> np.ndarray:
    arr = np.asarray(track, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[-1] != 2:
        raise ValueError(f"expected a track of shape (T, K, 2), got {arr.shape}")
    return arr


def nmj(pred: np.ndarray, gt: np.ndarray, visible: np.ndarray | None = None) -> float:
    """Normalised mean jitter of predicted landmarks against ground truth.

    Definition: with the error e_t = pred_t - gt_t and its frame-to-frame change
    d_t = e_{t+1} - e_t (per landmark, in pixels),
        NMJ = sqrt( mean_t [ (mean_l |d_t,l|²) / s_t² ] ),
    i.e. the RMS over frame transitions of the RMS over landmarks of |d|, each transition
    divided by s_t, the mean of the ground-truth box sizes (`box_size`) of its two frames.
    Only landmarks visible in both frames count; transitions without one are skipped. Errors
    that stay constant (a fixed bias) give 0; jitter the ground truth does not have does not.

    Args:
        pred: predicted landmarks in pixels.
        gt: ground-truth landmarks in pixels.
        visible: optional mask of annotated landmarks; default: all finite ground truth.

    Returns:
        NMJ as a fraction of the box size; NaN with fewer than two usable frames.

    Shape:
        pred, gt: (T, L, 2); visible: (T, L).
    """
    pred = _check_track(pred)
    gt = _check_track(gt)
    if pred.shape != gt.shape:
        raise ValueError(f"pred and gt differ in shape: {pred.shape} vs {gt.shape}")
    mask = visible_mask(gt, visible)
    sizes = box_size(gt, mask)
    err = pred - gt
    per_transition = []
    for t in range(len(gt) - 1):
        both = mask[t] & mask[t + 1]
        scale = 0.5 * (sizes[t] + sizes[t + 1])
        if not both.any() or not np.isfinite(scale):
            continue
        change = err[t + 1][both] - err[t][both]
        per_transition.append(np.mean(np.sum(change**2, axis=-1)) / scale**2)
    if not per_transition:
        return float("nan")
    return float(np.sqrt(np.mean(per_transition)))


def _second_difference_norms(track: np.ndarray) -> np.ndarray:
    """|x_{t+1} - 2 x_t + x_{t-1}| for t = 1 … T-2. Shape: (T, K, 2) -> (T-2, K)."""
    arr = _check_track(track)
    return np.linalg.norm(arr[2:] - 2 * arr[1:-1] + arr[:-2], axis=-1)


def keypoint_acceleration(track: np.ndarray) -> float:
    """Mean keypoint acceleration in px/frame².

    Definition: mean over t = 1 … T-2 and keypoints k of |x_{t+1,k} - 2 x_{t,k} + x_{t-1,k}|.
    Zero for constant and for constant-velocity tracks.

    Args:
        track: keypoint positions over time, pixels.

    Returns:
        The mean acceleration; NaN for fewer than three frames.

    Shape:
        track: (T, K, 2).
    """
    norms = _second_difference_norms(track)
    return float(norms.mean()) if norms.size else float("nan")


def _residual_sums(
    track: np.ndarray,
    flows: Iterable[np.ndarray],
    fb_errors: Iterable[np.ndarray] | None,
    fb_threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-keypoint sum and count of flow residuals (see `flow_residual`)."""
    arr = _check_track(track)
    num_k = arr.shape[1]
    sums = np.zeros(num_k)
    counts = np.zeros(num_k, dtype=np.int64)
    fb_iter = iter(fb_errors) if fb_errors is not None else None
    used = 0
    for t, flow in enumerate(flows):
        if t + 1 >= len(arr):
            raise ValueError(f"got more flows than the {len(arr) - 1} transitions of the track")
        field = np.asarray(flow)
        h, w = field.shape[:2]
        pts = arr[t]
        keep = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
        if fb_iter is not None:
            fb = next(fb_iter, None)
            if fb is None:
                raise ValueError("fb_errors has fewer entries than flows")
            keep &= sample_at(fb, pts) <= fb_threshold
        moved = pts + sample_at(field, pts)
        residual = np.linalg.norm(arr[t + 1] - moved, axis=-1)
        sums += np.where(keep, residual, 0.0)
        counts += keep
        used += 1
    if used != len(arr) - 1:
        raise ValueError(f"got {used} flows for the {len(arr) - 1} transitions of the track")
    return sums, counts


def flow_residual(
    track: np.ndarray,
    flows: np.ndarray | Iterable[np.ndarray],
    fb_errors: np.ndarray | Iterable[np.ndarray] | None = None,
    fb_threshold: float = DEFAULT_FB_THRESHOLD,
) -> float:
    """Mean distance between where keypoints went and where the image content under them went.

    Definition: mean over transitions t and keypoints k of
    |x_{t+1,k} - (x_{t,k} + F_t(x_{t,k}))| in pixels, where F_t is the optical flow from frame
    t to t+1 sampled bilinearly at the keypoint. Points outside the flow field, and, when
    `fb_errors` is given, points whose forward-backward error there exceeds `fb_threshold`
    (occlusions, unreliable flow), are skipped.

    Args:
        track: keypoint positions in the flow's pixel coordinates.
        flows: T-1 flow fields (an array or an iterator, so videos can stream).
        fb_errors: optional T-1 forward-backward error maps matching `flows`.
        fb_threshold: largest forward-backward error (px) at which a point still counts.

    Returns:
        The mean residual in pixels; NaN when no point counts.

    Shape:
        track: (T, K, 2); flows: (T-1, H, W, 2); fb_errors: (T-1, H, W).
    """
    sums, counts = _residual_sums(track, flows, fb_errors, fb_threshold)
    total = counts.sum()
    return float(sums.sum() / total) if total else float("nan")


@dataclass(frozen=True)
class JitterReport:
    """Per-keypoint stability numbers of one track (what the GUI lists next to each keypoint).

    Attributes:
        flow_residual: (K,) mean flow residual per keypoint in px (NaN where none counted).
        acceleration: (K,) mean acceleration per keypoint in px/frame² (NaN for T < 3).
    """

    flow_residual: np.ndarray
    acceleration: np.ndarray


def jitter_report(
    track: np.ndarray,
    flows: np.ndarray | Iterable[np.ndarray],
    fb_errors: np.ndarray | Iterable[np.ndarray] | None = None,
    fb_threshold: float = DEFAULT_FB_THRESHOLD,
) -> JitterReport:
    """Per-keypoint flow residual and acceleration of a track (definitions as in
    `flow_residual` and `keypoint_acceleration`, averaged over time only).

    Shape:
        track: (T, K, 2); flows: (T-1, H, W, 2); fb_errors: (T-1, H, W); outputs: (K,) each.
    """
    sums, counts = _residual_sums(track, flows, fb_errors, fb_threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    norms = _second_difference_norms(track)
    accel = norms.mean(axis=0) if len(norms) else np.full(norms.shape[1], np.nan)
    return JitterReport(flow_residual=residual, acceleration=accel)

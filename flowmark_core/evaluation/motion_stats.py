"""Statistics of keypoint motion for comparing generated tracks with real ones: speed and
acceleration distributions, kernel MMD between sets of tracks, diversity of samples.

Tracks are (T, K, 2) keypoint positions in pixels of the model-size frame.
"""

from __future__ import annotations

import numpy as np


def speeds(track: np.ndarray) -> np.ndarray:
    """|x_{t+1} - x_t| per transition and keypoint, px/frame. Shape: (T, K, 2) -> (T-1, K)."""
    return np.linalg.norm(np.diff(np.asarray(track, np.float64), axis=0), axis=-1)


def accelerations(track: np.ndarray) -> np.ndarray:
    """|x_{t+1} - 2 x_t + x_{t-1}| px/frame². Shape: (T, K, 2) -> (T-2, K)."""
    return np.linalg.norm(np.diff(np.asarray(track, np.float64), n=2, axis=0), axis=-1)


def motion_summary(tracks: list[np.ndarray]) -> dict[str, float]:
    """Mean and spread of speed and acceleration, and mean displacement from the first frame."""
    v = np.concatenate([speeds(t).ravel() for t in tracks])
    a = np.concatenate([accelerations(t).ravel() for t in tracks])
    disp = np.concatenate(
        [np.linalg.norm(np.asarray(t, np.float64) - t[:1], axis=-1).ravel() for t in tracks]
    )
    return {
        "speed_mean": float(v.mean()),
        "speed_std": float(v.std()),
        "accel_mean": float(a.mean()),
        "accel_std": float(a.std()),
        "displacement_mean": float(disp.mean()),
    }


def histogram_distance(a: np.ndarray, b: np.ndarray, bins: int = 32) -> float:
    """Total variation distance (0 same .. 1 disjoint) between the histograms of two samples."""
    a, b = np.ravel(a), np.ravel(b)
    hi = max(float(np.quantile(np.concatenate([a, b]), 0.995)), 1e-9)
    edges = np.linspace(0.0, hi, bins + 1)
    ha = np.histogram(np.clip(a, 0, hi), edges)[0] / max(a.size, 1)
    hb = np.histogram(np.clip(b, 0, hi), edges)[0] / max(b.size, 1)
    return float(0.5 * np.abs(ha - hb).sum())


def mmd_rbf(x: np.ndarray, y: np.ndarray, bandwidth: float | None = None) -> float:
    """Unbiased squared MMD with a Gaussian kernel; bandwidth: median pairwise distance of
    the pooled samples when None. Shape: x (N, D), y (M, D), N, M >= 2."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    pooled = np.concatenate([x, y])
    d2 = ((pooled[:, None] - pooled[None]) ** 2).sum(-1)
    if bandwidth is None:
        off = d2[~np.eye(len(pooled), dtype=bool)]
        bandwidth = float(np.sqrt(np.median(off))) or 1.0
    k = np.exp(-d2 / (2.0 * bandwidth**2))
    n, m = len(x), len(y)
    kxx, kyy, kxy = k[:n, :n], k[n:, n:], k[:n, n:]
    exx = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
    eyy = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(exx + eyy - 2.0 * kxy.mean())


def displacement_features(track: np.ndarray) -> np.ndarray:
    """A track as one vector: displacements from its first frame, flattened (for MMD)."""
    t = np.asarray(track, np.float64)
    return (t[1:] - t[:1]).ravel()


def diversity(samples: np.ndarray) -> float:
    """Mean distance (px) between two samples' keypoints, over sample pairs, frames and keypoints.

    Shape: samples (N, T, K, 2), N >= 2."""
    s = np.asarray(samples, np.float64)
    n = len(s)
    if n < 2:
        return float("nan")
    dists = [np.linalg.norm(s[i] - s[j], axis=-1).mean() for i in range(n) for j in range(i + 1, n)]
    return float(np.mean(dists))


def track_error(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean keypoint distance (px) between two tracks over frames after the first."""
    return float(
        np.linalg.norm(
            np.asarray(pred, np.float64)[1:] - np.asarray(truth, np.float64)[1:], axis=-1
        ).mean()
    )


def constant_velocity(first: np.ndarray, second: np.ndarray, frames: int) -> np.ndarray:
    """Extrapolate x_t = x_0 + t (x_1 - x_0): the constant-velocity baseline.

    Shape: first, second (K, ...) -> (frames, K, ...)."""
    t = np.arange(frames, dtype=np.float64).reshape(-1, *([1] * np.ndim(first)))
    return np.asarray(first, np.float64)[None] + t * (np.asarray(second, np.float64) - first)[None]

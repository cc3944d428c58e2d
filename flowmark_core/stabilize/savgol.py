"""Savitzky–Golay smoothing of keypoint tracks (offline: it needs frames on both sides).

Each output is the value at t of a polynomial of degree `order` fitted by least squares to
the `window` samples around t (the window is shifted inward at the ends of the track, as
scipy's mode "interp" does). Fits are weighted: a missing (NaN) sample has weight 0 and
a detection of confidence c weight c, so gaps are bridged by the polynomial. With equal
weights the centre outputs equal the classic filter, whose white-noise variance ratio is
the centre tap (e.g. 1/window for order 0 or 1; 1/3 for window 7, order 2).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import StabilizerBase


def window_starts(length: int, window: int) -> np.ndarray:
    """First index of the window used at each time step (centred, shifted inward at the ends).

    Shape:
        output: (length,) int64.
    """
    half = window // 2
    return np.clip(np.arange(length) - half, 0, max(length - window, 0))


def weighted_polyfit_track(
    values: np.ndarray, weights: np.ndarray, window: int, order: int, block: int = 256
) -> np.ndarray:
    """Each time step's value of the weighted local polynomial fit (NaN where too few samples).

    Computed `block` time steps at a time, so memory stays small on long tracks.

    Shape:
        values: (T, K, 2) with NaN = missing; weights: (T, K) >= 0; output: (T, K, 2).
    """
    length = len(values)
    window = min(window, length)
    order = min(order, window - 1)
    starts = window_starts(length, window)
    finite = np.all(np.isfinite(values), axis=-1)
    w_all = np.where(finite, weights, 0.0)
    y_all = np.where(finite[..., None], values, 0.0)
    out = np.full(values.shape, np.nan)
    eye = np.eye(order + 1)
    for first in range(0, length, block):
        steps = np.arange(first, min(first + block, length))
        index = starts[steps, None] + np.arange(window)[None, :]  # (B, W)
        # Powers of (sample time - t), scaled by the half window for conditioning.
        rel = (index - steps[:, None]) / max(window / 2.0, 1.0)
        basis = rel[:, :, None] ** np.arange(order + 1)  # (B, W, P)
        w = w_all[index]  # (B, W, K)
        normal = np.einsum("bwp,bwk,bwq->bkpq", basis, w, basis)  # (B, K, P, P)
        rhs = np.einsum("bwp,bwk,bwkc->bkpc", basis, w, y_all[index])  # (B, K, P, 2)
        enough = (w > 0).sum(axis=1) > order  # (B, K)
        normal = np.where(enough[..., None, None], normal, eye)
        coef = np.linalg.solve(normal, rhs)  # the value at t is the constant term
        out[steps] = np.where(enough[..., None], coef[:, :, 0, :], np.nan)
    return out


class SavGolStabilizer(StabilizerBase):
    """Savitzky–Golay keypoint smoothing over whole tracks (offline only).

    Args:
        image_size: the keypoints' image size (unused; kept for a uniform factory).
        window: samples per fit, odd, >= 3 (at 30 fps: 9 samples = 0.3 s).
        order: polynomial degree, 0 <= order < window.

    Raises:
        ConfigError: when a parameter is out of range.
    """

    name = "savgol"
    causal = False

    def __init__(self, image_size: int | tuple[int, int], window: int = 9, order: int = 2) -> None:
        super().__init__(image_size)
        if int(window) != window or window < 3 or window % 2 == 0:
            raise ConfigError(f"savgol window must be an odd integer >= 3, got {window!r}")
        if int(order) != order or not 0 <= order < window:
            raise ConfigError(f"savgol order must be an integer in [0, window), got {order!r}")
        self.window = int(window)
        self.order = int(order)

    def reset(self) -> None:
        """Nothing to forget (the filter keeps no state between tracks)."""

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Refused: Savitzky–Golay needs future samples.

        Raises:
            ValueError: always; use `run` on the whole track.
        """
        raise ValueError(
            "the 'savgol' filter is offline only: it needs the samples after each frame; "
            "run it on a whole track (run / smooth_track), or pick a causal filter for live use"
        )

    def run(
        self,
        values: np.ndarray,
        jacobians: np.ndarray | None,
        frames: Iterable[np.ndarray] | None = None,
        weights: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Smooth a whole track (frames are not used).

        Args:
            values: keypoints over time, px; NaN = missing.
            jacobians: Jacobians over time, or None (smoothed with the same fits).
            frames: ignored.
            weights: per-sample fit weights (e.g. confidences), default 1.

        Shape:
            values: (T, K, 2); jacobians: (T, K, 2, 2); weights: (T, K).
        """
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim != 3 or vals.shape[2] != 2:
            raise ValueError(f"values must have shape (T, K, 2), got {vals.shape}")
        w = np.ones(vals.shape[:2]) if weights is None else np.asarray(weights, np.float64)
        if w.shape != vals.shape[:2]:
            raise ValueError(f"weights must have shape {vals.shape[:2]}, got {w.shape}")
        if len(vals) == 0:
            return vals.copy(), None if jacobians is None else np.asarray(jacobians).copy()
        out = weighted_polyfit_track(vals, w, self.window, self.order)
        if jacobians is None:
            return out, None
        jacs = np.asarray(jacobians, dtype=np.float64)
        flat = jacs.reshape(len(jacs), -1, 2)  # each Jacobian as two (x, y)-like rows
        w_rows = np.repeat(w, 2, axis=1)
        smooth = weighted_polyfit_track(flat, w_rows, self.window, self.order)
        return out, smooth.reshape(jacs.shape)

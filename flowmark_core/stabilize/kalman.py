"""A constant-velocity Kalman filter for keypoints (causal, per keypoint and axis).

State per keypoint and axis: position p (px) and velocity v (px/s); transition
p' = p + v·dt, v' = v, driven by white acceleration noise of std `process_noise`
(px/s² at a 256 px image): Q = a² [[dt⁴/4, dt³/2], [dt³/2, dt²]]. The detection measures
p with noise std `measurement_noise` (px at 256 px) times a per-keypoint scale
(`set_point_scale`: region strength, 1/sqrt(confidence); infinite = missing, the filter
predicts). x and y share the gains, so one 2x2 covariance per keypoint serves both.

With the defaults at 30 fps a 20 px step settles to within 5 % in 12 frames (tested).
"""

from __future__ import annotations

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import StabilizerBase, check_step


class KalmanStabilizer(StabilizerBase):
    """Constant-velocity Kalman smoothing of keypoints (Jacobians: the positions' gain).

    Args:
        image_size: the keypoints' image size, an int or (height, width), px.
        measurement_noise: detector noise std, px at 256 px.
        process_noise: std of the unmodelled acceleration, px/s² at 256 px; higher follows
            motion changes faster (less lag, less smoothing).
        fps: frame rate of the video (time steps per second).

    Raises:
        ConfigError: when a parameter is out of range.
    """

    name = "kalman"

    def __init__(
        self,
        image_size: int | tuple[int, int],
        measurement_noise: float = 1.0,
        process_noise: float = 300.0,
        fps: float = 30.0,
    ) -> None:
        super().__init__(image_size)
        for key, val in (
            ("measurement_noise", measurement_noise),
            ("process_noise", process_noise),
            ("fps", fps),
        ):
            if not val > 0:
                raise ConfigError(f"kalman {key} must be > 0, got {val!r}")
        self.measurement_var = (measurement_noise * self.size_scale) ** 2
        accel_var = (process_noise * self.size_scale) ** 2
        dt = 1.0 / float(fps)
        self.transition = np.array([[1.0, dt], [0.0, 1.0]])
        self.process_cov = accel_var * np.array([[dt**4 / 4, dt**3 / 2], [dt**3 / 2, dt**2]])
        self.fps = float(fps)
        # A new point's velocity is unknown: up to one image side per second.
        self.start_velocity_var = float(max(self.height, self.width)) ** 2
        self._scale: np.ndarray | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the filter state (start of a new video); the point scale is kept."""
        self._pos: np.ndarray | None = None  # (K, 2) px
        self._vel: np.ndarray | None = None  # (K, 2) px/s
        self._cov: np.ndarray | None = None  # (K, 2, 2) shared by x and y
        self._jacobian: np.ndarray | None = None

    def set_point_scale(self, scale: np.ndarray | None) -> None:
        """Per-keypoint multiplier of the measurement noise std for the next updates.

        Args:
            scale: (K,) non-negative; 0 takes the detection as is, inf ignores it (missing);
                None: 1 everywhere.
        """
        self._scale = None if scale is None else np.asarray(scale, dtype=np.float64)

    def _measurement_var(self, k: int) -> np.ndarray:
        if self._scale is None:
            return np.full(k, self.measurement_var)
        if self._scale.shape != (k,):
            raise ValueError(f"point scale must have shape ({k},), got {self._scale.shape}")
        with np.errstate(invalid="ignore", over="ignore"):
            return self.measurement_var * self._scale**2

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Filter one time step (`frame` is ignored). NaN keypoints are missing.

        Shape:
            value: (K, 2) px; jacobian: (K, 2, 2) or None; outputs: same shapes.
        """
        val, jac = check_step(value, jacobian)
        k = len(val)
        r = self._measurement_var(k)
        seen = np.all(np.isfinite(val), axis=-1) & np.isfinite(r)
        if self._pos is None or self._pos.shape != val.shape:
            self._pos = np.full_like(val, np.nan)
            self._vel = np.zeros_like(val)
            self._cov = np.zeros((k, 2, 2))
            self._jacobian = None
        assert self._vel is not None and self._cov is not None
        fresh = seen & ~np.all(np.isfinite(self._pos), axis=-1)
        # Predict.
        f = self.transition
        pos = self._pos + self._vel / self.fps
        cov = f @ self._cov @ f.T + self.process_cov
        # Correct (a missing point keeps its prediction).
        r_seen = np.where(seen, r, 1.0)
        gain = np.where(seen[:, None], cov[:, :, 0] / (cov[:, 0, 0] + r_seen)[:, None], 0.0)
        innovation = np.where(seen[:, None], val - pos, 0.0)
        pos = pos + gain[:, 0, None] * innovation
        vel = self._vel + gain[:, 1, None] * innovation
        cov = cov - gain[:, :, None] * cov[:, 0, None, :]
        # A point seen for the first time starts at its detection, its velocity unknown.
        start = np.zeros((k, 2, 2))
        start[:, 0, 0] = r
        start[:, 1, 1] = self.start_velocity_var
        pos = np.where(fresh[:, None], val, pos)
        vel = np.where(fresh[:, None], 0.0, vel)
        cov = np.where(fresh[:, None, None], start, cov)
        self._pos, self._vel, self._cov = pos, vel, cov
        gain_p = np.where(fresh, 1.0, gain[:, 0])
        if jac is None:
            self._jacobian = None
        elif self._jacobian is None:
            self._jacobian = jac.copy()
        else:
            step = np.nan_to_num(jac - self._jacobian)
            self._jacobian = self._jacobian + gain_p[:, None, None] * step
        return pos.copy(), None if self._jacobian is None else self._jacobian.copy()

"""The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) for keypoints and Jacobians.

An exponential low-pass per keypoint whose cutoff rises with speed:
cutoff = min_cutoff + beta · |speed|, where the speed is itself low-passed at `d_cutoff`.
Slow keypoints are smoothed hard (little jitter), fast ones barely at all (little lag).
Speeds are in image sizes per second (pixels divided by the larger image side), so one set
of parameters behaves the same at 128 and at 512 px.

A per-keypoint noise scale m (`set_point_scale`: region strength, 1/sqrt(confidence)) turns
the factor alpha into alpha / (alpha + m² (1 - alpha)), what a Kalman gain does when its
measurement variance is multiplied by m²: m = 1 leaves the filter as it is, 0 passes the
detection, inf (a missing, NaN keypoint) holds the last output.
"""

from __future__ import annotations

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import StabilizerBase, check_step


def smoothing_factor(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
    """Exponential smoothing factor of a first-order low-pass: 1 / (1 + tau / dt).

    Args:
        cutoff: cutoff frequency in Hz (per keypoint or scalar).
        dt: sampling period in seconds.

    Shape:
        cutoff: (K,) or scalar; output: same.
    """
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff, dtype=np.float64))
    return 1.0 / (1.0 + tau / dt)


class OneEuroStabilizer(StabilizerBase):
    """Adaptive low-pass ("one-euro") keypoint smoothing.

    Jacobians are filtered with the same per-keypoint factor as the positions, so a keypoint's
    position and local frame stay consistent.

    Args:
        image_size: the keypoints' image size, an int or (height, width), px.
        min_cutoff: cutoff (Hz) at rest; lower removes more jitter of still keypoints.
        beta: cutoff increase per unit speed (Hz per image-size/s); higher follows fast
            motion with less lag.
        d_cutoff: cutoff (Hz) of the low-pass on the speed estimate.
        fps: frame rate of the video (time steps per second).

    Raises:
        ConfigError: when a parameter is out of range.
    """

    name = "one-euro"

    def __init__(
        self,
        image_size: int | tuple[int, int],
        min_cutoff: float = 0.5,
        beta: float = 50.0,
        d_cutoff: float = 1.0,
        fps: float = 30.0,
    ) -> None:
        super().__init__(image_size)
        for key, val, low in (
            ("min_cutoff", min_cutoff, 0.0),
            ("d_cutoff", d_cutoff, 0.0),
            ("fps", fps, 0.0),
        ):
            if not val > low:
                raise ConfigError(f"one-euro {key} must be > 0, got {val!r}")
        if not beta >= 0:
            raise ConfigError(f"one-euro beta must be >= 0, got {beta!r}")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.fps = float(fps)
        self._unit = float(max(self.height, self.width))
        self._scale: np.ndarray | None = None
        self.reset()

    def set_point_scale(self, scale: np.ndarray | None) -> None:
        """Per-keypoint noise scale m for the next updates ((K,), >= 0, inf = ignore; None: 1)."""
        self._scale = None if scale is None else np.asarray(scale, dtype=np.float64)

    def reset(self) -> None:
        """Forget the filter state (start of a new video)."""
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._jacobian: np.ndarray | None = None

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Filter one time step (`frame` is ignored).

        Shape:
            value: (K, 2) px; jacobian: (K, 2, 2) or None; outputs: same shapes.
        """
        val, jac = check_step(value, jacobian)
        seen = np.all(np.isfinite(val), axis=-1)
        if self._scale is not None:
            if self._scale.shape != seen.shape:
                raise ValueError(
                    f"point scale must have shape {seen.shape}, got {self._scale.shape}"
                )
            seen &= np.isfinite(self._scale)
        if self._value is None or self._value.shape != val.shape:
            self._value = np.where(seen[:, None], val, np.nan)
            self._speed = np.zeros_like(val)
            self._jacobian = None if jac is None else jac.copy()
            return self._value.copy(), None if jac is None else jac.copy()
        assert self._speed is not None
        fresh = seen & ~np.all(np.isfinite(self._value), axis=-1)
        dt = 1.0 / self.fps
        step = np.where(seen[:, None] & ~fresh[:, None], val - self._value, 0.0)
        raw_speed = step / (self._unit * dt)
        self._speed = self._speed + smoothing_factor(self.d_cutoff, dt) * (raw_speed - self._speed)
        cutoff = self.min_cutoff + self.beta * np.linalg.norm(self._speed, axis=-1)
        alpha = smoothing_factor(cutoff, dt)  # (K,)
        if self._scale is not None:
            with np.errstate(invalid="ignore", over="ignore"):
                m2 = np.where(seen, self._scale**2, 1.0)
                alpha = alpha / (alpha + m2 * (1.0 - alpha))
        alpha = np.where(seen, np.where(fresh, 1.0, alpha), 0.0)
        self._value = np.where(fresh[:, None], val, self._value + alpha[:, None] * step)
        if jac is None:
            self._jacobian = None
        elif self._jacobian is None:
            self._jacobian = jac.copy()
        else:
            change = np.nan_to_num(jac - self._jacobian)
            self._jacobian = self._jacobian + alpha[:, None, None] * change
        return self._value.copy(), None if self._jacobian is None else self._jacobian.copy()

"""The keypoint `Stabilizer` interface, a shared online/offline base and the identity strategy.

Stabilisers smooth detector keypoints over time, in pixel coordinates (x = column,
y = row, (0, 0) the centre of the top-left pixel; see `flowmark_core.geometry` for the
conversion from the model's normalised coordinates). Jacobians map pixel offsets to pixel
offsets (for square images they equal the model's normalised Jacobians).

Every strategy works online (`update` once per frame) and offline (`run` over a whole
trajectory); `run` is exactly `reset` followed by `update` on each time step.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

import numpy as np

from flowmark_core.errors import ConfigError

REFERENCE_SIZE = 256.0  # image size (px) at which pixel-valued parameters are stated


@runtime_checkable
class Stabilizer(Protocol):
    """Temporal keypoint smoother usable frame by frame and on whole trajectories."""

    name: str

    def reset(self) -> None:
        """Forget all history (start of a new video)."""
        ...

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Stabilise one time step.

        Args:
            value: detected keypoints in pixels.
            jacobian: detected local Jacobians, or None.
            frame: the frame of this time step, uint8 RGB (used by "flow" only).

        Returns:
            Stabilised (value, jacobian); jacobian is None when the input's is.

        Shape:
            value: (K, 2); jacobian: (K, 2, 2); frame: (H, W, 3).
        """
        ...

    def run(
        self,
        values: np.ndarray,
        jacobians: np.ndarray | None,
        frames: Iterable[np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Stabilise a whole trajectory; equal to `reset` then `update` at each step.

        Shape:
            values: (T, K, 2); jacobians: (T, K, 2, 2); frames: T frames (H, W, 3).
        """
        ...


def parse_image_size(image_size: int | tuple[int, int]) -> tuple[int, int]:
    """(height, width) from an int (square) or a (height, width) pair, validated."""
    if isinstance(image_size, (int, np.integer)):
        height = width = int(image_size)
    else:
        try:
            height, width = (int(v) for v in image_size)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"image_size must be an int or (height, width), got {image_size!r}"
            ) from exc
    if height < 2 or width < 2:
        raise ValueError(f"image_size must be at least 2 px, got {(height, width)}")
    return height, width


def check_step(
    value: np.ndarray, jacobian: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate one time step's keypoints and Jacobians and return them as float64 arrays."""
    val = np.asarray(value, dtype=np.float64)
    if val.ndim != 2 or val.shape[1] != 2:
        raise ValueError(f"keypoints must have shape (K, 2), got {val.shape}")
    if jacobian is None:
        return val, None
    jac = np.asarray(jacobian, dtype=np.float64)
    if jac.shape != (val.shape[0], 2, 2):
        raise ValueError(f"jacobians must have shape ({val.shape[0]}, 2, 2), got {jac.shape}")
    return val, jac


class StabilizerBase(ABC):
    """Shared parts of the strategies: image size, and `run` built on `reset` + `update`.

    Args:
        image_size: the keypoints' image size, an int (square) or (height, width), px.
    """

    name: str = ""
    causal: bool = True  # False: offline only, `update` refuses (needs future samples)

    def __init__(self, image_size: int | tuple[int, int]) -> None:
        self.height, self.width = parse_image_size(image_size)
        # Pixel-valued parameters are stated for a REFERENCE_SIZE image and scaled by this.
        self.size_scale = max(self.height, self.width) / REFERENCE_SIZE

    @abstractmethod
    def reset(self) -> None:
        """Forget all history (start of a new video)."""

    @abstractmethod
    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Stabilise one time step (see `Stabilizer.update`)."""

    def run(
        self,
        values: np.ndarray,
        jacobians: np.ndarray | None,
        frames: Iterable[np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Stabilise a whole trajectory: `reset`, then `update` at each time step.

        Args:
            values: detected keypoints over time, pixels.
            jacobians: detected Jacobians over time, or None.
            frames: the T frames (any iterable, e.g. a streaming reader), or None for
                strategies that do not use them.

        Returns:
            Stabilised (values, jacobians) of the same shapes.

        Shape:
            values: (T, K, 2); jacobians: (T, K, 2, 2); frames: T × (H, W, 3).
        """
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim != 3 or vals.shape[2] != 2:
            raise ValueError(f"values must have shape (T, K, 2), got {vals.shape}")
        jacs = None if jacobians is None else np.asarray(jacobians, dtype=np.float64)
        if jacs is not None and jacs.shape != (*vals.shape, 2):
            raise ValueError(f"jacobians must have shape {(*vals.shape, 2)}, got {jacs.shape}")
        frame_iter: Iterator[np.ndarray] | None = None if frames is None else iter(frames)
        self.reset()
        out_vals = np.empty_like(vals)
        out_jacs = None if jacs is None else np.empty_like(jacs)
        for t in range(len(vals)):
            frame = None
            if frame_iter is not None:
                frame = next(frame_iter, None)
                if frame is None:
                    raise ValueError(f"frames ended after {t} of {len(vals)} time steps")
            val, jac = self.update(vals[t], None if jacs is None else jacs[t], frame)
            out_vals[t] = val
            if out_jacs is not None and jac is not None:
                out_jacs[t] = jac
        return out_vals, out_jacs


class IdentityStabilizer(StabilizerBase):
    """The "none" strategy: returns the detector's keypoints unchanged.

    Args:
        image_size: the keypoints' image size (unused; kept for a uniform factory).
    """

    name = "none"

    def reset(self) -> None:
        """Nothing to forget."""

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Return copies of the inputs.

        Shape:
            value: (K, 2); jacobian: (K, 2, 2) or None.
        """
        val, jac = check_step(value, jacobian)
        return val.copy(), None if jac is None else jac.copy()


def check_flow_filter_settings(
    owner: str, positive: dict[str, float], texture_ref: float, min_gain: float
) -> None:
    """Range checks shared by the flow-guided filters (live and offline).

    Raises:
        ConfigError: a value in `positive` is not > 0, `texture_ref` < 0 or `min_gain`
            outside [0, 1], naming `owner` and the setting.
    """
    for key, val in positive.items():
        if not val > 0:
            raise ConfigError(f"{owner} {key} must be > 0, got {val!r}")
    if not texture_ref >= 0:
        raise ConfigError(f"{owner} texture_ref must be >= 0, got {texture_ref!r}")
    if not 0 <= min_gain <= 1:
        raise ConfigError(f"{owner} min_gain must be in [0, 1], got {min_gain!r}")

"""Temporal keypoint stabilisation behind one `Stabilizer` API, in pixel coordinates.

`STABILIZERS` are the live strategies of the animation pipeline, GUI and `--stabilize`
("none", "one-euro", "flow"); `ALL_STABILIZERS` adds the constant-velocity "kalman" (causal)
and the offline filters "savgol" and "flow-offline", whose `update` refuses (their
`causal` is False; run them on whole tracks with `run`, or through
`flowmark_core.stabilize.track_smoothing.smooth_track`). Build one with
`make_stabilizer(name, image_size, **params)`.
"""

from __future__ import annotations

import inspect

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import IdentityStabilizer, Stabilizer, StabilizerBase
from flowmark_core.stabilize.flow_guided import FlowStabilizer
from flowmark_core.stabilize.flow_offline import FlowOfflineStabilizer
from flowmark_core.stabilize.kalman import KalmanStabilizer
from flowmark_core.stabilize.one_euro import OneEuroStabilizer
from flowmark_core.stabilize.savgol import SavGolStabilizer

STABILIZERS: tuple[str, ...] = ("none", "one-euro", "flow")
ALL_STABILIZERS: tuple[str, ...] = (*STABILIZERS, "kalman", "savgol", "flow-offline")
OFFLINE_STABILIZERS: tuple[str, ...] = ("savgol", "flow-offline")
_CLASSES: dict[str, type[StabilizerBase]] = {
    "none": IdentityStabilizer,
    "one-euro": OneEuroStabilizer,
    "flow": FlowStabilizer,
    "kalman": KalmanStabilizer,
    "savgol": SavGolStabilizer,
    "flow-offline": FlowOfflineStabilizer,
}


def stabilizer_params(name: str) -> dict[str, object]:
    """The tunable parameters of a strategy with their defaults (for CLI help and the GUI).

    Raises:
        ConfigError: when `name` is not one of `ALL_STABILIZERS`.
    """
    if name not in _CLASSES:
        allowed = ", ".join(ALL_STABILIZERS)
        raise ConfigError(f"stabilizer {name!r} is not known; allowed: {allowed}")
    signature = inspect.signature(_CLASSES[name].__init__)
    return {
        key: param.default
        for key, param in signature.parameters.items()
        if key not in ("self", "image_size")
    }


def make_stabilizer(
    name: str, image_size: int | tuple[int, int], fps: float | None = None, **params: object
) -> Stabilizer:
    """Build the stabiliser called `name` for keypoints of an image of `image_size`.

    Args:
        name: one of `ALL_STABILIZERS` (offline ones refuse `update`).
        image_size: the keypoints' image size, an int (square) or (height, width), px.
        fps: the video's frame rate, given to strategies with a time step (None: their
            default); strategies without one ignore it.
        **params: strategy parameters (see `stabilizer_params(name)`).

    Returns:
        A fresh stabiliser.

    Raises:
        ConfigError: for an unknown name or parameter (naming the allowed ones) or a value
            out of range.
    """
    allowed = stabilizer_params(name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        names = f"allowed: {', '.join(allowed)}" if allowed else "it takes no parameters"
        raise ConfigError(f"stabilizer {name!r} has no parameter {unknown[0]!r}; {names}")
    if fps is not None and "fps" in allowed:
        params = {**params, "fps": fps}
    try:
        return _CLASSES[name](image_size, **params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"stabilizer {name!r}: bad setting ({exc})") from exc


__all__ = [
    "ALL_STABILIZERS",
    "OFFLINE_STABILIZERS",
    "STABILIZERS",
    "FlowOfflineStabilizer",
    "FlowStabilizer",
    "IdentityStabilizer",
    "KalmanStabilizer",
    "OneEuroStabilizer",
    "SavGolStabilizer",
    "Stabilizer",
    "StabilizerBase",
    "make_stabilizer",
    "stabilizer_params",
]

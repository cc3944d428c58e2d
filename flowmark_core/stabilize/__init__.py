"""Temporal keypoint stabilisation: "none", "one-euro" and "flow" behind one `Stabilizer` API.

Build one with `make_stabilizer(name, image_size, **params)`; each works online
(`update` per frame) and offline (`run` on a trajectory), in pixel coordinates.
"""

from __future__ import annotations

import inspect

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import IdentityStabilizer, Stabilizer, StabilizerBase
from flowmark_core.stabilize.flow_guided import FlowStabilizer
from flowmark_core.stabilize.one_euro import OneEuroStabilizer

STABILIZERS: tuple[str, ...] = ("none", "one-euro", "flow")
_CLASSES: dict[str, type[StabilizerBase]] = {
    "none": IdentityStabilizer,
    "one-euro": OneEuroStabilizer,
    "flow": FlowStabilizer,
}


def stabilizer_params(name: str) -> dict[str, object]:
    """The tunable parameters of a strategy with their defaults (for CLI help and the GUI).

    Raises:
        ConfigError: when `name` is not one of `STABILIZERS`.
    """
    if name not in _CLASSES:
        raise ConfigError(f"stabilizer {name!r} is not known; allowed: {', '.join(STABILIZERS)}")
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
        name: one of `STABILIZERS` ("none", "one-euro", "flow").
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
        return _CLASSES[name](image_size, **params)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"stabilizer {name!r}: bad setting ({exc})") from exc


__all__ = [
    "STABILIZERS",
    "FlowStabilizer",
    "IdentityStabilizer",
    "OneEuroStabilizer",
    "Stabilizer",
    "StabilizerBase",
    "make_stabilizer",
    "stabilizer_params",
]

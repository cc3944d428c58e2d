"""What an evaluation run measures and how much of the data set it reads."""

from __future__ import annotations

from dataclasses import dataclass

from flowmark_core.errors import ConfigError
from flowmark_core.flow import DIS_PRESETS
from flowmark_core.stabilize import STABILIZERS


def _check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ConfigError(f"{name}: expected a positive integer, got {value}")


@dataclass(frozen=True)
class EvalOptions:
    """Options of `evaluate`.

    Attributes:
        stabilizers: inference-time stabilisers to evaluate, one result row each.
        max_videos: evaluate only the first N test videos (natural name order); None = all.
        max_frames: use only the first N frames of each test video; None = all.
        face_metrics: compute AKD / MKR / AED with the dlib backend when it is installed.
        regressor_videos: train videos used to fit the keypoint→landmark regressor; None = all.
        regressor_frames: frames per train video (evenly spaced) for that fit.
        ridge: ridge weight of the regressor fit (see `fit_landmark_regressor`).
        flow_preset: DIS preset of the flow used by the flow residual.
        fb_threshold: forward-backward error (px at model size) above which a keypoint is
            left out of the flow residual.
    """

    stabilizers: tuple[str, ...] = ("none",)
    max_videos: int | None = None
    max_frames: int | None = None
    face_metrics: bool = True
    regressor_videos: int | None = 100
    regressor_frames: int = 8
    ridge: float = 1e-4
    flow_preset: str = "fast"
    fb_threshold: float = 1.0

    def __post_init__(self) -> None:
        if not self.stabilizers:
            raise ConfigError("stabilizers: name at least one of " + ", ".join(STABILIZERS))
        for name in self.stabilizers:
            if name not in STABILIZERS:
                raise ConfigError(
                    f"stabilizer {name!r} is not known; allowed: {', '.join(STABILIZERS)}"
                )
        if len(set(self.stabilizers)) != len(self.stabilizers):
            raise ConfigError(f"stabilizers: each may be named once, got {self.stabilizers}")
        _check_positive("max_videos", self.max_videos)
        _check_positive("max_frames", self.max_frames)
        _check_positive("regressor_videos", self.regressor_videos)
        _check_positive("regressor_frames", self.regressor_frames)
        if self.ridge < 0:
            raise ConfigError(f"ridge: expected >= 0, got {self.ridge}")
        if self.flow_preset not in DIS_PRESETS:
            raise ConfigError(
                f"flow_preset {self.flow_preset!r} is not known; allowed: {', '.join(DIS_PRESETS)}"
            )
        if self.fb_threshold <= 0:
            raise ConfigError(f"fb_threshold: expected > 0, got {self.fb_threshold}")

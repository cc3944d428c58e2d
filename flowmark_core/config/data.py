"""Training-data section of the config (`data:`): where the clips are and how they are sampled."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowmark_core.config.checks import check_choice, check_number
from flowmark_core.errors import ConfigError

#: Sources of the "flow" the flow loss compares keypoints with (`data.flow_method`);
#: "landmarks" is ground-truth landmark motion (flowmark_core.data.landmark_motion).
FLOW_METHODS: tuple[str, ...] = ("dis", "farneback", "landmarks")
FLOW_PRESETS: tuple[str, ...] = ("ultrafast", "fast", "medium")
#: Camera models of `flowmark_core.data.capture.PRESETS` for the capture augmentation
#: (`data.capture_preset`): those without the clip-level H.264 stage ("webcam-h264" is for
#: test splits only, too slow per sample, so it is refused here). Kept equal by a test; the
#: config does not import OpenCV.
CAPTURE_PRESETS: tuple[str, ...] = ("webcam", "lowlight", "lighting", "occlusion")
#: Frames the training flow is computed on under the capture augmentation: the clean ones
#: (privileged, synthetic data only) or the degraded ones the model sees (what real data allows).
CAPTURE_FLOW_ON: tuple[str, ...] = ("degraded", "clean")


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentations applied identically to every frame of a training sample."""

    horizontal_flip: bool = True
    time_flip: bool = True
    brightness: float = 0.1
    contrast: float = 0.1
    saturation: float = 0.1
    hue: float = 0.1

    def __post_init__(self) -> None:
        for name in ("brightness", "contrast", "saturation", "hue"):
            value = getattr(self, name)
            check_number(f"data.augment.{name}", value)
            if value < 0:
                raise ConfigError(f"augment.{name} must be >= 0, got {value}")
        if self.hue > 0.5:
            raise ConfigError(f"augment.hue must be <= 0.5 (half a turn), got {self.hue}")


@dataclass(frozen=True)
class DataConfig:
    """Training data: a folder in the First Order Motion Model layout (train/, test/).

    `capture_preset` (None = off) degrades the frames of a training sample as that camera
    would (`flowmark_core.data.capture`), for a fraction `capture_probability` of samples;
    `capture_flow_on` says which frames the flow for the flow loss is computed on.
    """

    root: str | None = None
    frame_gap: int = 1
    id_sampling: bool = False
    repeats: int = 1
    num_workers: int = 1
    flow_method: str = "dis"
    flow_preset: str = "ultrafast"
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    capture_preset: str | None = None
    capture_probability: float = 1.0
    capture_flow_on: str = "degraded"

    def __post_init__(self) -> None:
        check_choice("data.flow_method", self.flow_method, FLOW_METHODS)
        check_choice("data.flow_preset", self.flow_preset, FLOW_PRESETS)
        if self.capture_preset is not None:
            check_choice("data.capture_preset", self.capture_preset, CAPTURE_PRESETS)
        check_number("data.capture_probability", self.capture_probability, 0, 1)
        check_choice("data.capture_flow_on", self.capture_flow_on, CAPTURE_FLOW_ON)
        if self.frame_gap < 1:
            raise ConfigError(f"data.frame_gap: expected >= 1, got {self.frame_gap}")
        check_number("data.frame_gap", self.frame_gap, 1, 10_000)
        check_number("data.repeats", self.repeats, 1, 1_000_000)
        check_number("data.num_workers", self.num_workers, 0, 256)

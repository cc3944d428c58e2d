"""Typed configuration schema: frozen dataclasses whose values are checked when built.

Every value's range (positive, finite, one of a set) and every combination of values is
checked in `__post_init__`, so a config that exists is one that trains; each derived fact
("is the GAN on", "is the flow loss on") is one property. `from_dict` builds a dataclass from
a mapping (unknown keys and wrong types rejected); reading YAML files, `--set` overrides and
the published First Order Motion Model YAML layout live in `flowmark_core.fomm_config`.

Architecture settings (`ModelConfig`) are kept apart from run-time training options
(`TrainConfig`, `DataConfig`, `LossConfig`).
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flowmark_core.errors import ConfigError

#: Sources of the "flow" the flow loss compares keypoints with (`data.flow_method`);
#: "landmarks" is ground-truth landmark motion (flowmark_core.data.landmark_motion).
FLOW_METHODS: tuple[str, ...] = ("dis", "farneback", "landmarks")
FLOW_PRESETS: tuple[str, ...] = ("ultrafast", "fast", "medium")
#: Largest model input side; bounds memory taken from a config or a checkpoint header.
MAX_IMAGE_SIZE = 2048
MAX_CHANNELS = 8192

T = TypeVar("T")


def _number(where: str, value: float, low: float | None = None, high: float | None = None,
            low_open: bool = False) -> None:  # fmt: skip
    """Raise ConfigError unless `value` is finite and in [low, high] ((low, high] if low_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        lower = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        upper = "" if high is None else f"<= {high}"
        bounds = " and ".join(b for b in (lower, upper) if b)
        raise ConfigError(f"{where}: expected a value {bounds}, got {value!r}")


def _numbers(where: str, values: tuple[float, ...], low: float, high: float | None,
             low_open: bool = False) -> None:  # fmt: skip
    if not values:
        raise ConfigError(f"{where}: expected at least one value")
    for i, v in enumerate(values):
        _number(f"{where}[{i}]", v, low, high, low_open)


def _check_choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key}: got {value!r}, expected one of {', '.join(allowed)}")


@dataclass(frozen=True)
class KeypointDetectorConfig:
    """Hourglass keypoint detector: softmax heatmaps, soft-argmax keypoints, Jacobians."""

    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    temperature: float = 0.1
    scale_factor: float = 0.25
    single_jacobian_map: bool = False
    pad: int = 0

    def __post_init__(self) -> None:
        w = "model.kp_detector"
        _number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        _number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        _number(f"{w}.num_blocks", self.num_blocks, 1, 8)
        _number(f"{w}.temperature", self.temperature, 0, None, low_open=True)
        _number(f"{w}.scale_factor", self.scale_factor, 0, 1, low_open=True)
        _number(f"{w}.pad", self.pad, 0, 16)


@dataclass(frozen=True)
class DenseMotionConfig:
    """Dense motion network: sparse motions -> masks -> dense deformation + occlusion."""

    block_expansion: int = 64
    max_features: int = 1024
    num_blocks: int = 5
    scale_factor: float = 0.25

    def __post_init__(self) -> None:
        w = "model.generator.dense_motion"
        _number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        _number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        _number(f"{w}.num_blocks", self.num_blocks, 1, 8)
        _number(f"{w}.scale_factor", self.scale_factor, 0, 1, low_open=True)


@dataclass(frozen=True)
class GeneratorConfig:
    """Occlusion-aware generator: encoder, feature warping, bottleneck, decoder."""

    block_expansion: int = 64
    max_features: int = 512
    num_down_blocks: int = 2
    num_bottleneck_blocks: int = 6
    estimate_occlusion_map: bool = True
    image_skip: bool = False
    """flowmark extension (off in the published model): blend the full-resolution source
    image, warped by the dense motion, into the output with a learned per-pixel mask, so
    texture the low-resolution bottleneck cannot carry survives."""
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)

    def __post_init__(self) -> None:
        w = "model.generator"
        _number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        _number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        _number(f"{w}.num_down_blocks", self.num_down_blocks, 1, 6)
        _number(f"{w}.num_bottleneck_blocks", self.num_bottleneck_blocks, 0, 64)


@dataclass(frozen=True)
class DiscriminatorConfig:
    """Multi-scale patch discriminator (used only when GAN losses are on)."""

    scales: tuple[float, ...] = (1.0,)
    block_expansion: int = 32
    max_features: int = 512
    num_blocks: int = 4
    sn: bool = True
    use_kp: bool = False

    def __post_init__(self) -> None:
        w = "model.discriminator"
        _numbers(f"{w}.scales", self.scales, 0, 1, low_open=True)
        _number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        _number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        _number(f"{w}.num_blocks", self.num_blocks, 1, 8)


@dataclass(frozen=True)
class ModelConfig:
    """The whole motion model. Defaults are the published vox-256 architecture."""

    num_kp: int = 10
    num_channels: int = 3
    estimate_jacobian: bool = True
    image_size: int = 256
    kp_variance: float = 0.01
    align_corners: bool = True
    """Sampling convention (see `flowmark_core.geometry`): True for new models; FOMM
    checkpoints and models trained before the change store False in their config."""
    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)

    def __post_init__(self) -> None:
        if isinstance(self.num_kp, bool) or not isinstance(self.num_kp, int) or self.num_kp < 1:
            raise ConfigError(f"model.num_kp: expected a positive integer, got {self.num_kp}")
        _number("model.num_kp", self.num_kp, 1, 256)
        _number("model.num_channels", self.num_channels, 1, 4)
        if not 16 <= self.image_size <= MAX_IMAGE_SIZE:
            raise ConfigError(
                f"model.image_size: expected 16..{MAX_IMAGE_SIZE}, got {self.image_size}"
            )
        _number("model.kp_variance", self.kp_variance, 0, None, low_open=True)


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
            _number(f"data.augment.{name}", value)
            if value < 0:
                raise ConfigError(f"augment.{name} must be >= 0, got {value}")
        if self.hue > 0.5:
            raise ConfigError(f"augment.hue must be <= 0.5 (half a turn), got {self.hue}")


@dataclass(frozen=True)
class DataConfig:
    """Training data: a folder in the First Order Motion Model layout (train/, test/)."""

    root: str | None = None
    frame_gap: int = 1
    id_sampling: bool = False
    repeats: int = 1
    num_workers: int = 1
    flow_method: str = "dis"
    flow_preset: str = "ultrafast"
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self) -> None:
        _check_choice("data.flow_method", self.flow_method, FLOW_METHODS)
        _check_choice("data.flow_preset", self.flow_preset, FLOW_PRESETS)
        if self.frame_gap < 1:
            raise ConfigError(f"data.frame_gap: expected >= 1, got {self.frame_gap}")
        _number("data.frame_gap", self.frame_gap, 1, 10_000)
        _number("data.repeats", self.repeats, 1, 1_000_000)
        _number("data.num_workers", self.num_workers, 0, 256)


@dataclass(frozen=True)
class FlowLossConfig:
    """Optical-flow keypoint consistency: a keypoint must move with the content under it.

    The weight ramps linearly from 0 at `warmup_steps` to `weight` at
    `warmup_steps + ramp_steps`. Each keypoint is weighted by how trustworthy the flow is
    under it: exp(-(fb_error / fb_threshold)^2) times a texture term, and zero where the
    forward-backward error exceeds `fb_threshold * fb_cutoff` or the keypoint moved more
    than `max_motion` (fraction of the image size).
    """

    weight: float = 0.0
    jacobian_weight: float = 0.0
    heatmap_weight: float = 0.0
    warmup_steps: int = 0
    ramp_steps: int = 0
    fb_threshold: float = 1.0
    fb_cutoff: float = 3.0
    texture_threshold: float = 0.002
    max_motion: float = 0.1

    def __post_init__(self) -> None:
        w = "loss.flow"
        for name in ("weight", "jacobian_weight", "heatmap_weight", "texture_threshold"):
            _number(f"{w}.{name}", getattr(self, name), 0, None)
        for name in ("warmup_steps", "ramp_steps"):
            _number(f"{w}.{name}", getattr(self, name), 0, None)
        for name in ("fb_threshold", "fb_cutoff", "max_motion"):
            _number(f"{w}.{name}", getattr(self, name), 0, None, low_open=True)

    @property
    def enabled(self) -> bool:
        """True when any flow term has a weight: the data set must then carry flow."""
        return self.weight > 0 or self.jacobian_weight > 0 or self.heatmap_weight > 0


@dataclass(frozen=True)
class LossConfig:
    """Weights of every loss term.

    `keypoint_separation` weighs a prior that pushes keypoints closer than about
    `keypoint_separation_sigma` (in [-1, 1] image coordinates) apart; 0 switches it off.
    `feature_matching` needs the discriminator, which only a GAN weight builds.
    """

    perceptual: tuple[float, ...] = (10.0, 10.0, 10.0, 10.0, 10.0)
    reconstruction_l1: float = 10.0
    reconstruction_ssim: float = 5.0
    equivariance_value: float = 10.0
    equivariance_jacobian: float = 10.0
    generator_gan: float = 0.0
    discriminator_gan: float = 0.0
    feature_matching: float = 0.0
    keypoint_separation: float = 0.0
    keypoint_separation_sigma: float = 0.1
    flow: FlowLossConfig = field(default_factory=FlowLossConfig)

    def __post_init__(self) -> None:
        for i, v in enumerate(self.perceptual):
            _number(f"loss.perceptual[{i}]", v, 0, None)
        for name in ("reconstruction_l1", "reconstruction_ssim", "equivariance_value",
                     "equivariance_jacobian", "generator_gan", "discriminator_gan",
                     "feature_matching", "keypoint_separation"):  # fmt: skip
            _number(f"loss.{name}", getattr(self, name), 0, None)
        if self.keypoint_separation_sigma <= 0:
            raise ConfigError(
                "loss.keypoint_separation_sigma: expected > 0 (a distance in [-1, 1] "
                f"image coordinates), got {self.keypoint_separation_sigma}"
            )
        _number("loss.keypoint_separation_sigma", self.keypoint_separation_sigma, 0, None, True)
        if self.feature_matching > 0 and not self.uses_gan:
            raise ConfigError(
                "loss.feature_matching: needs the discriminator, which is built only when "
                "loss.generator_gan or loss.discriminator_gan is > 0 (it would do nothing)"
            )

    @property
    def uses_gan(self) -> bool:
        """True when a GAN term is on: training builds and trains the discriminator."""
        return self.generator_gan > 0 or self.discriminator_gan > 0


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation schedule and bookkeeping."""

    steps: int = 20000
    batch_size: int = 8
    lr_generator: float = 2e-4
    lr_kp_detector: float = 2e-4
    lr_discriminator: float = 2e-4
    lr_schedule: str = "cosine"
    lr_warmup_steps: int = 200
    lr_min_ratio: float = 0.05
    betas: tuple[float, ...] = (0.5, 0.999)
    adam_eps: float = 1e-8
    optimizer: str = "adam"
    scales: tuple[float, ...] = (1.0, 0.5, 0.25, 0.125)
    sigma_affine: float = 0.05
    sigma_tps: float = 0.005
    points_tps: int = 5
    vgg19_weights: str | None = None
    bf16: bool = False
    seed: int = 0
    deterministic: bool = False
    checkpoint_every: int = 500
    log_every: int = 20
    image_every: int = 500
    grad_clip: float = 0.0

    def __post_init__(self) -> None:
        _check_choice("train.lr_schedule", self.lr_schedule, ("cosine", "constant"))
        _check_choice("train.optimizer", self.optimizer, ("adam", "sgd"))
        if self.batch_size < 1:
            raise ConfigError(f"train.batch_size: expected >= 1, got {self.batch_size}")
        _number("train.steps", self.steps, 1, None)
        _number("train.batch_size", self.batch_size, 1, 4096)
        for name in ("lr_generator", "lr_kp_detector", "lr_discriminator"):
            _number(f"train.{name}", getattr(self, name), 0, 10, low_open=True)
        _number("train.lr_warmup_steps", self.lr_warmup_steps, 0, None)
        _number("train.lr_min_ratio", self.lr_min_ratio, 0, 1)
        if len(self.betas) != 2:
            raise ConfigError(f"train.betas: expected two values, got {list(self.betas)}")
        _numbers("train.betas", self.betas, 0, 0.999999)
        _number("train.adam_eps", self.adam_eps, 0, None, low_open=True)
        _numbers("train.scales", self.scales, 0, 1, low_open=True)
        _number("train.sigma_affine", self.sigma_affine, 0, None)
        _number("train.sigma_tps", self.sigma_tps, 0, None)
        _number("train.points_tps", self.points_tps, 1, 64)
        _number("train.seed", self.seed, 0, None)
        _number("train.checkpoint_every", self.checkpoint_every, 0, None)
        _number("train.log_every", self.log_every, 1, None)
        _number("train.image_every", self.image_every, 0, None)
        _number("train.grad_clip", self.grad_clip, 0, None)


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything a training run needs: the model plus the run-time options."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


# A YAML 1.1 reader (PyYAML) reads 1e-3 (no dot) as a string; such text is a number here.
_SCIENTIFIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def _convert(tp: Any, value: Any, where: str) -> Any:
    """Convert a YAML value to the annotated type `tp`, or raise ConfigError naming `where`."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
        return from_dict(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item_tp, *_rest) = typing.get_args(tp)
        return tuple(_convert(item_tp, v, f"{where}[{i}]") for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, str) and _SCIENTIFIC.match(value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{where}: expected a finite number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {tp}")


def from_dict(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass `cls` from a mapping; unknown keys and wrong types raise ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or cls.__name__}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    kwargs = {}
    for key, value in data.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in names:
            raise ConfigError(f"unknown config key {path!r}; allowed keys here: {', '.join(names)}")
        kwargs[key] = _convert(hints[key], value, path)
    return cls(**kwargs)


def to_dict(obj: Any) -> dict[str, Any]:
    """Plain-YAML/JSON representation of a config dataclass (tuples become lists)."""

    def plain(v: Any) -> Any:
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return plain(dataclasses.asdict(obj))


def model_config_from_dict(data: dict[str, Any]) -> ModelConfig:
    """Build a `ModelConfig` from its dict form (as stored in checkpoints)."""
    return from_dict(ModelConfig, data, "model")


_MOVED_TO_LOADING = ("load_config", "read_yaml", "apply_overrides")


def __getattr__(name: str) -> Any:
    """`load_config`, `read_yaml`, `apply_overrides` now live in `flowmark_core.fomm_config`.

    Kept importable from here (resolved on first use, no import cycle) until every caller
    imports them from their new home.
    """
    if name in _MOVED_TO_LOADING:
        from flowmark_core import fomm_config

        return getattr(fomm_config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Typed configuration: frozen dataclasses built from YAML, unknown keys rejected.

Architecture settings (`ModelConfig`) are kept apart from run-time training options
(`TrainConfig`, `DataConfig`, `LossConfig`). `load_config` reads our own YAML layout and also
the published First Order Motion Model YAML files (they carry `model_params`).
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from flowmark_core.data.landmark_motion import LANDMARK_MOTION
from flowmark_core.errors import ConfigError

T = TypeVar("T")


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


@dataclass(frozen=True)
class DenseMotionConfig:
    """Dense motion network: sparse motions -> masks -> dense deformation + occlusion."""

    block_expansion: int = 64
    max_features: int = 1024
    num_blocks: int = 5
    scale_factor: float = 0.25


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


@dataclass(frozen=True)
class DiscriminatorConfig:
    """Multi-scale patch discriminator (used only when GAN losses are on)."""

    scales: tuple[float, ...] = (1.0,)
    block_expansion: int = 32
    max_features: int = 512
    num_blocks: int = 4
    sn: bool = True
    use_kp: bool = False


@dataclass(frozen=True)
class ModelConfig:
    """The whole motion model. Defaults are the published vox-256 architecture."""

    num_kp: int = 10
    num_channels: int = 3
    estimate_jacobian: bool = True
    image_size: int = 256
    kp_variance: float = 0.01
    align_corners: bool = False
    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)

    def __post_init__(self) -> None:
        if self.num_kp < 1:
            raise ConfigError(f"model.num_kp: expected a positive integer, got {self.num_kp}")
        if self.image_size < 16:
            raise ConfigError(f"model.image_size: expected >= 16, got {self.image_size}")


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
        _check_choice("data.flow_method", self.flow_method, ("dis", "farneback", LANDMARK_MOTION))
        if self.frame_gap < 1:
            raise ConfigError(f"data.frame_gap: expected >= 1, got {self.frame_gap}")


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


@dataclass(frozen=True)
class LossConfig:
    """Weights of every loss term.

    `keypoint_separation` weighs a prior that pushes keypoints closer than about
    `keypoint_separation_sigma` (in [-1, 1] image coordinates) apart; 0 switches it off.
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
        if self.keypoint_separation_sigma <= 0:
            raise ConfigError(
                "loss.keypoint_separation_sigma: expected > 0 (a distance in [-1, 1] "
                f"image coordinates), got {self.keypoint_separation_sigma}"
            )


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


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything a training run needs: the model plus the run-time options."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def _check_choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key}: got {value!r}, expected one of {', '.join(allowed)}")


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
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {tp}")


def from_dict(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass `cls` from a mapping; unknown keys and wrong types raise ConfigError."""
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


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping safely; missing file or bad YAML -> ConfigError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{p}: not valid YAML ({first})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a YAML mapping at the top level")
    return data


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of a config mapping with `dotted.key=value` overrides (values parsed as YAML).

    Example:
        >>> apply_overrides({"loss": {"flow": {"weight": 5.0}}}, ["loss.flow.weight=1"])
        {'loss': {'flow': {'weight': 1}}}

    Raises:
        ConfigError: an override without `=`, or a key path through a non-mapping value.
    """
    out = copy.deepcopy(data)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {item!r}: expected KEY=VALUE, e.g. loss.flow.weight=1")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ConfigError(f"override {item!r}: value is not valid YAML") from None
        parts = key.strip().split(".")
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise ConfigError(f"override {item!r}: {where} is a value, not a section")
            node = child
        node[parts[-1]] = value
    return out


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """Load our YAML layout or a published FOMM YAML file into an `ExperimentConfig`.

    `overrides` (`dotted.key=value`) change single keys of the file before it is checked.
    """
    data = apply_overrides(read_yaml(path), overrides)
    try:
        if "model_params" in data:
            from flowmark_core.fomm_config import experiment_from_fomm

            return experiment_from_fomm(data)
        return from_dict(ExperimentConfig, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def model_config_from_dict(data: dict[str, Any]) -> ModelConfig:
    """Build a `ModelConfig` from its dict form (as stored in checkpoints)."""
    return from_dict(ModelConfig, data, "model")

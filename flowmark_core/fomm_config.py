"""Config files: read our YAML layout or a published First Order Motion Model YAML.

`load_config` reads a YAML file, applies `--set key=value` overrides and builds the typed
schema of `flowmark_core.config` (which checks every value). FOMM files (they carry
`model_params`) are mapped onto the schema here; only keys present in the file are passed
on, so every default lives in one place, the dataclasses.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from flowmark_core.config import (
    AugmentConfig,
    DataConfig,
    DenseMotionConfig,
    DiscriminatorConfig,
    ExperimentConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    LossConfig,
    ModelConfig,
    TrainConfig,
    from_dict,
)
from flowmark_core.errors import ConfigError
from flowmark_core.strict_yaml import load_yaml

#: Largest config file read (a config is a few KB; this bounds what a wrong file costs).
MAX_CONFIG_BYTES = 1 << 20


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping safely; missing file or bad YAML -> ConfigError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    if p.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{p}: too large for a config file (over {MAX_CONFIG_BYTES} bytes)")
    try:
        data = load_yaml(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{p}: not valid YAML ({first})") from None
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None
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
            value = load_yaml(text)
        except (yaml.YAMLError, ConfigError):
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
            return experiment_from_fomm(data)
        return from_dict(ExperimentConfig, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {}) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.{key}: expected a mapping")
    return dict(value)


def _present(source: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """{our_name: source[their_name]} for the keys the FOMM file actually has."""
    return {ours: source[theirs] for ours, theirs in mapping.items() if theirs in source}


def model_from_fomm(model_params: dict[str, Any], frame_size: int = 256) -> ModelConfig:
    """Strictly map FOMM `model_params` (unknown keys are errors) to a `ModelConfig`."""
    common = _section(model_params, "common_params", "model_params")
    kp = _section(model_params, "kp_detector_params", "model_params")
    gen = _section(model_params, "generator_params", "model_params")
    disc = _section(model_params, "discriminator_params", "model_params")
    unknown = set(model_params) - {
        "common_params",
        "kp_detector_params",
        "generator_params",
        "discriminator_params",
    }
    if unknown:
        raise ConfigError(f"unknown key model_params.{sorted(unknown)[0]}")
    dense = _section(gen, "dense_motion_params", "model_params.generator_params")
    gen.pop("dense_motion_params", None)
    common_known = {"num_kp", "num_channels", "estimate_jacobian"}
    for k in common:
        if k not in common_known:
            raise ConfigError(
                f"unknown key model_params.common_params.{k}; allowed: {', '.join(sorted(common_known))}"
            )
    kp_cfg = from_dict(KeypointDetectorConfig, kp, "model_params.kp_detector_params")
    dense_cfg = from_dict(
        DenseMotionConfig, dense, "model_params.generator_params.dense_motion_params"
    )
    gen_cfg = from_dict(GeneratorConfig, gen, "model_params.generator_params")
    disc_cfg = from_dict(DiscriminatorConfig, disc, "model_params.discriminator_params")
    top = from_dict(ModelConfig, {**common, "image_size": frame_size}, "model_params.common_params")
    return ModelConfig(
        num_kp=top.num_kp,
        num_channels=top.num_channels,
        estimate_jacobian=top.estimate_jacobian,
        image_size=top.image_size,
        kp_detector=kp_cfg,
        generator=GeneratorConfig(
            block_expansion=gen_cfg.block_expansion,
            max_features=gen_cfg.max_features,
            num_down_blocks=gen_cfg.num_down_blocks,
            num_bottleneck_blocks=gen_cfg.num_bottleneck_blocks,
            estimate_occlusion_map=gen_cfg.estimate_occlusion_map,
            dense_motion=dense_cfg,
        ),
        discriminator=disc_cfg,
    )


def experiment_from_fomm(data: dict[str, Any]) -> ExperimentConfig:
    """Map a whole FOMM YAML (dataset/model/train params) onto an `ExperimentConfig`.

    Model parameters are mapped strictly; training and data settings that have a flowmark
    equivalent are carried over, the rest (visualiser, reconstruction) is ignored. FOMM's
    augmentations are off unless its file turns them on.
    """
    dataset = _section(data, "dataset_params", "")
    frame_shape = dataset.get("frame_shape", [256, 256, 3])
    if not isinstance(frame_shape, (list, tuple)) or not frame_shape:
        raise ConfigError(f"dataset_params.frame_shape: expected [H, W, C], got {frame_shape!r}")
    model = model_from_fomm(_section(data, "model_params", ""), frame_shape[0])
    aug = _section(dataset, "augmentation_params", "dataset_params")
    flip = _section(aug, "flip_param", "augmentation_params")
    jitter = _section(aug, "jitter_param", "augmentation_params")
    augment = from_dict(
        AugmentConfig,
        {
            "horizontal_flip": bool(flip.get("horizontal_flip", False)),
            "time_flip": bool(flip.get("time_flip", False)),
            **{k: jitter.get(k, 0.0) for k in ("brightness", "contrast", "saturation", "hue")},
        },
        "dataset_params.augmentation_params",
    )
    train = _section(data, "train_params", "")
    weights = _section(train, "loss_weights", "train_params")
    transform = _section(train, "transform_params", "train_params")
    loss_values = _present(
        weights,
        {
            "perceptual": "perceptual",
            "equivariance_value": "equivariance_value",
            "equivariance_jacobian": "equivariance_jacobian",
            "generator_gan": "generator_gan",
            "discriminator_gan": "discriminator_gan",
        },
    )
    matching = weights.get("feature_matching")
    if matching:
        loss_values["feature_matching"] = float(sum(matching))
    loss = from_dict(LossConfig, loss_values, "train_params.loss_weights")
    train_values = {
        **_present(
            train,
            {
                "batch_size": "batch_size",
                "lr_generator": "lr_generator",
                "lr_kp_detector": "lr_kp_detector",
                "lr_discriminator": "lr_discriminator",
                "scales": "scales",
            },
        ),
        **_present(
            transform,
            {"sigma_affine": "sigma_affine", "sigma_tps": "sigma_tps", "points_tps": "points_tps"},
        ),
    }
    tc = from_dict(TrainConfig, train_values, "train_params")
    root = dataset.get("root_dir")
    data_cfg = from_dict(
        DataConfig,
        {
            "root": str(root) if root else None,
            "id_sampling": bool(dataset.get("id_sampling", False)),
            **_present(train, {"repeats": "num_repeats"}),
        },
        "dataset_params",
    )
    data_cfg = dataclasses.replace(data_cfg, augment=augment)
    return ExperimentConfig(model=model, data=data_cfg, loss=loss, train=tc)

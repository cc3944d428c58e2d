"""The published First Order Motion Model YAML layout mapped onto our config schema.

FOMM files (they carry `model_params`) are mapped strictly for the model and loosely for the
run-time options; only keys present in the file are passed on, so every default lives in one
place, the dataclasses. `config.files.load_config` reads the file and calls this module.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flowmark_core.config.data import AugmentConfig, DataConfig
from flowmark_core.config.experiment import ExperimentConfig
from flowmark_core.config.loss import LossConfig
from flowmark_core.config.mapping import from_dict
from flowmark_core.config.model import (
    DenseMotionConfig,
    DiscriminatorConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)
from flowmark_core.config.train import TrainConfig
from flowmark_core.errors import ConfigError


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

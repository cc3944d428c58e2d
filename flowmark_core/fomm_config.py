"""Map a published First Order Motion Model YAML config onto our typed config."""

from __future__ import annotations

from typing import Any

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


def _section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {}) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.{key}: expected a mapping")
    return dict(value)


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
    return ModelConfig(
        num_kp=int(common.get("num_kp", 10)),
        num_channels=int(common.get("num_channels", 3)),
        estimate_jacobian=bool(common.get("estimate_jacobian", True)),
        image_size=frame_size,
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
    equivalent are carried over, the rest (visualiser, reconstruction) is ignored.
    """
    dataset = _section(data, "dataset_params", "")
    frame_shape = dataset.get("frame_shape", [256, 256, 3])
    model = model_from_fomm(_section(data, "model_params", ""), int(frame_shape[0]))
    aug = _section(dataset, "augmentation_params", "dataset_params")
    flip = _section(aug, "flip_param", "augmentation_params")
    jitter = _section(aug, "jitter_param", "augmentation_params")
    augment = AugmentConfig(
        horizontal_flip=bool(flip.get("horizontal_flip", False)),
        time_flip=bool(flip.get("time_flip", False)),
        brightness=float(jitter.get("brightness", 0.0)),
        contrast=float(jitter.get("contrast", 0.0)),
        saturation=float(jitter.get("saturation", 0.0)),
        hue=float(jitter.get("hue", 0.0)),
    )
    train = _section(data, "train_params", "")
    weights = _section(train, "loss_weights", "train_params")
    transform = _section(train, "transform_params", "train_params")
    perceptual = weights.get("perceptual", [10, 10, 10, 10, 10])
    loss = LossConfig(
        perceptual=tuple(float(w) for w in perceptual),
        equivariance_value=float(weights.get("equivariance_value", 10)),
        equivariance_jacobian=float(weights.get("equivariance_jacobian", 10)),
        generator_gan=float(weights.get("generator_gan", 0)),
        discriminator_gan=float(weights.get("discriminator_gan", 0)),
        feature_matching=float(sum(weights.get("feature_matching", [0]) or [0])),
    )
    tc = TrainConfig(
        batch_size=int(train.get("batch_size", 8)),
        lr_generator=float(train.get("lr_generator", 2e-4)),
        lr_kp_detector=float(train.get("lr_kp_detector", 2e-4)),
        lr_discriminator=float(train.get("lr_discriminator", 2e-4)),
        scales=tuple(float(s) for s in train.get("scales", [1, 0.5, 0.25, 0.125])),
        sigma_affine=float(transform.get("sigma_affine", 0.05)),
        sigma_tps=float(transform.get("sigma_tps", 0.005)),
        points_tps=int(transform.get("points_tps", 5)),
    )
    root = dataset.get("root_dir")
    data_cfg = DataConfig(
        root=str(root) if root else None,
        id_sampling=bool(dataset.get("id_sampling", False)),
        repeats=int(train.get("num_repeats", 1)),
        augment=augment,
    )
    return ExperimentConfig(model=model, data=data_cfg, loss=loss, train=tc)

"""A tiny experiment config for training tests."""

import dataclasses

from flowmark_core.config import (
    DataConfig,
    ExperimentConfig,
    FlowLossConfig,
    LossConfig,
    TrainConfig,
)
from tests.model_configs import compact_config


def tiny_experiment(steps: int = 20, batch: int = 4, **train_kw: object) -> ExperimentConfig:
    model = compact_config(num_kp=3, size=32, width=4, blocks=2, down_blocks=1)
    loss = LossConfig(
        flow=FlowLossConfig(
            weight=1.0, jacobian_weight=0.5, heatmap_weight=0.5, texture_threshold=0.0
        )
    )
    train = TrainConfig(
        steps=steps,
        batch_size=batch,
        lr_warmup_steps=0,
        lr_schedule="constant",
        lr_generator=2e-3,
        lr_kp_detector=2e-3,
        scales=(1.0, 0.5),
        **{
            "checkpoint_every": 0,
            "log_every": 5,
            "image_every": 0,
            "seed": 3,
            "adam_eps": 1e-2,
            **train_kw,
        },
    )  # type: ignore[arg-type]
    return ExperimentConfig(model=model, data=DataConfig(num_workers=0), loss=loss, train=train)


def sgd_tiny_experiment(steps: int) -> ExperimentConfig:
    """The tiny experiment with SGD: its update is linear in the gradient (unlike Adam's), so
    gradient-averaging errors across processes show in the parameters."""
    cfg = tiny_experiment(steps=steps)
    train = dataclasses.replace(
        cfg.train, optimizer="sgd", lr_generator=0.002, lr_kp_detector=0.002
    )
    return dataclasses.replace(cfg, train=train)

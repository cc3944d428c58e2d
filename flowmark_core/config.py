"""Typed configuration schema: frozen dataclasses whose values are checked when built.

Every value's range (positive, finite, one of a set) and every combination of values is
checked in `__post_init__`, so a config that exists is one that trains; each derived fact
("is the GAN on", "is the flow loss on") is one property. `from_dict` builds a dataclass from
a mapping (unknown keys and wrong types rejected); reading YAML files, `--set` overrides and
the published First Order Motion Model YAML layout live in `flowmark_core.fomm_config`.

One module per section, all importable from here:

- `config_model`: the architecture (`ModelConfig` and its parts), stored in checkpoints;
- `config_data`, `config_loss`, `config_train`: run-time training options;
- `config_mapping`: `from_dict` / `to_dict`; `config_checks`: the range checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowmark_core.config_data import FLOW_METHODS, FLOW_PRESETS, AugmentConfig, DataConfig
from flowmark_core.config_loss import FlowLossConfig, LossConfig
from flowmark_core.config_mapping import from_dict, to_dict
from flowmark_core.config_model import (
    MAX_CHANNELS,
    MAX_IMAGE_SIZE,
    DenseMotionConfig,
    DiscriminatorConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)
from flowmark_core.config_train import TrainConfig

__all__ = [
    "FLOW_METHODS",
    "FLOW_PRESETS",
    "MAX_CHANNELS",
    "MAX_IMAGE_SIZE",
    "AugmentConfig",
    "DataConfig",
    "DenseMotionConfig",
    "DiscriminatorConfig",
    "ExperimentConfig",
    "FlowLossConfig",
    "GeneratorConfig",
    "KeypointDetectorConfig",
    "LossConfig",
    "ModelConfig",
    "TrainConfig",
    "from_dict",
    "model_config_from_dict",
    "to_dict",
]


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything a training run needs: the model plus the run-time options."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def model_config_from_dict(data: dict[str, Any]) -> ModelConfig:
    """Build a `ModelConfig` from its dict form (as stored in checkpoints)."""
    return from_dict(ModelConfig, data, "model")

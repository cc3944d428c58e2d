"""The whole experiment (the model plus the run-time options); a model config from its dict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowmark_core.config.data import DataConfig
from flowmark_core.config.loss import LossConfig
from flowmark_core.config.mapping import from_dict
from flowmark_core.config.model import ModelConfig
from flowmark_core.config.train import TrainConfig


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

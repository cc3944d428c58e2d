"""Typed configuration schema: frozen dataclasses whose values are checked when built.

Every value's range (positive, finite, one of a set) and every combination of values is
checked in `__post_init__`, so a config that exists is one that trains; each derived fact
("is the GAN on", "is the flow loss on") is one property. `from_dict` builds a dataclass from
a mapping (unknown keys and wrong types rejected).

One module per section, all importable from here:

- `model`: the architecture (`ModelConfig` and its parts), stored in checkpoints;
- `data`, `loss`, `train`: run-time training options; `experiment`: all of them together;
- `mapping`: `from_dict` / `to_dict`; `checks`: the range checks.

Reading files is not imported here: `config.files` (`load_config`, `--set` overrides, with
`strict_yaml`, the one YAML reader) and `config.fomm` (the published First Order Motion Model
YAML layout mapped onto the schema) import the schema, never the reverse.
"""

from __future__ import annotations

from flowmark_core.config.data import FLOW_METHODS, FLOW_PRESETS, AugmentConfig, DataConfig
from flowmark_core.config.experiment import ExperimentConfig, model_config_from_dict
from flowmark_core.config.loss import FlowLossConfig, LossConfig
from flowmark_core.config.mapping import from_dict, to_dict
from flowmark_core.config.model import (
    MAX_CHANNELS,
    MAX_IMAGE_SIZE,
    DenseMotionConfig,
    DiscriminatorConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)
from flowmark_core.config.train import TrainConfig

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

"""The training config of the DDP equality test."""

import dataclasses

from flowmark_core.config import ExperimentConfig
from tests.core.training.helpers import tiny_experiment


def sgd_tiny_experiment(steps: int) -> ExperimentConfig:
    """SGD: unlike Adam its update is linear in the gradient, so averaging errors show."""
    cfg = tiny_experiment(steps=steps)
    return dataclasses.replace(
        cfg,
        train=dataclasses.replace(
            cfg.train, optimizer="sgd", lr_generator=0.002, lr_kp_detector=0.002
        ),
    )

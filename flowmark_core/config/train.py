"""Optimisation section of the config (`train:`): schedule, optimiser and bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass

from flowmark_core.config.checks import check_choice, check_number, check_numbers
from flowmark_core.errors import ConfigError


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
        check_choice("train.lr_schedule", self.lr_schedule, ("cosine", "constant"))
        check_choice("train.optimizer", self.optimizer, ("adam", "sgd"))
        if self.batch_size < 1:
            raise ConfigError(f"train.batch_size: expected >= 1, got {self.batch_size}")
        check_number("train.steps", self.steps, 1, None)
        check_number("train.batch_size", self.batch_size, 1, 4096)
        for name in ("lr_generator", "lr_kp_detector", "lr_discriminator"):
            check_number(f"train.{name}", getattr(self, name), 0, 10, low_open=True)
        check_number("train.lr_warmup_steps", self.lr_warmup_steps, 0, None)
        check_number("train.lr_min_ratio", self.lr_min_ratio, 0, 1)
        if len(self.betas) != 2:
            raise ConfigError(f"train.betas: expected two values, got {list(self.betas)}")
        check_numbers("train.betas", self.betas, 0, 0.999999)
        check_number("train.adam_eps", self.adam_eps, 0, None, low_open=True)
        check_numbers("train.scales", self.scales, 0, 1, low_open=True)
        check_number("train.sigma_affine", self.sigma_affine, 0, None)
        check_number("train.sigma_tps", self.sigma_tps, 0, None)
        check_number("train.points_tps", self.points_tps, 1, 64)
        check_number("train.seed", self.seed, 0, None)
        check_number("train.checkpoint_every", self.checkpoint_every, 0, None)
        check_number("train.log_every", self.log_every, 1, None)
        check_number("train.image_every", self.image_every, 0, None)
        check_number("train.grad_clip", self.grad_clip, 0, None)

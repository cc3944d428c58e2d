"""Typed configuration of the keypoint motion prior (model, tracks, training)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from flowmark_core.errors import ConfigError

CELLS: tuple[str, ...] = ("gru", "lstm")
TRACK_KINDS: tuple[str, ...] = ("raw", "flow")
MAX_FRAMES = 256  # the longest sequence `flowmark generate` renders (frames after the first)
#: Bounds of the prior's sizes (the seed's: hidden 128, latent 16): a header or an option
#: asking for more would allocate gigabytes before anything else fails.
MAX_HIDDEN = 4096
MAX_LATENT = 1024
MAX_PRIOR_KEYPOINTS = 1024


@dataclass(frozen=True)
class PriorModelConfig:
    """Shape of the conditional VAE.

    Attributes:
        num_kp: keypoints of the animation model the prior was trained on.
        hidden: width of the recurrent cells and of the condition MLP.
        latent: size of the latent code z (one per sequence).
        cell: "gru" or "lstm" (decoder and posterior encoder).
        jacobian_bound: soft bound (tanh) on each entry of the log-Jacobian A_t; the
            determinant then changes by at most exp(2 * bound) from the first frame's.
    """

    num_kp: int = 10
    hidden: int = 128
    latent: int = 16
    cell: str = "gru"
    jacobian_bound: float = 1.0

    def __post_init__(self) -> None:
        if self.num_kp < 1:
            raise ConfigError(f"motion prior num_kp {self.num_kp}: expected at least 1")
        if not (4 <= self.hidden <= MAX_HIDDEN and 1 <= self.latent <= MAX_LATENT):
            raise ConfigError(
                f"motion prior hidden {self.hidden} / latent {self.latent}: expected "
                f"4..{MAX_HIDDEN} / 1..{MAX_LATENT}"
            )
        if not 1 <= self.num_kp <= MAX_PRIOR_KEYPOINTS:
            raise ConfigError(
                f"motion prior num_kp {self.num_kp}: expected 1..{MAX_PRIOR_KEYPOINTS}"
            )
        if self.cell not in CELLS:
            raise ConfigError(
                f"motion prior cell {self.cell!r}: expected one of {', '.join(CELLS)}"
            )
        if not self.jacobian_bound > 0:
            raise ConfigError(f"motion prior jacobian_bound {self.jacobian_bound}: expected > 0")


@dataclass(frozen=True)
class PriorTrainConfig:
    """Optimisation of the prior.

    Attributes:
        frames: frames predicted after the first (the seed: 32).
        steps, batch_size, lr: Adam steps, sequences per step, learning rate.
        kl_weight: weight of KL(posterior || prior); kl_warmup: steps of its linear ramp.
        jacobian_weight: weight of the Jacobian term against the displacement term.
        tracks: "raw" detector tracks or "flow"-stabilised ones.
    """

    frames: int = 32
    steps: int = 3000
    batch_size: int = 64
    lr: float = 2e-3
    kl_weight: float = 1e-3
    kl_warmup: int = 500
    jacobian_weight: float = 0.1
    seed: int = 0
    tracks: str = "raw"
    log_every: int = 50
    checkpoint_every: int = 500

    def __post_init__(self) -> None:
        if not 1 <= self.frames <= MAX_FRAMES:
            raise ConfigError(f"prior frames {self.frames}: expected 1..{MAX_FRAMES}")
        if self.steps < 1 or self.batch_size < 1:
            raise ConfigError(f"prior steps {self.steps} / batch {self.batch_size}: expected >= 1")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"prior lr {self.lr}: expected a finite number > 0")
        if not (math.isfinite(self.kl_weight) and self.kl_weight >= 0):
            raise ConfigError(f"prior kl_weight {self.kl_weight}: expected a finite number >= 0")
        if self.checkpoint_every < 0 or self.log_every < 1:
            raise ConfigError(
                f"prior checkpoint_every {self.checkpoint_every} / log_every {self.log_every}: "
                "expected >= 0 / >= 1"
            )
        if self.tracks not in TRACK_KINDS:
            raise ConfigError(
                f"prior tracks {self.tracks!r}: expected one of {', '.join(TRACK_KINDS)}"
            )


def to_plain(config: PriorModelConfig | PriorTrainConfig) -> dict[str, Any]:
    """A JSON-ready dict of a config."""
    return asdict(config)


def model_config_from(data: dict[str, Any]) -> PriorModelConfig:
    """Rebuild a PriorModelConfig from `to_plain` output (unknown keys are an error)."""
    return _from(PriorModelConfig, data)


def _from(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{cls.__name__}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(known))}"
        )
    try:
        return cls(**data)
    except TypeError as exc:
        raise ConfigError(f"{cls.__name__}: {exc}") from None

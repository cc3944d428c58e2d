"""Loss section of the config (`loss:`): the weight of every term, the flow loss's settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowmark_core.config.checks import check_number
from flowmark_core.errors import ConfigError


@dataclass(frozen=True)
class FlowLossConfig:
    """Optical-flow keypoint consistency: a keypoint must move with the content under it.

    The weight ramps linearly from 0 at `warmup_steps` to `weight` at
    `warmup_steps + ramp_steps`. Each keypoint is weighted by how trustworthy the flow is
    under it: exp(-(fb_error / fb_threshold)^2) times a texture term, and zero where the
    forward-backward error exceeds `fb_threshold * fb_cutoff` or the keypoint moved more
    than `max_motion` (fraction of the image size).
    """

    weight: float = 0.0
    jacobian_weight: float = 0.0
    heatmap_weight: float = 0.0
    warmup_steps: int = 0
    ramp_steps: int = 0
    fb_threshold: float = 1.0
    fb_cutoff: float = 3.0
    texture_threshold: float = 0.002
    max_motion: float = 0.1

    def __post_init__(self) -> None:
        w = "loss.flow"
        for name in ("weight", "jacobian_weight", "heatmap_weight", "texture_threshold"):
            check_number(f"{w}.{name}", getattr(self, name), 0, None)
        for name in ("warmup_steps", "ramp_steps"):
            check_number(f"{w}.{name}", getattr(self, name), 0, None)
        for name in ("fb_threshold", "fb_cutoff", "max_motion"):
            check_number(f"{w}.{name}", getattr(self, name), 0, None, low_open=True)

    @property
    def enabled(self) -> bool:
        """True when any flow term has a weight: the data set must then carry flow."""
        return self.weight > 0 or self.jacobian_weight > 0 or self.heatmap_weight > 0


@dataclass(frozen=True)
class LossConfig:
    """Weights of every loss term.

    `keypoint_separation` weighs a prior that pushes keypoints closer than about
    `keypoint_separation_sigma` (in [-1, 1] image coordinates) apart; 0 switches it off.
    `feature_matching` needs the discriminator, which only a GAN weight builds.
    """

    perceptual: tuple[float, ...] = (10.0, 10.0, 10.0, 10.0, 10.0)
    reconstruction_l1: float = 10.0
    reconstruction_ssim: float = 5.0
    equivariance_value: float = 10.0
    equivariance_jacobian: float = 10.0
    generator_gan: float = 0.0
    discriminator_gan: float = 0.0
    feature_matching: float = 0.0
    keypoint_separation: float = 0.0
    keypoint_separation_sigma: float = 0.1
    flow: FlowLossConfig = field(default_factory=FlowLossConfig)

    def __post_init__(self) -> None:
        for i, v in enumerate(self.perceptual):
            check_number(f"loss.perceptual[{i}]", v, 0, None)
        for name in ("reconstruction_l1", "reconstruction_ssim", "equivariance_value",
                     "equivariance_jacobian", "generator_gan", "discriminator_gan",
                     "feature_matching", "keypoint_separation"):  # fmt: skip
            check_number(f"loss.{name}", getattr(self, name), 0, None)
        if self.keypoint_separation_sigma <= 0:
            raise ConfigError(
                "loss.keypoint_separation_sigma: expected > 0 (a distance in [-1, 1] "
                f"image coordinates), got {self.keypoint_separation_sigma}"
            )
        check_number(
            "loss.keypoint_separation_sigma", self.keypoint_separation_sigma, 0, None, True
        )
        if self.feature_matching > 0 and not self.uses_gan:
            raise ConfigError(
                "loss.feature_matching: needs the discriminator, which is built only when "
                "loss.generator_gan or loss.discriminator_gan is > 0 (it would do nothing)"
            )

    @property
    def uses_gan(self) -> bool:
        """True when a GAN term is on: training builds and trains the discriminator."""
        return self.generator_gan > 0 or self.discriminator_gan > 0

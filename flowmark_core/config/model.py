"""Architecture section of the config (`model:`): detector, dense motion, generator, discriminator.

These settings decide the shapes of the weights, so they travel inside every checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowmark_core.config.checks import check_number, check_numbers
from flowmark_core.errors import ConfigError

#: Largest model input side; bounds memory taken from a config or a checkpoint header.
MAX_IMAGE_SIZE = 2048
MAX_CHANNELS = 8192


@dataclass(frozen=True)
class KeypointDetectorConfig:
    """Hourglass keypoint detector: softmax heatmaps, soft-argmax keypoints, Jacobians."""

    block_expansion: int = 32
    max_features: int = 1024
    num_blocks: int = 5
    temperature: float = 0.1
    scale_factor: float = 0.25
    single_jacobian_map: bool = False
    pad: int = 0

    def __post_init__(self) -> None:
        w = "model.kp_detector"
        check_number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        check_number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        check_number(f"{w}.num_blocks", self.num_blocks, 1, 8)
        check_number(f"{w}.temperature", self.temperature, 0, None, low_open=True)
        check_number(f"{w}.scale_factor", self.scale_factor, 0, 1, low_open=True)
        check_number(f"{w}.pad", self.pad, 0, 16)


@dataclass(frozen=True)
class DenseMotionConfig:
    """Dense motion network: sparse motions -> masks -> dense deformation + occlusion."""

    block_expansion: int = 64
    max_features: int = 1024
    num_blocks: int = 5
    scale_factor: float = 0.25

    def __post_init__(self) -> None:
        w = "model.generator.dense_motion"
        check_number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        check_number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        check_number(f"{w}.num_blocks", self.num_blocks, 1, 8)
        check_number(f"{w}.scale_factor", self.scale_factor, 0, 1, low_open=True)


@dataclass(frozen=True)
class GeneratorConfig:
    """Occlusion-aware generator: encoder, feature warping, bottleneck, decoder."""

    block_expansion: int = 64
    max_features: int = 512
    num_down_blocks: int = 2
    num_bottleneck_blocks: int = 6
    estimate_occlusion_map: bool = True
    image_skip: bool = False
    """flowmark extension (off in the published model): blend the full-resolution source
    image, warped by the dense motion, into the output with a learned per-pixel mask, so
    texture the low-resolution bottleneck cannot carry survives."""
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)

    def __post_init__(self) -> None:
        w = "model.generator"
        check_number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        check_number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        check_number(f"{w}.num_down_blocks", self.num_down_blocks, 1, 6)
        check_number(f"{w}.num_bottleneck_blocks", self.num_bottleneck_blocks, 0, 64)


@dataclass(frozen=True)
class DiscriminatorConfig:
    """Multi-scale patch discriminator (used only when GAN losses are on)."""

    scales: tuple[float, ...] = (1.0,)
    block_expansion: int = 32
    max_features: int = 512
    num_blocks: int = 4
    sn: bool = True
    use_kp: bool = False

    def __post_init__(self) -> None:
        w = "model.discriminator"
        check_numbers(f"{w}.scales", self.scales, 0, 1, low_open=True)
        check_number(f"{w}.block_expansion", self.block_expansion, 1, MAX_CHANNELS)
        check_number(f"{w}.max_features", self.max_features, 1, MAX_CHANNELS)
        check_number(f"{w}.num_blocks", self.num_blocks, 1, 8)


@dataclass(frozen=True)
class ModelConfig:
    """The whole motion model. Defaults are the published vox-256 architecture."""

    num_kp: int = 10
    num_channels: int = 3
    estimate_jacobian: bool = True
    image_size: int = 256
    kp_variance: float = 0.01
    align_corners: bool = True
    """Sampling convention (see `flowmark_core.geometry`): True for new models; FOMM
    checkpoints and models trained before the change store False in their config."""
    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)

    def __post_init__(self) -> None:
        if isinstance(self.num_kp, bool) or not isinstance(self.num_kp, int) or self.num_kp < 1:
            raise ConfigError(f"model.num_kp: expected a positive integer, got {self.num_kp}")
        check_number("model.num_kp", self.num_kp, 1, 256)
        check_number("model.num_channels", self.num_channels, 1, 4)
        if not 16 <= self.image_size <= MAX_IMAGE_SIZE:
            raise ConfigError(
                f"model.image_size: expected 16..{MAX_IMAGE_SIZE}, got {self.image_size}"
            )
        check_number("model.kp_variance", self.kp_variance, 0, None, low_open=True)
        self._check_runnable_size()

    def _check_runnable_size(self) -> None:
        """The hourglasses halve the side num_blocks times and put the halves back
        together, so the side they work at must divide by 2**num_blocks (100 px with two
        blocks at 1/4 reached training and died in a 40-line size-mismatch traceback)."""
        parts = (
            ("model.kp_detector", self.kp_detector.scale_factor, self.kp_detector.num_blocks),
            (
                "model.generator.dense_motion",
                self.generator.dense_motion.scale_factor,
                self.generator.dense_motion.num_blocks,
            ),
            ("model.generator", 1.0, self.generator.num_down_blocks),
        )
        for name, scale, blocks in parts:
            step = round(1.0 / scale)
            if abs(1.0 / scale - step) > 1e-6:
                raise ConfigError(
                    f"{name}.scale_factor: expected 1/n for a whole n (1, 0.5, 0.25, ...), "
                    f"got {scale}"
                )
            side = -(-self.image_size // step)
            if side % 2**blocks:
                raise ConfigError(
                    f"model.image_size: {self.image_size} cannot run: {name} works at "
                    f"{side} px, which must be a multiple of 2**{blocks}; use a multiple of "
                    f"{step * 2**blocks}"
                )

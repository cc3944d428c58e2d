"""Small model configs for fast tests, in one place."""

from flowmark_core.config import (
    DenseMotionConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)


def compact_config(
    num_kp: int = 5,
    jacobian: bool = True,
    size: int = 64,
    width: int = 8,
    blocks: int = 3,
    down_blocks: int = 2,
) -> ModelConfig:
    """A compact model of the published layout: `width` channels, `blocks` hourglass levels."""
    return ModelConfig(
        num_kp=num_kp,
        image_size=size,
        estimate_jacobian=jacobian,
        kp_detector=KeypointDetectorConfig(
            block_expansion=width,
            max_features=4 * width,
            num_blocks=blocks,
            scale_factor=0.5,
            pad=3,
        ),
        generator=GeneratorConfig(
            block_expansion=width,
            max_features=4 * width,
            num_down_blocks=down_blocks,
            num_bottleneck_blocks=1,
            dense_motion=DenseMotionConfig(
                block_expansion=width, max_features=4 * width, num_blocks=blocks, scale_factor=0.5
            ),
        ),
    )

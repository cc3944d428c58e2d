"""Model configs used across model tests: the published vox-256 layout and a compact one."""

import pytest

from flowmark_core.config import (
    DenseMotionConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)


def compact_config(num_kp: int = 5, jacobian: bool = True, size: int = 64) -> ModelConfig:
    return ModelConfig(
        num_kp=num_kp,
        image_size=size,
        estimate_jacobian=jacobian,
        kp_detector=KeypointDetectorConfig(
            block_expansion=8, max_features=32, num_blocks=3, scale_factor=0.5, pad=3
        ),
        generator=GeneratorConfig(
            block_expansion=8,
            max_features=32,
            num_down_blocks=2,
            num_bottleneck_blocks=1,
            dense_motion=DenseMotionConfig(
                block_expansion=8, max_features=32, num_blocks=3, scale_factor=0.5
            ),
        ),
    )


@pytest.fixture(params=["vox-256", "compact"])
def model_config(request: pytest.FixtureRequest) -> ModelConfig:
    return ModelConfig() if request.param == "vox-256" else compact_config()


@pytest.fixture
def compact() -> ModelConfig:
    return compact_config()

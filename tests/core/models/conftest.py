"""Model configs used across model tests: the published vox-256 layout and a compact one."""

import pytest

from flowmark_core.config import ModelConfig
from tests.model_configs import compact_config


@pytest.fixture(params=["vox-256", "compact"])
def model_config(request: pytest.FixtureRequest) -> ModelConfig:
    return ModelConfig() if request.param == "vox-256" else compact_config()


@pytest.fixture
def compact() -> ModelConfig:
    return compact_config()

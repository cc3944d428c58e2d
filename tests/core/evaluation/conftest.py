"""A tiny synthetic face data set and two tiny random-weights checkpoints (64 px)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.cli.main import main
from flowmark_core.config import (
    ModelConfig,
)
from flowmark_core.models import build_model
from tests.model_configs import compact_config


def tiny_model_config() -> ModelConfig:
    """A 64 px model small enough to evaluate a few frames in well under a second."""
    return compact_config(width=4)


@pytest.fixture(scope="package")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """faces, 4 videos (2 train, 2 test) of 8 frames at 64 px, with landmarks.npz."""
    root = tmp_path_factory.mktemp("evaluation") / "faces"
    args = ["data", "synth", "--family", "faces", "--videos", "4", "--frames", "8"]
    assert main([*args, "--size", "64", "--workers", "1", "--seed", "5", str(root)]) == 0
    return root


@pytest.fixture(scope="package")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two random-weights checkpoints of the tiny config, in folders run-a/ and run-b/."""
    folder = tmp_path_factory.mktemp("models")
    paths = []
    for seed, name in ((1, "run-a"), (2, "run-b")):
        torch.manual_seed(seed)
        (folder / name).mkdir()
        paths.append(
            save_checkpoint(folder / name / "model.safetensors", build_model(tiny_model_config()))
        )
    return paths[0], paths[1]


@pytest.fixture(scope="package", autouse=True)
def _one_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread, above all beside a busy training job."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

"""A tiny model whose checkpoint carries a training config, and a short synthetic face clip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.config import to_dict
from flowmark_core.data.synthetic import render_clip
from flowmark_core.models import build_model
from tests.core.training.helpers import tiny_experiment


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def write_frames(folder: Path, frames: np.ndarray) -> Path:
    folder.mkdir()
    for t, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{t:04d}.png"), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 32 px model whose checkpoint carries the tiny training config."""
    cfg = tiny_experiment()
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("adapt-model") / "tiny.safetensors"
    return save_checkpoint(path, build_model(cfg.model), {"train_config": to_dict(cfg), "step": 0})


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clip = render_clip("faces", 11, 12, 20, 64)
    return write_frames(tmp_path_factory.mktemp("adapt-video") / "face", clip.frames)

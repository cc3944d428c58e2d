"""Synthetic keypoint tracks with known motion, and a tiny animation model + prior on disk."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.models import build_model
from flowmark_core.motion_prior.checkpoint import save_prior
from flowmark_core.motion_prior.config import PriorModelConfig
from flowmark_core.motion_prior.model import MotionPrior
from flowmark_core.motion_prior.tracks import TrackSet
from tests.model_configs import compact_config


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """The prior's ops are tiny: on a busy 2-core machine two threads mostly wait on each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def sine_tracks(videos: int = 12, frames: int = 20, num_kp: int = 3, seed: int = 0) -> TrackSet:
    """Keypoints swinging on sines of random phase/amplitude; Jacobians rotating slowly."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames)[:, None]
    values, jacobians = [], []
    for _ in range(videos):
        base = rng.uniform(-0.5, 0.5, (num_kp, 2))
        amp, phase = rng.uniform(0.02, 0.1), rng.uniform(0, 2 * np.pi)
        swing = amp * np.sin(0.3 * t + phase)
        v = base[None] + np.stack([swing, 0.5 * swing], -1)[:, :, 0][:, None, :]
        angle = 0.2 * np.sin(0.2 * t[:, 0] + phase)
        c, s = np.cos(angle), np.sin(angle)
        rot = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
        values.append(np.broadcast_to(v, (frames, num_kp, 2)))
        jacobians.append(np.broadcast_to(rot[:, None], (frames, num_kp, 2, 2)))
    return TrackSet(
        np.concatenate(values).astype(np.float32),
        np.concatenate(jacobians).astype(np.float32),
        np.full(videos, frames, np.int64),
        np.array([f"v{i}" for i in range(videos)]),
    )


@pytest.fixture(scope="session")
def generation_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny 4-keypoint model with a prior beside it (priors/<stem>) and a 3-keypoint prior."""
    root = tmp_path_factory.mktemp("i2v")
    model = root / "tiny.safetensors"
    save_checkpoint(model, build_model(compact_config(num_kp=4)), {"step": 0})
    (root / "priors").mkdir()
    meta = {"animation_model": "tiny", "num_kp": 4}
    save_prior(
        root / "priors" / "tiny.safetensors",
        MotionPrior(PriorModelConfig(num_kp=4, hidden=8, latent=2)),
        meta,
    )
    other = root / "three.safetensors"
    save_prior(other, MotionPrior(PriorModelConfig(num_kp=3, hidden=8, latent=2)), {"num_kp": 3})
    return {
        "model": model,
        "prior": root / "priors" / "tiny.safetensors",
        "other_prior": other,
        "root": root,
    }

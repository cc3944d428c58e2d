"""A tiny random-weights checkpoint and small media files for CLI tests."""

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.io.images import write_image
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.models import build_model
from tests.model_configs import compact_config


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("media")
    rng = np.random.default_rng(0)
    base = (rng.random((80, 80, 3)) * 255).astype(np.uint8)
    write_image(root / "source.png", base)
    with VideoWriter(root / "driving.mp4", fps=12) as w:
        for t in range(9):
            w.write(np.roll(base, t, axis=1))
    model = root / "tiny.safetensors"
    save_checkpoint(model, build_model(compact_config(num_kp=4)), {"step": 0})
    return {
        "source": root / "source.png",
        "driving": root / "driving.mp4",
        "model": model,
        "root": root,
    }

"""The command line, the app and the evaluation frame a non-square video the same way: one
video through `flowmark keypoints`, the app's engine worker and the evaluation's tracks gives
the same keypoints (the centred square of every frame, never a stretched frame)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from pytestqt.qtbot import QtBot

from flowmark_core.animate import Animator
from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.cli.main import main
from flowmark_core.data.synthetic import render_clip
from flowmark_core.evaluation.trajectories import video_trajectories
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.models import build_model
from flowmark_gui.state.model_handle import ModelSpec
from tests.gui.conftest import TINY, Media, WindowFactory, wait_tracked


@pytest.fixture
def wide_clip(tmp_path: Path) -> Path:
    """A 96x64 clip: a face at the centre with textured bands left and right (a stretch
    would squeeze the face, a centred square shows it as it is)."""
    faces = render_clip("faces", 7, 8, 8, 64, expressive=True).frames
    rng = np.random.default_rng(4)
    path = tmp_path / "data" / "test" / "wide.mp4"
    path.parent.mkdir(parents=True)
    with VideoWriter(path, fps=25.0) as writer:
        for face in faces:
            bands = (rng.random((64, 16, 3)) * 255).astype(np.uint8)
            writer.write(np.concatenate([bands, face, bands[:, ::-1]], axis=1))
    return path


def test_cli_app_and_evaluation_agree_on_a_non_square_video(
    make_window: WindowFactory, media: Media, qtbot: QtBot, wide_clip: Path, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model_path = tmp_path / "tiny.safetensors"
    save_checkpoint(model_path, build_model(TINY))

    out = tmp_path / "keypoints.npz"
    args = ["keypoints", str(wide_clip), "-o", str(out), "--model", str(model_path)]
    assert main([*args, "--precision", "float32"]) == 0
    cli = np.load(out)["raw"]

    spec = ModelSpec(path=str(model_path), precision="float32")
    window = make_window(media["source"], wide_clip, spec=spec)
    wait_tracked(qtbot, window, "none")
    app = window.session.track.track.raw

    animator = Animator.from_checkpoint(model_path, precision="float32")
    evaluation = video_trajectories(animator, tmp_path / "data", 0, ("none",)).tracks["none"]

    assert cli.shape == app.shape == evaluation.shape == (8, TINY.num_kp, 2)
    np.testing.assert_allclose(app, cli, atol=1e-4)
    np.testing.assert_allclose(evaluation, cli, atol=1e-4)

"""The "Generate Motion" action: a sampled keypoint future of the Source becomes the driving
video, whose track the trajectory dock plots; pressing again re-samples (another seed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.models import build_model
from flowmark_core.motion_prior.checkpoint import save_prior
from flowmark_core.motion_prior.config import PriorModelConfig
from flowmark_core.motion_prior.model import MotionPrior
from flowmark_gui.state.model_handle import ModelSpec
from tests.gui.conftest import TINY, WAIT_MS, Media, WindowFactory


@pytest.fixture(scope="module")
def model_with_prior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny GUI model on disk with a (visibly moving) prior in priors/<stem>.safetensors."""
    root = tmp_path_factory.mktemp("with-prior")
    path = root / "tiny.safetensors"
    save_checkpoint(path, build_model(TINY), {"step": 0})
    prior = MotionPrior(PriorModelConfig(num_kp=TINY.num_kp, hidden=8, latent=2))
    prior.step_head.bias.data.fill_(0.5)  # every step moves: the track cannot be flat
    (root / "priors").mkdir()
    save_prior(root / "priors" / "tiny.safetensors", prior, {"num_kp": TINY.num_kp})
    return path


def test_generate_motion_fills_the_plotted_track(
    make_window: WindowFactory, media: Media, qtbot: QtBot, model_with_prior: Path
) -> None:
    window = make_window(
        media["source"], spec=ModelSpec(path=str(model_with_prior), precision="float32")
    )
    session = window.session
    qtbot.waitUntil(lambda: session.source is not None, timeout=WAIT_MS)
    assert session.track is None and window.plot.plotted_keypoints() == []
    with qtbot.waitSignal(window.motion_generator.generated, timeout=WAIT_MS):
        window.actions["generate_motion"].trigger()
    qtbot.waitUntil(lambda: session.track is not None, timeout=WAIT_MS)
    track = session.track.track
    assert track.raw.shape == (32, TINY.num_kp, 2)
    assert window.plot.plotted_keypoints() == list(range(TINY.num_kp))
    assert len(window.plot.raw_curves) == TINY.num_kp
    _xs, ys = window.plot.raw_curves[0][0].getData()
    np.testing.assert_allclose(ys, track.raw[:, 0, 0])
    first = session.driving.path
    # again: a new seed, a new clip and track
    with qtbot.waitSignal(window.motion_generator.generated, timeout=WAIT_MS):
        window.actions["generate_motion"].trigger()
    qtbot.waitUntil(
        lambda: session.driving is not None and session.driving.path != first, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: session.track is not None, timeout=WAIT_MS)
    assert window.motion_generator.next_seed == 2


def test_without_a_prior_the_action_says_so(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"])  # random weights: no prior beside them
    session = window.session
    qtbot.waitUntil(lambda: session.source is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(
        session.message, timeout=WAIT_MS, check_params_cb=lambda text, level: level == "error"
    ):
        window.actions["generate_motion"].trigger()
    assert session.track is None

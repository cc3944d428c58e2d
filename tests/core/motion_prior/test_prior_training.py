"""Training the prior on known synthetic motion: the loss falls, resume is exact."""

from pathlib import Path

import numpy as np
import torch

from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig
from flowmark_core.motion_prior.tracks import load_tracks, sample_windows, save_tracks
from flowmark_core.motion_prior.training import PRIOR_FILE, PRIOR_STATE_FILE, PriorTrainer
from tests.core.motion_prior.conftest import sine_tracks

MODEL = PriorModelConfig(num_kp=3, hidden=24, latent=2)


def _train(
    out: Path, steps: int, max_steps: int | None = None, resume: Path | None = None
) -> PriorTrainer:
    cfg = PriorTrainConfig(
        frames=8, steps=steps, batch_size=16, lr=5e-3, kl_warmup=10, log_every=5, checkpoint_every=0
    )
    trainer = PriorTrainer(
        MODEL,
        cfg,
        sine_tracks(),
        out,
        {"num_kp": 3},
        resume=resume,
        max_steps=max_steps,
        quiet=True,
    )
    trainer.run()
    return trainer


def test_smoke_run_loss_decreases(tmp_path: Path) -> None:
    trainer = _train(tmp_path, 80)
    first, last = np.mean(trainer.history[:10]), np.mean(trainer.history[-10:])
    assert last < 0.5 * first, (first, last)
    assert (tmp_path / PRIOR_FILE).is_file() and (tmp_path / PRIOR_STATE_FILE).is_file()
    assert (tmp_path / "metrics.csv").is_file() or (tmp_path / "tensorboard").is_dir()


def test_resume_continues_exactly(tmp_path: Path) -> None:
    straight = _train(tmp_path / "a", 12)
    _train(tmp_path / "b", 12, max_steps=7)
    resumed = _train(tmp_path / "b", 12, resume=tmp_path / "b")
    assert resumed.step == 12
    for (name, a), b in zip(
        straight.prior.state_dict().items(), resumed.prior.state_dict().values()
    ):
        torch.testing.assert_close(a, b, msg=name)


def test_windows_and_cache_roundtrip(tmp_path: Path) -> None:
    tracks = sine_tracks(videos=4, frames=10)
    v, j = sample_windows(tracks, 9, 5, np.random.default_rng(0))
    assert v.shape == (5, 10, 3, 2) and j.shape == (5, 10, 3, 2, 2)
    # every window is 10 consecutive frames of one video (length 10: start 0 of some video)
    candidates = [tracks.video(i)[0] for i in range(len(tracks))]
    for window in v:
        assert any(np.array_equal(window, c) for c in candidates)
    save_tracks(tmp_path / "t.npz", tracks)
    back = load_tracks(tmp_path / "t.npz")
    np.testing.assert_array_equal(back.values, tracks.values)
    assert list(back.names) == list(tracks.names)


def test_ctrl_c_saves_the_step_reached_and_propagates(tmp_path: Path) -> None:
    """Ctrl-C inside a step (the CLI's handlers installed): the step in hand is finished,
    saved once, and the stop propagates; a bare KeyboardInterrupt inside a step saves
    nothing (its weights may be half-updated, fault campaign 3 RC12)."""
    import os
    import signal

    import pytest

    from flowmark_core.training.interrupts import Stopped, deferred_stops, stop_on_signals

    cfg = PriorTrainConfig(frames=8, steps=20, batch_size=8, checkpoint_every=0)
    trainer = PriorTrainer(MODEL, cfg, sine_tracks(), tmp_path, {"num_kp": 3}, quiet=True)
    real_step = trainer.train_step

    def step_then_interrupt() -> dict[str, float]:
        if trainer.step == 5:
            os.kill(os.getpid(), signal.SIGINT)  # acted on after this step
        return real_step()

    trainer.train_step = step_then_interrupt  # type: ignore[method-assign]
    with stop_on_signals(), deferred_stops(), pytest.raises(Stopped) as stopped:
        trainer.run()
    assert stopped.value.saved
    from flowmark_core.motion_prior.checkpoint import load_prior

    _prior, meta = load_prior(tmp_path / PRIOR_FILE)
    assert meta["step"] == 6

    bare = PriorTrainer(MODEL, cfg, sine_tracks(), tmp_path / "bare", {"num_kp": 3}, quiet=True)

    def interrupted_inside() -> dict[str, float]:
        raise KeyboardInterrupt

    bare.train_step = interrupted_inside  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        bare.run()
    assert not (tmp_path / "bare" / PRIOR_FILE).exists()

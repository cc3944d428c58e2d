"""Training: smoke run, resume equality, kill-safe checkpoints, NaN stop."""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from flowmark_core.errors import TrainingError
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.state import load_train_state
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

CPU = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))
ROOT = Path(__file__).resolve().parents[3]


def _params(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}


def test_twenty_step_smoke_run_decreases_the_loss(tmp_path: Path) -> None:
    cfg = tiny_experiment(steps=20, image_every=10)
    trainer = Trainer(cfg, ToyMotionDataset(), tmp_path, CPU, quiet=True)
    losses = [trainer.train_step(b)["total"] for b, _ in zip(trainer.loader, range(20))]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5
    trainer.save()
    assert (tmp_path / "model.safetensors").exists() and (tmp_path / "train-state.pt").exists()
    assert (tmp_path / "samples.png").stat().st_size > 0


def test_bf16_run_with_logging_images_and_checkpoints(tmp_path: Path) -> None:
    cfg = tiny_experiment(steps=4, bf16=True, image_every=2, checkpoint_every=2)
    Trainer(cfg, ToyMotionDataset(), tmp_path, CPU, quiet=True).run()
    assert load_train_state(tmp_path / "train-state.pt")["step"] == 4
    assert (tmp_path / "samples.png").exists() and (tmp_path / "metrics.csv").exists()


def test_resume_equals_uninterrupted_training(tmp_path: Path) -> None:
    torch.use_deterministic_algorithms(True)
    try:
        cfg = tiny_experiment(steps=8)
        full = Trainer(cfg, ToyMotionDataset(), tmp_path / "full", CPU, quiet=True)
        full.run()
        half = Trainer(cfg, ToyMotionDataset(), tmp_path / "half", CPU, max_steps=4, quiet=True)
        half.run()
        resumed = Trainer(
            cfg,
            ToyMotionDataset(),
            tmp_path / "half",
            CPU,
            resume=tmp_path / "half" / "train-state.pt",
            quiet=True,
        )
        assert resumed.step == 4
        resumed.run()
    finally:
        torch.use_deterministic_algorithms(False)
    a, b = _params(full), _params(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key].float(), b[key].float(), atol=1e-6), key


def test_nan_loss_stops_naming_step_and_term(tmp_path: Path) -> None:
    cfg = tiny_experiment(steps=5)
    trainer = Trainer(cfg, ToyMotionDataset(), tmp_path, CPU, quiet=True)
    with torch.no_grad():
        trainer.model.generator.final.weight.fill_(float("nan"))
    with pytest.raises(TrainingError, match=r"loss term 'reconstruction' became nan at step 0"):
        trainer.run()
    assert not (tmp_path / "train-state.pt").exists()  # nothing bad was saved


KILL_SCRIPT = """
import sys, torch
from pathlib import Path
sys.path.insert(0, {root!r})
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset
import dataclasses
cfg = tiny_experiment(steps=100000)
cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, checkpoint_every=1))
Trainer(cfg, ToyMotionDataset(), Path({out!r}), DistInfo(0, 1, 0, torch.device("cpu")), quiet=True).run()
"""


def test_checkpoint_survives_sigkill_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    script = KILL_SCRIPT.format(root=str(ROOT), out=str(out))
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=dict(os.environ, OMP_NUM_THREADS="1")
    )
    deadline = time.time() + 120
    try:
        while time.time() < deadline and not (out / "train-state.pt").exists():
            time.sleep(0.05)
        time.sleep(1.0)  # let it run on, saving every step, then kill it mid-work
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    state = load_train_state(out / "train-state.pt")
    assert state["step"] >= 1
    cfg = tiny_experiment(steps=state["step"] + 2)
    resumed = Trainer(cfg, ToyMotionDataset(), out, CPU, resume=out / "train-state.pt", quiet=True)
    assert resumed.step == state["step"]
    resumed.run()
    assert resumed.step == state["step"] + 2


@pytest.mark.parametrize("add_skip", [False, True], ids=["same-config", "adds-image-skip"])
def test_warm_start_from_model_file_takes_weights_and_step(
    tmp_path: Path, capsys: pytest.CaptureFixture, add_skip: bool
) -> None:
    cfg = tiny_experiment(steps=6)
    first = Trainer(cfg, ToyMotionDataset(), tmp_path / "a", CPU, max_steps=3, quiet=True)
    first.run()
    gen = dataclasses.replace(cfg.model.generator, image_skip=add_skip)
    warm_cfg = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, generator=gen))
    capsys.readouterr()
    warm = Trainer(
        warm_cfg,
        ToyMotionDataset(),
        tmp_path / "b",
        CPU,
        init=tmp_path / "a" / "model.safetensors",
        quiet=True,
    )
    said = "leaves freshly initialised generator.skip_mask" in capsys.readouterr().out
    assert said == add_skip
    assert warm.step == 3
    for key, value in first.model.state_dict().items():
        assert torch.equal(value, warm.model.state_dict()[key]), key
    warm.run()
    assert warm.step == 6
    if add_skip:
        assert warm.model.generator.skip_mask.weight.abs().sum() > 0  # the new head trains


def test_keypoint_separation_term_is_its_weight_times_the_prior(tmp_path: Path) -> None:
    from flowmark_core.losses.keypoint_separation import keypoint_separation_loss

    cfg = tiny_experiment(steps=2)
    cfg = dataclasses.replace(
        cfg,
        loss=dataclasses.replace(cfg.loss, keypoint_separation=3.0, keypoint_separation_sigma=0.2),
    )
    trainer = Trainer(cfg, ToyMotionDataset(), tmp_path, CPU, quiet=True)
    batch = next(iter(trainer.loader))
    with torch.no_grad():
        out = trainer.objective(batch, flow_scale=0.0)
    kps = torch.cat([out.kp_source.value, out.kp_driving.value])
    expected = 3.0 * float(keypoint_separation_loss(kps, 0.2))
    assert float(out.terms["keypoint_separation"]) == pytest.approx(expected, rel=1e-5)
    assert "keypoint_separation" in trainer.train_step(batch)

"""The learning-rate schedule counts from the step a run (or its warm start) began at."""

import dataclasses
import math
from pathlib import Path

import pytest
import torch

from flowmark_core.config import TrainConfig
from flowmark_core.errors import TrainingError
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.schedule import lr_factor
from flowmark_core.training.state import load_train_state
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

CPU = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))
COSINE = TrainConfig(steps=1100, lr_warmup_steps=100, lr_schedule="cosine", lr_min_ratio=0.0)


def test_cosine_from_zero_warms_up_then_decays_to_the_floor() -> None:
    assert lr_factor(0, COSINE) == pytest.approx(0.01)
    assert lr_factor(99, COSINE) == pytest.approx(1.0)
    assert lr_factor(600, COSINE) == pytest.approx(0.5)  # half way through the decay
    assert lr_factor(1100, COSINE) == pytest.approx(0.0, abs=1e-12)


def test_a_schedule_started_later_is_the_same_curve_shifted() -> None:
    cfg = TrainConfig(steps=9100, lr_warmup_steps=100, lr_schedule="cosine", lr_min_ratio=0.0)
    for local in (0, 50, 99, 100, 300, 600, 1000):
        assert lr_factor(8000 + local, cfg, start=8000) == pytest.approx(lr_factor(local, COSINE))
    # Counted from 0, the same warm start would have run at the tail of the decay.
    assert lr_factor(8100, cfg) < 0.05 * lr_factor(8100, cfg, start=8000)


def _lr(trainer: Trainer) -> float:
    return trainer.opt_gen.param_groups[0]["lr"]


def test_warm_start_runs_the_schedule_from_its_step_and_resume_keeps_it(tmp_path: Path) -> None:
    base = tiny_experiment(steps=4)
    Trainer(base, ToyMotionDataset(), tmp_path / "a", CPU, quiet=True).run()
    cfg = tiny_experiment(steps=12, checkpoint_every=3)
    cosine = dataclasses.replace(
        cfg.train, lr_schedule="cosine", lr_warmup_steps=2, lr_min_ratio=0.0
    )
    cfg = dataclasses.replace(cfg, train=cosine)
    model = tmp_path / "a" / "model.safetensors"
    warm = Trainer(
        cfg, ToyMotionDataset(), tmp_path / "b", CPU, init=model, max_steps=7, quiet=True
    )
    assert warm.step == 4 and warm.schedule_start == 4
    peak = cfg.train.lr_generator
    assert _lr(warm) == pytest.approx(peak * 0.5)  # the first warm-up step of 2
    warm.run()
    # step 7: 3 steps in, 1 past the warm-up, 1/6 of the way through the 6-step decay
    assert _lr(warm) == pytest.approx(peak * 0.5 * (1 + math.cos(math.pi / 6)))
    assert load_train_state(tmp_path / "b" / "train-state.pt")["schedule_start"] == 4
    resumed = Trainer(
        cfg,
        ToyMotionDataset(),
        tmp_path / "b",
        CPU,
        resume=tmp_path / "b" / "train-state.pt",
        quiet=True,
    )
    assert resumed.schedule_start == 4 and _lr(resumed) == pytest.approx(_lr(warm))


def test_warm_start_at_or_past_the_last_step_is_refused(tmp_path: Path) -> None:
    Trainer(tiny_experiment(steps=4), ToyMotionDataset(), tmp_path / "a", CPU, quiet=True).run()
    with pytest.raises(TrainingError, match="warm start is at step 4, not before train.steps"):
        Trainer(
            tiny_experiment(steps=4),
            ToyMotionDataset(),
            tmp_path / "b",
            CPU,
            init=tmp_path / "a" / "model.safetensors",
            quiet=True,
        )

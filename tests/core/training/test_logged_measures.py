"""Measures logged beside the loss terms: they reach the log but not the total loss."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

CPU = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))


def test_the_flow_loss_mean_weight_is_logged_and_not_a_loss(tmp_path: Path) -> None:
    trainer = Trainer(tiny_experiment(steps=2), ToyMotionDataset(), tmp_path, CPU, quiet=True)
    batch = next(iter(trainer.loader))
    with torch.no_grad():
        out = trainer.objective(batch, flow_scale=1.0)
    weight = float(out.measures["flow_mean_weight"])
    assert 0.0 < weight <= 1.0
    assert "flow_mean_weight" not in out.terms
    assert float(out.total) == pytest.approx(float(sum(out.terms.values())), rel=1e-6)
    assert "flow_mean_weight" in trainer.train_step(batch)

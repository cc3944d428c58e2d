"""The GAN path of training: one step with the discriminator on, and its resume."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from flowmark_core.config import DiscriminatorConfig, ExperimentConfig
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

CPU = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))


def gan_experiment(steps: int) -> ExperimentConfig:
    """The tiny experiment with every GAN term on and a discriminator that fits 32 px."""
    cfg = tiny_experiment(steps=steps)
    disc = DiscriminatorConfig(block_expansion=4, max_features=16, num_blocks=2)
    loss = dataclasses.replace(
        cfg.loss, generator_gan=1.0, discriminator_gan=1.0, feature_matching=1.0
    )
    model = dataclasses.replace(cfg.model, discriminator=disc)
    return dataclasses.replace(cfg, model=model, loss=loss)


def _state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_one_gan_step_logs_every_term_and_trains_the_discriminator(tmp_path: Path) -> None:
    trainer = Trainer(gan_experiment(1), ToyMotionDataset(), tmp_path, CPU, quiet=True)
    assert trainer.discriminator is not None
    before = _state(trainer.discriminator)
    logged = trainer.train_step(next(iter(trainer.loader)))
    for term in ("generator_gan", "feature_matching", "discriminator_gan"):
        assert torch.isfinite(torch.tensor(logged[term])), term
    after = _state(trainer.discriminator)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_the_discriminator_is_not_part_of_the_objective(tmp_path: Path) -> None:
    """Its parameters belong to its own optimiser (and its own DDP wrap) only: inside the
    objective they would also be in the objective's DDP wrap and its state."""
    trainer = Trainer(gan_experiment(1), ToyMotionDataset(), tmp_path, CPU, quiet=True)
    assert trainer.discriminator is not None
    disc = {id(p) for p in trainer.discriminator.parameters()}
    assert disc and not disc & {id(p) for p in trainer.objective.parameters()}
    assert not any(k.startswith("discriminator") for k in trainer.objective.state_dict())


def test_gan_resume_equals_uninterrupted_training(tmp_path: Path) -> None:
    torch.use_deterministic_algorithms(True)
    try:
        cfg = gan_experiment(2)
        full = Trainer(cfg, ToyMotionDataset(), tmp_path / "full", CPU, quiet=True)
        full.run()
        half = Trainer(cfg, ToyMotionDataset(), tmp_path / "half", CPU, max_steps=1, quiet=True)
        half.run()
        state = tmp_path / "half" / "train-state.pt"
        resumed = Trainer(cfg, ToyMotionDataset(), tmp_path / "half", CPU, resume=state, quiet=True)
        assert resumed.step == 1
        resumed.run()
    finally:
        torch.use_deterministic_algorithms(False)
    assert full.discriminator is not None and resumed.discriminator is not None
    for a, b in ((full.model, resumed.model), (full.discriminator, resumed.discriminator)):
        sa, sb = _state(a), _state(b)
        assert sa.keys() == sb.keys()
        for key in sa:
            assert torch.allclose(sa[key].float(), sb[key].float(), atol=1e-6), key

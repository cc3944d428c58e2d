"""Self-reconstruction fine-tune of a motion model on one clip.

Each step draws `batch_size` (source, driving, driving + 1) triplets from the clip and runs
the training objective of `flowmark_core.training` with every loss of the model's own
training config (reconstruction, equivariance, the flow loss with the clip's optical flow).
The weights after the last completed step are kept aside, so an interruption in the middle
of a step still saves a consistent model.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from flowmark_core.adapt.clip import AdaptClip
from flowmark_core.config import ExperimentConfig, from_dict
from flowmark_core.errors import ConfigError, TrainingError
from flowmark_core.models import MotionModel
from flowmark_core.training.objective import TrainBatch, TrainingObjective

DEFAULT_LR = 1e-4
DEFAULT_BATCH = 4


def adapt_config(model: MotionModel, meta: dict[str, Any]) -> ExperimentConfig:
    """The training config to adapt with: the checkpoint's own (its losses and weights),
    else the defaults; the model part is always the loaded model's."""
    saved = meta.get("train_config")
    config = ExperimentConfig()
    if isinstance(saved, dict):
        try:
            config = from_dict(ExperimentConfig, saved)
        except ConfigError:
            config = ExperimentConfig()  # an older layout: the default losses serve
    return dataclasses.replace(config, model=model.config)


def _to_tensor(frames: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255.0


class Adapter:
    """Fine-tunes `model` in place on one clip.

    Args:
        model: the model to adapt (its weights change).
        config: see `adapt_config`.
        clip: frames and flow at the model's size.
        lr: Adam learning rate of both the detector and the generator.
        batch_size: triplets per step.
        seed: seeds the triplets and the equivariance warps.
    """

    def __init__(
        self,
        model: MotionModel,
        config: ExperimentConfig,
        clip: AdaptClip,
        lr: float = DEFAULT_LR,
        batch_size: int = DEFAULT_BATCH,
        seed: int = 0,
    ) -> None:
        if len(clip) < 3:
            raise ValueError("an adaptation clip needs at least 3 frames")
        self.model, self.cfg, self.batch_size = model, config, batch_size
        self.objective = TrainingObjective(model, config, vgg=None)
        t = config.train
        self.optimizer = torch.optim.Adam(
            model.parameters(), lr=lr, betas=(t.betas[0], t.betas[1]), eps=t.adam_eps
        )
        self.frames = _to_tensor(clip.frames)
        self.flow = torch.from_numpy(clip.flow).permute(0, 3, 1, 2).float()
        self.flow_error = torch.from_numpy(clip.flow_error).float()
        self.rng = np.random.default_rng(seed)
        self.step = 0
        self._good = self._snapshot()

    def _snapshot(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def batch(self) -> TrainBatch:
        """Random (source, driving, driving + 1) triplets with the flow of driving -> next."""
        n = len(self.frames)
        driving = self.rng.integers(0, n - 1, self.batch_size)
        source = (driving + self.rng.integers(1, n - 1, self.batch_size)) % (n - 1)
        seeds = torch.from_numpy(self.rng.integers(0, 2**31, self.batch_size))
        return TrainBatch(
            source=self.frames[source],
            driving=self.frames[driving],
            driving_next=self.frames[driving + 1],
            flow=self.flow[driving],
            flow_error=self.flow_error[driving],
            seeds=seeds,
        )

    def train_step(self) -> dict[str, float]:
        """One optimisation step; returns the loss terms (and "total")."""
        self.model.train()
        out = self.objective(self.batch(), 1.0)
        for name, value in out.terms.items():
            if not torch.isfinite(value):
                raise TrainingError(
                    f"adapt: loss term '{name}' became {value.item()} at step {self.step}"
                )
        self.optimizer.zero_grad(set_to_none=True)
        out.total.backward()
        if self.cfg.train.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.train.grad_clip)
        self.optimizer.step()
        self.step += 1
        self._good = self._snapshot()
        logged = {k: float(v.detach()) for k, v in out.terms.items()}
        logged["total"] = float(out.total.detach())
        return logged

    def restore_last_good(self) -> None:
        """Put back the weights of the last completed step (after an interruption)."""
        self.model.load_state_dict(self._good)
        self.model.eval()


ProgressFn = Callable[[int, float, dict[str, float]], None]
"""Called after each step with (steps done, seconds so far, that step's losses)."""


def run_adaptation(
    adapter: Adapter,
    steps: int | None = None,
    seconds: float | None = None,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[float]:
    """Train until `steps` steps or `seconds` seconds (whichever is given and comes first).

    A KeyboardInterrupt restores the last completed step's weights and propagates.

    Returns:
        the total loss of every step.
    """
    if steps is None and seconds is None:
        raise ValueError("give steps or seconds")
    start = time.monotonic()
    losses: list[float] = []
    try:
        while True:
            elapsed = time.monotonic() - start
            if steps is not None and adapter.step >= steps:
                break
            if seconds is not None and elapsed >= seconds:
                break
            if should_stop is not None and should_stop():
                break
            terms = adapter.train_step()
            losses.append(terms["total"])
            if progress is not None:
                progress(adapter.step, time.monotonic() - start, terms)
    except KeyboardInterrupt:
        adapter.restore_last_good()
        raise
    adapter.model.eval()
    return losses

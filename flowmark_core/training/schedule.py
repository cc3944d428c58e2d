"""Learning-rate schedule: linear warm-up, then cosine decay (or constant).

The schedule runs from `start` (0, or the step a warm-started run began at) to
`train.steps`: a run warm-started from a model at step 8,500 with `steps: 12000` warms up
over its first `lr_warmup_steps` and decays over the rest, instead of starting at the tail
of a schedule counted from 0. A resumed run keeps its `start`.
"""

from __future__ import annotations

import math

from flowmark_core.config import TrainConfig


def lr_factor(step: int, cfg: TrainConfig, start: int = 0) -> float:
    """Multiplier of the base learning rate at `step` of a schedule that began at `start`."""
    local = step - start
    if cfg.lr_warmup_steps > 0 and local < cfg.lr_warmup_steps:
        return (max(local, 0) + 1) / cfg.lr_warmup_steps
    if cfg.lr_schedule == "constant":
        return 1.0
    span = max(1, cfg.steps - start - cfg.lr_warmup_steps)
    progress = min(1.0, (local - cfg.lr_warmup_steps) / span)
    return cfg.lr_min_ratio + (1 - cfg.lr_min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

"""Adapts a data set to the trainer: virtual indices, per-sample seeds, collation."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from flowmark_core.training.objective import TrainBatch
from flowmark_core.training.sampler import sample_seed


class SeededSamples(Dataset):
    """Item v of this wrapper is item v mod n of `base`, with every RNG seeded from (seed, v)."""

    def __init__(self, base: Dataset, seed: int) -> None:
        self.base = base
        self.seed = seed

    def __len__(self) -> int:
        return len(self.base)  # type: ignore[arg-type]

    def __getitem__(self, virtual_index: int) -> tuple[Any, int]:
        s = sample_seed(self.seed, virtual_index)
        random.seed(s)
        np.random.seed(s)
        torch.manual_seed(s)
        return self.base[virtual_index % len(self.base)], s  # type: ignore[arg-type]


def collate(items: list[tuple[Any, int]]) -> TrainBatch:
    """Stack samples (objects with source/driving/driving_next/flow/flow_error) into a batch."""
    samples = [it[0] for it in items]

    def stack(name: str) -> torch.Tensor:
        values = [torch.as_tensor(getattr(s, name)) for s in samples]
        if values[0].numel() == 0:
            return torch.zeros(0)
        return torch.stack(values)

    return TrainBatch(
        source=stack("source"),
        driving=stack("driving"),
        driving_next=stack("driving_next"),
        flow=stack("flow"),
        flow_error=stack("flow_error"),
        seeds=torch.tensor([it[1] for it in items], dtype=torch.int64),
    )

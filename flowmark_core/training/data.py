"""Adapts a data set to the trainer: virtual indices, per-sample seeds, collation.

A user-facing error raised while loading a sample (a truncated video, a clip with one
frame) travels back from a DataLoader worker as data (`LoadFailure`), not as an exception:
DataLoader re-raises worker exceptions with the worker's whole traceback in the message,
and the user would get 30 lines instead of the one naming the file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.utils.data import Dataset

from flowmark_core import errors
from flowmark_core.data.dataset import FramesDataset
from flowmark_core.training.objective import TrainBatch
from flowmark_core.training.sampler import sample_seed

if TYPE_CHECKING:
    from flowmark_core.config import ExperimentConfig


@dataclass(frozen=True)
class LoadFailure:
    """A `FlowmarkError` raised while loading a sample, as plain data (see the docstring)."""

    kind: str
    message: str

    def error(self) -> errors.FlowmarkError:
        """The original error class (a `FlowmarkError` subclass) with its message."""
        cls = getattr(errors, self.kind, errors.DatasetError)
        if not (isinstance(cls, type) and issubclass(cls, errors.FlowmarkError)):
            cls = errors.DatasetError
        return cls(self.message)


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
        try:
            return self.base[virtual_index % len(self.base)], s  # type: ignore[arg-type]
        except errors.FlowmarkError as exc:
            return LoadFailure(type(exc).__name__, str(exc)), s


def collate(items: list[tuple[Any, int]]) -> TrainBatch | LoadFailure:
    """Stack samples (objects with source/driving/driving_next/flow/flow_error) into a batch.

    Returns the first `LoadFailure` among the items instead, when there is one.
    """
    samples = [it[0] for it in items]
    for sample in samples:
        if isinstance(sample, LoadFailure):
            return sample

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


def make_dataset(cfg: ExperimentConfig, root: str) -> FramesDataset:
    """The training data set for a config (flow attached when the flow loss is on)."""
    data = cfg.data
    return FramesDataset(
        root=root,
        split="train",
        image_size=cfg.model.image_size,
        frame_gap=data.frame_gap,
        with_flow=cfg.loss.flow.enabled,
        id_sampling=data.id_sampling,
        repeats=data.repeats,
        augment=data.augment,
        flow_method=data.flow_method,
        flow_preset=data.flow_preset,
        capture_preset=data.capture_preset,
        capture_probability=data.capture_probability,
        capture_flow_on=data.capture_flow_on,
    )

"""Deterministic, resumable, distributed batch sampling.

Items are addressed by a *virtual index* v = epoch * n + i: the data set item is i = v mod n
and every random choice made for the sample (augmentation, equivariance warp) is seeded from
(seed, v). So the data of a step depends only on the step number, whatever the number of
workers or ranks, and a resumed run sees exactly the batches an uninterrupted run would.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class ResumableBatchSampler(Sampler[list[int]]):
    """Yields this rank's share of each global batch, from `start_step` on, forever.

    Args:
        num_items: items in the data set (n); global_batch: batch summed over ranks.
    """

    def __init__(
        self,
        num_items: int,
        global_batch: int,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
        start_step: int = 0,
    ) -> None:
        if global_batch % world_size:
            raise ValueError("global batch must be divisible by the number of processes")
        self.n = num_items
        self.global_batch = global_batch
        self.per_rank = global_batch // world_size
        self.seed = seed
        self.rank = rank
        self.start_step = start_step

    def __iter__(self) -> Iterator[list[int]]:
        step = self.start_step
        cache: dict[int, torch.Tensor] = {}
        while True:
            batch = []
            for pos in range(step * self.global_batch, (step + 1) * self.global_batch):
                epoch, j = divmod(pos, self.n)
                if epoch not in cache:
                    cache.clear()
                    gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
                    cache[epoch] = torch.randperm(self.n, generator=gen)
                batch.append(epoch * self.n + int(cache[epoch][j]))
            yield batch[self.rank * self.per_rank : (self.rank + 1) * self.per_rank]
            step += 1

    def __len__(self) -> int:  # effectively infinite; the trainer counts steps
        return 2**62


def sample_seed(seed: int, virtual_index: int) -> int:
    """The seed of every random choice made for one sample."""
    return (seed * 2_654_435_761 + virtual_index * 40_503 + 12_345) % (2**31 - 1)

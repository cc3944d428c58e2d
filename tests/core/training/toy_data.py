"""A tiny in-memory data set of translating textured blobs with their exact flow."""

from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import Dataset


class ToySample(NamedTuple):
    source: torch.Tensor
    driving: torch.Tensor
    driving_next: torch.Tensor
    flow: torch.Tensor
    flow_error: torch.Tensor


class ToyMotionDataset(Dataset):
    """Each item: a textured square moving by a per-item velocity; flow is exact."""

    def __init__(self, size: int = 32, items: int = 8, with_flow: bool = True) -> None:
        self.size, self.items, self.with_flow = size, items, with_flow

    def __len__(self) -> int:
        return self.items

    def _frame(self, rng_tex: np.ndarray, cx: float, cy: float) -> torch.Tensor:
        s = self.size
        ys, xs = np.mgrid[0:s, 0:s].astype(np.float32)
        inside = (np.abs(xs - cx) < s / 5) & (np.abs(ys - cy) < s / 5)
        img = np.where(inside[None], rng_tex, 0.2 + 0.1 * np.sin(xs / 3)[None])
        return torch.from_numpy(img.astype(np.float32))

    def __getitem__(self, index: int) -> ToySample:
        rng = np.random.default_rng(index)  # content depends on the item only
        tex = rng.random((3, self.size, self.size)).astype(np.float32)
        vx, vy = rng.uniform(-1.5, 1.5, size=2)
        t = float(np.random.randint(0, 4))  # the trainer seeds numpy per sample
        c = self.size / 2
        src = self._frame(tex, c, c)
        drv = self._frame(tex, c + vx * t, c + vy * t)
        if not self.with_flow:
            empty = torch.zeros(0)
            return ToySample(src, drv, empty, empty, empty)
        nxt = self._frame(tex, c + vx * (t + 1), c + vy * (t + 1))
        # Translation plus a gentle linear part, so the flow's Jacobian is not exactly the
        # identity (an exact tie makes the L1 Jacobian term's gradient sign arbitrary).
        ys, xs = torch.meshgrid(
            torch.arange(self.size, dtype=torch.float32),
            torch.arange(self.size, dtype=torch.float32),
            indexing="ij",
        )
        flow = torch.stack(
            [vx + 0.05 * (xs - c) + 0.02 * (ys - c), vy - 0.03 * (ys - c) + 0.04 * (xs - c)]
        )
        return ToySample(src, drv, nxt, flow, torch.zeros(self.size, self.size))

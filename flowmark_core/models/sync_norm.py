"""Batch norm synchronised across processes, for CPU (gloo) training too.

PyTorch's `nn.SyncBatchNorm` refuses CPU modules; this one computes the batch statistics
over every process with differentiable all-reduces, so 2 processes with batch B/2 normalise
exactly like 1 process with batch B. On CUDA the trainer uses `nn.SyncBatchNorm`.
"""

from __future__ import annotations

import warnings

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.nn.functional import all_reduce


class CrossProcessBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm2d whose training statistics are reduced over the default process group."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (
            self.training
            and dist.is_available()
            and dist.is_initialized()
            and dist.get_world_size() > 1
        ):
            return super().forward(x)
        c = x.shape[1]
        xf = x.float()
        count = torch.tensor([x.numel() / c], dtype=torch.float32, device=x.device)
        stats = torch.cat([xf.sum(dim=(0, 2, 3)), (xf * xf).sum(dim=(0, 2, 3)), count])
        with warnings.catch_warnings():  # the differentiable all_reduce is marked deprecated
            warnings.simplefilter("ignore", FutureWarning)
            stats = all_reduce(stats)
        total = stats[-1]
        mean = stats[:c] / total
        var = stats[c : 2 * c] / total - mean * mean
        with torch.no_grad():
            run_mean, run_var, batches = (
                self.running_mean,
                self.running_var,
                self.num_batches_tracked,
            )
            if (
                self.track_running_stats
                and run_mean is not None
                and run_var is not None
                and batches is not None
            ):
                batches += 1
                m = self.momentum if self.momentum is not None else 1.0 / float(batches)
                unbiased = var * total / torch.clamp(total - 1, min=1)
                run_mean.mul_(1 - m).add_(m * mean.detach())
                run_var.mul_(1 - m).add_(m * unbiased.detach())
        y = (xf - mean.view(1, c, 1, 1)) * torch.rsqrt(var.view(1, c, 1, 1) + self.eps)
        if self.affine:
            y = y * self.weight.view(1, c, 1, 1) + self.bias.view(1, c, 1, 1)
        return y.to(x.dtype)


def convert_to_cross_process(module: nn.Module) -> nn.Module:
    """Replace every BatchNorm2d in `module` by a CrossProcessBatchNorm2d (same state)."""
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d) and not isinstance(child, CrossProcessBatchNorm2d):
            new = CrossProcessBatchNorm2d(
                child.num_features,
                child.eps,
                child.momentum,
                child.affine,
                child.track_running_stats,
            )
            new.load_state_dict(child.state_dict())
            new.to(next(child.buffers()).device)
            setattr(module, name, new)
        else:
            convert_to_cross_process(child)
    return module

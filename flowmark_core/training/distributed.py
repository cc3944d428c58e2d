"""Process-group setup for single-process and torchrun (DDP) training."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from flowmark_core.errors import DeviceError


@dataclass(frozen=True)
class DistInfo:
    """Where this process sits: rank among world_size, and its device."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def resolve_device(request: str | None, local_rank: int = 0) -> torch.device:
    """'cpu', 'cuda' or None (cuda when available) -> a torch device; DeviceError if absent."""
    if request not in (None, "cpu", "cuda"):
        raise DeviceError(f"--device {request}: expected cpu or cuda")
    if request == "cuda" or (request is None and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise DeviceError(
                "--device cuda: no CUDA device is available to this PyTorch build "
                f"(torch {torch.__version__}); install a CUDA build of torch or use --device cpu"
            )
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def init_distributed(device_request: str | None) -> DistInfo:
    """Initialise torch.distributed when launched by torchrun (gloo on CPU, NCCL on GPU)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_request, local_rank)
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend=backend)
    return DistInfo(rank=rank, world_size=world, local_rank=local_rank, device=device)


def shutdown_distributed() -> None:
    """Tear down the process group if one was created."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()

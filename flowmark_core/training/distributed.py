"""Process-group setup for single-process and torchrun (DDP) training."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from flowmark_core.devices import resolve_device


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


#: How long a collective (or the rendezvous) may wait for the other ranks before failing.
COLLECTIVE_TIMEOUT = timedelta(minutes=10)


def use_loopback_for_local_gloo(world_size: int, local_world_size: int) -> None:
    """Make single-machine gloo talk over the loopback interface.

    Without GLOO_SOCKET_IFNAME gloo binds to whatever address the host name resolves to;
    in containers and sandboxes that address can be unreachable, and the ranks then wait
    for each other until the timeout. When every rank is on this machine, loopback always
    works. A value the user set is kept.
    """
    if world_size > 1 and world_size == local_world_size:
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")


def init_distributed(device_request: str | None) -> DistInfo:
    """Initialise torch.distributed when launched by torchrun (gloo on CPU, NCCL on GPU)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    device = resolve_device(device_request, local_rank)
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        else:
            use_loopback_for_local_gloo(world, local_world)
        dist.init_process_group(backend=backend, timeout=COLLECTIVE_TIMEOUT)
    return DistInfo(rank=rank, world_size=world, local_rank=local_rank, device=device)


#: How long the store's host (rank 0) waits for the other ranks to tear their groups down.
TEARDOWN_TIMEOUT_S = 60.0
_TEARDOWN_KEY = "flowmark/torn-down"


def shutdown_distributed(finished: bool = False) -> None:
    """Tear down the process group if one was created.

    Args:
        finished: every rank finished its work and calls this (the success path). The ranks
            then meet at a barrier, tear down together, and rank 0, which hosts the
            rendezvous store, exits only after every other rank has torn its group down:
            a rank whose store host is gone while it tears down can abort (SIGABRT) after a
            run that succeeded. False (a failure): tear down at once, no collective call
            (the other ranks may never come).
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    if not finished or dist.get_world_size() == 1:
        dist.destroy_process_group()
        return
    dist.barrier()
    # The rendezvous store outlives the group through this reference (torch has no public
    # accessor for the default group's store; the call exists since torch 1.x).
    store = dist.distributed_c10d._get_default_store()
    world, rank = dist.get_world_size(), dist.get_rank()
    dist.destroy_process_group()
    if rank != 0:
        store.set(f"{_TEARDOWN_KEY}/{rank}", "1")
        return
    others = [f"{_TEARDOWN_KEY}/{r}" for r in range(1, world)]
    with contextlib.suppress(RuntimeError):  # a rank gone without a word: exit all the same
        store.wait(others, timedelta(seconds=TEARDOWN_TIMEOUT_S))

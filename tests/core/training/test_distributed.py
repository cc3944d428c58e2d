"""DDP on CPU (gloo): 2 processes x batch B/2 give the parameters of 1 process x batch B."""

import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from flowmark_core.training.distributed import DistInfo, use_loopback_for_local_gloo
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment as _tiny
from tests.core.training.toy_data import ToyMotionDataset


def tiny_experiment(steps: int):
    """SGD: unlike Adam its update is linear in the gradient, so averaging errors show."""
    import dataclasses

    cfg = _tiny(steps=steps)
    return dataclasses.replace(
        cfg,
        train=dataclasses.replace(
            cfg.train, optimizer="sgd", lr_generator=0.002, lr_kp_detector=0.002
        ),
    )


STEPS = 3
#: The two workers finish in seconds; past this they are stuck, and are killed.
DEADLINE_S = 240.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(rank: int, port: int, out: str, steps: int = STEPS) -> None:
    torch.set_num_threads(1)
    use_loopback_for_local_gloo(world_size=2, local_world_size=2)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=2,
        timeout=timedelta(seconds=120),
    )
    try:
        info = DistInfo(rank=rank, world_size=2, local_rank=rank, device=torch.device("cpu"))
        trainer = Trainer(
            tiny_experiment(steps=steps), ToyMotionDataset(), Path(out), info, quiet=True
        )
        trainer.run()
    finally:
        dist.destroy_process_group()


def _run_two_workers(out: Path) -> None:
    """Spawn the two ranks; kill both if they outlive the deadline (never leave them hanging)."""
    context = mp.spawn(_worker, args=(_free_port(), str(out)), nprocs=2, join=False)
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not context.join(timeout=1.0):
            if time.monotonic() > deadline:
                pytest.fail(f"the two gloo workers did not finish within {DEADLINE_S:.0f} s")
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
            process.join(timeout=10)


def test_loopback_is_chosen_only_when_every_rank_is_local(monkeypatch) -> None:
    monkeypatch.delenv("GLOO_SOCKET_IFNAME", raising=False)
    use_loopback_for_local_gloo(world_size=4, local_world_size=2)
    assert "GLOO_SOCKET_IFNAME" not in os.environ
    use_loopback_for_local_gloo(world_size=2, local_world_size=2)
    assert os.environ["GLOO_SOCKET_IFNAME"] == "lo"
    monkeypatch.setenv("GLOO_SOCKET_IFNAME", "eth7")
    use_loopback_for_local_gloo(world_size=2, local_world_size=2)
    assert os.environ["GLOO_SOCKET_IFNAME"] == "eth7"


def test_two_process_gloo_equals_one_process_same_global_batch(tmp_path: Path) -> None:
    single = Trainer(
        tiny_experiment(steps=STEPS),
        ToyMotionDataset(),
        tmp_path / "single",
        DistInfo(0, 1, 0, torch.device("cpu")),
        quiet=True,
    )
    single.run()
    _run_two_workers(tmp_path / "ddp")
    ddp_state = torch.load(tmp_path / "ddp" / "train-state.pt", weights_only=True)["model"]
    ours = single.model.state_dict()
    compared = 0
    for key, value in ours.items():
        if key.endswith("num_batches_tracked"):
            continue
        diff = (value.float() - ddp_state[key].float()).abs().max().item()
        assert diff <= 1e-5, (key, diff)
        compared += 1
    assert compared > 20

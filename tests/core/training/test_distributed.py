"""DDP on CPU (gloo): 2 processes x batch B/2 give the parameters of 1 process x batch B.

The two ranks are separate `python` processes started with torchrun's environment
(RANK, WORLD_SIZE, MASTER_ADDR, ...), so the test goes through the same
`init_distributed` path as `torchrun train.py`. They run in their own session with a
deadline: a stuck rank is killed with its whole process group, never left behind, and the
failure shows each rank's log (with its stacks, dumped before the deadline).
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from flowmark_core.training.distributed import DistInfo, use_loopback_for_local_gloo
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import sgd_tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

STEPS = 3
#: The two ranks finish in seconds; past this they are stuck, and are killed.
DEADLINE_S = 200.0
#: The gloo connectivity probe (two processes, one all_reduce) gets this long.
PROBE_DEADLINE_S = 90.0
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _launch_ranks(args: list[str], logs: Path, deadline_s: float) -> tuple[bool, str]:
    """Run two ranks of `tests.core.training.ddp_worker ARGS`; (all succeeded, their logs)."""
    logs.mkdir(parents=True, exist_ok=True)
    port = str(_free_port())
    procs = []
    for rank in range(2):
        env = {
            **os.environ,
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
            "WORLD_SIZE": "2",
            "LOCAL_WORLD_SIZE": "2",
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": port,
            "PYTHONUNBUFFERED": "1",
        }
        with open(logs / f"rank{rank}.log", "w") as log:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.core.training.ddp_worker", *args],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    ok = True
    try:
        for proc in procs:
            ok = proc.wait(timeout=deadline_s) == 0 and ok
    except subprocess.TimeoutExpired:
        ok = False
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
    text = "\n".join(
        f"--- rank {r} (exit {p.returncode}) ---\n{(logs / f'rank{r}.log').read_text()[-4000:]}"
        for r, p in enumerate(procs)
    )
    return ok, text


def test_loopback_is_chosen_only_when_every_rank_is_local(monkeypatch) -> None:
    monkeypatch.delenv("GLOO_SOCKET_IFNAME", raising=False)
    use_loopback_for_local_gloo(world_size=4, local_world_size=2)
    assert "GLOO_SOCKET_IFNAME" not in os.environ
    use_loopback_for_local_gloo(world_size=2, local_world_size=2)
    assert os.environ["GLOO_SOCKET_IFNAME"] == "lo"
    monkeypatch.setenv("GLOO_SOCKET_IFNAME", "eth7")
    use_loopback_for_local_gloo(world_size=2, local_world_size=2)
    assert os.environ["GLOO_SOCKET_IFNAME"] == "eth7"


def _torn_down_at(log: str, rank: int) -> float:
    prefix = f"rank {rank}: torn down at "
    lines = [line for line in log.splitlines() if line.startswith(prefix)]
    assert lines, f"rank {rank} did not report its teardown:\n{log}"
    return float(lines[-1][len(prefix) :])


def test_rank_zero_keeps_the_store_until_every_rank_has_torn_down(tmp_path: Path) -> None:
    """Rank 0 hosts the rendezvous store: after a run that succeeded it must not exit while
    another rank is still tearing its group down (here rank 1 starts its teardown only after
    rank 0 has finished its own)."""
    flag = tmp_path / "rank0-torn-down"
    ok, log = _launch_ranks(["--teardown", str(flag)], tmp_path / "logs", DEADLINE_S)
    if not ok and "rank 0: torn down" not in log:
        pytest.skip(f"two processes cannot start a gloo group on this machine:\n{log}")
    assert ok, log
    assert _torn_down_at(log, 0) >= _torn_down_at(log, 1), log


def test_two_process_gloo_equals_one_process_same_global_batch(tmp_path: Path) -> None:
    probe_ok, probe_log = _launch_ranks(["--probe"], tmp_path / "probe", PROBE_DEADLINE_S)
    if not probe_ok:
        pytest.skip(
            "two processes cannot all-reduce over gloo on this machine (no flowmark code "
            f"involved), so DDP cannot be checked here:\n{probe_log}"
        )
    single = Trainer(
        sgd_tiny_experiment(STEPS),
        ToyMotionDataset(),
        tmp_path / "single",
        DistInfo(0, 1, 0, torch.device("cpu")),
        quiet=True,
    )
    single.run()
    ok, log = _launch_ranks([str(tmp_path / "ddp"), str(STEPS)], tmp_path / "ddp-logs", DEADLINE_S)
    assert ok, f"the two gloo ranks failed or did not finish within {DEADLINE_S:.0f} s:\n{log}"
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

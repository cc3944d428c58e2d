"""One rank of the DDP equality test, launched the way torchrun launches train.py.

Run as `python -m tests.core.training.ddp_worker OUT_DIR STEPS` with RANK, WORLD_SIZE,
LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT set. `--probe` only checks that two
processes can all-reduce over gloo on this machine (no flowmark code involved).
`--teardown FLAG` only tears down as train.py does after a run that succeeded, rank 1 holding
its group teardown until rank 0 has torn its own down (rank 0 creates the file FLAG then);
each rank prints when its teardown ended.
"""

from __future__ import annotations

import faulthandler
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist

from flowmark_core.training.distributed import init_distributed, shutdown_distributed
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import sgd_tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

#: Seconds after which a stuck rank prints every thread's stack to its log (then goes on).
STACK_DUMP_AFTER_S = 150
#: `--teardown`: how long rank 1 waits for rank 0's flag at most.
FLAG_DEADLINE_S = 60.0


def _teardown_after(flag: Path, rank: int) -> None:
    """Rank 0: create `flag` once its group is torn down. Other ranks: tear down only once
    `flag` exists, i.e. after rank 0 (which, unprotected, would then already be gone)."""
    destroy = dist.destroy_process_group

    def ordered(*args: object, **kwargs: object) -> None:
        if rank == 0:
            destroy(*args, **kwargs)  # type: ignore[arg-type]
            flag.touch()
            return
        deadline = time.monotonic() + FLAG_DEADLINE_S
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # polling a file another process creates
        destroy(*args, **kwargs)  # type: ignore[arg-type]

    dist.destroy_process_group = ordered  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    faulthandler.dump_traceback_later(STACK_DUMP_AFTER_S, exit=False)
    torch.set_num_threads(1)
    info = init_distributed("cpu")
    finished = False
    try:
        if argv[0] == "--teardown":
            _teardown_after(Path(argv[1]), info.rank)
            finished = True
            return 0
        if argv[0] == "--probe":
            total = torch.ones(1)
            dist.all_reduce(total)
            print(f"probe rank {info.rank}: all_reduce gave {total.item():.0f}", flush=True)
            finished = True
            return 0 if total.item() == info.world_size else 1
        out, steps = Path(argv[0]), int(argv[1])
        Trainer(sgd_tiny_experiment(steps), ToyMotionDataset(), out, info, quiet=True).run()
        print(f"rank {info.rank}: trained {steps} steps", flush=True)
        finished = True
        return 0
    finally:
        shutdown_distributed(finished)  # as train.py: together on success
        print(f"rank {info.rank}: torn down at {time.time():.6f}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""One rank of the DDP equality test, launched the way torchrun launches train.py.

Run as `python -m tests.core.training.ddp_worker OUT_DIR STEPS` with RANK, WORLD_SIZE,
LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT set. `--probe` only checks that two
processes can all-reduce over gloo on this machine (no flowmark code involved).
`--teardown` only tears down as train.py does after a run that succeeded, rank 1 slowed by
`SLOW_TEARDOWN_S` in its teardown; each rank prints when its teardown ended.
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
#: `--teardown`: rank 1's group teardown is this much slower than rank 0's.
SLOW_TEARDOWN_S = 1.0


def _slow_teardown() -> None:
    """Make this rank's `destroy_process_group` start late."""
    destroy = dist.destroy_process_group

    def late(*args: object, **kwargs: object) -> None:
        time.sleep(SLOW_TEARDOWN_S)
        destroy(*args, **kwargs)  # type: ignore[arg-type]

    dist.destroy_process_group = late  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    faulthandler.dump_traceback_later(STACK_DUMP_AFTER_S, exit=False)
    torch.set_num_threads(1)
    info = init_distributed("cpu")
    finished = False
    try:
        if argv[0] == "--teardown":
            if info.rank == 1:
                _slow_teardown()
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

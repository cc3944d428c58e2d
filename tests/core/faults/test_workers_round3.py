"""Fault campaign 3, RC8: DataLoader workers never outlive their trainer, even while they are
still starting, and a worker count the machine cannot hold is lowered with a note."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.faults.processes import wait_until_gone

ROOT = Path(__file__).resolve().parents[3]

#: A trainer whose two workers block while unpickling the data set, i.e. before their
#: initialiser (where PR_SET_PDEATHSIG used to be armed) can run; it prints their pids.
DRIVER = textwrap.dedent("""
    import threading

    import flowmark_core  # the trainer's modules, as train.py imports them
    from torch.utils.data import DataLoader, Dataset

    from flowmark_core.data.loader_workers import loader_worker_options, start_batches


    class StillStarting(Dataset):
        def __init__(self):
            self.items = 4

        def __len__(self):
            return self.items

        def __getitem__(self, i):
            return i

        def __setstate__(self, state):  # in the worker, while it starts: never returns
            threading.Event().wait()


    if __name__ == "__main__":
        loader = DataLoader(StillStarting(), batch_size=1, **loader_worker_options(2))
        batches = start_batches(loader)
        print(" ".join(str(w.pid) for w in batches._workers), flush=True)
        threading.Event().wait()
""")


@pytest.fixture
def session() -> Iterator[list[subprocess.Popen]]:
    """Children in their own session; the whole group is SIGKILLed at the end (a worker that
    outlived its trainer is still in it)."""
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def test_workers_still_starting_die_with_a_killed_trainer(
    tmp_path: Path, session: list[subprocess.Popen]
) -> None:
    script = tmp_path / "trainer.py"
    script.write_text(DRIVER)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    trainer = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    session.append(trainer)
    assert trainer.stdout is not None
    line = trainer.stdout.readline()  # blocks until the workers exist
    workers = [int(pid) for pid in line.split()]
    assert len(workers) == 2, (line, trainer.poll())
    os.kill(trainer.pid, signal.SIGKILL)
    wait_until_gone(workers, limit=10.0)


def test_a_worker_count_the_machine_cannot_hold_is_lowered_with_a_note(
    capfd: pytest.CaptureFixture,
) -> None:
    from flowmark_core.data.loader_workers import WORKERS_PER_CORE, loader_worker_options

    cores = len(os.sched_getaffinity(0))
    capfd.readouterr()
    options = loader_worker_options(256)
    err = capfd.readouterr().err
    assert 1 <= options["num_workers"] <= WORKERS_PER_CORE * cores
    assert err.startswith("flowmark: note: data.num_workers 256 is more than"), err
    assert f"using {options['num_workers']}" in err
    assert loader_worker_options(1)["num_workers"] == 1  # within bounds: unchanged

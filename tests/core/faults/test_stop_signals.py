"""Where a stop signal is acted on: between training steps, and never in a worker starting up.

Both ends of the flaky group-signal test (test_signals.py), made deterministic: a signal in
the middle of a step must not cut it short (the main process was interrupted inside
multiprocessing code, whose worker side then printed a traceback), and a worker signalled
while it is still starting must not act on the signal (it died, or printed a
KeyboardInterrupt traceback, before its initialiser could ignore it).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import torch

from flowmark_core.io.process_guard import children_ignore_stop_signals, leave_interrupts_to_parent
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.interrupts import (
    Stopped,
    stop_on_signals,
    stop_requested,
)
from flowmark_core.training.state import load_train_state
from flowmark_core.training.trainer import Trainer
from tests.core.training.helpers import tiny_experiment
from tests.core.training.toy_data import ToyMotionDataset

CPU = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_step_finishes_the_step_then_saves_it(
    tmp_path: Path, sig: signal.Signals
) -> None:
    cfg = tiny_experiment(steps=20)
    cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, checkpoint_every=1))
    trainer = Trainer(cfg, ToyMotionDataset(), tmp_path, CPU, quiet=True)
    take_step = trainer.train_step

    def signalled_step(batch):
        if trainer.step == 2:
            os.kill(os.getpid(), sig)  # the handler runs before the step's first line
        return take_step(batch)

    trainer.train_step = signalled_step  # type: ignore[method-assign]
    with stop_on_signals(), pytest.raises(Stopped) as stopped:
        trainer.run()
    assert stopped.value.saved
    assert trainer.step == 3  # the signalled step was finished, not abandoned
    assert load_train_state(tmp_path / "train-state.pt")["step"] == 3
    assert not stop_requested()  # the request ends with its block: the next run trains


def _starting_worker(go, ready, finish) -> None:  # multiprocessing events
    go.wait()  # still "starting up": the group signals were sent before this returns
    leave_interrupts_to_parent()
    ready.set()
    finish.wait()


def test_a_worker_signalled_while_starting_ignores_the_signals() -> None:
    ctx = multiprocessing.get_context("spawn")
    go, ready, finish = ctx.Event(), ctx.Event(), ctx.Event()
    with children_ignore_stop_signals():
        worker = ctx.Process(target=_starting_worker, args=(go, ready, finish), daemon=True)
        worker.start()
    try:
        os.kill(worker.pid, signal.SIGTERM)  # what `killpg` delivers to a starting worker
        os.kill(worker.pid, signal.SIGINT)
        go.set()
        deadline = time.monotonic() + 120
        while not ready.wait(timeout=0.1) and worker.is_alive() and time.monotonic() < deadline:
            pass  # until it is up, or dead
        assert ready.is_set(), f"worker died while starting: exit {worker.exitcode}"
        finish.set()
        worker.join(timeout=120)
        assert worker.exitcode == 0
    finally:
        if worker.is_alive():
            worker.kill()
            worker.join()


def _ignored_signals(pid: int) -> int:
    """The SigIgn bit mask of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return int(line.split()[1], 16)
    raise AssertionError(f"no SigIgn line for pid {pid}")


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_spawned_child_starts_ignoring_the_stop_signals() -> None:
    """Before any of our code runs in it (a plain target), the child ignores both signals.

    A blocked mask did not survive multiprocessing's spawn: the CI saw a worker print a
    KeyboardInterrupt traceback while unpickling, before its initialiser ran.
    """
    ctx = multiprocessing.get_context("spawn")
    with children_ignore_stop_signals():
        child = ctx.Process(target=time.sleep, args=(30,), daemon=True)
        child.start()
    try:
        mask = _ignored_signals(child.pid)
        for sig in (signal.SIGINT, signal.SIGTERM):
            assert mask & (1 << (sig - 1)), f"{sig.name} not ignored in the child: {mask:#x}"
    finally:
        child.kill()
        child.join()


def test_the_parent_keeps_its_handlers_and_a_signal_sent_during_the_block() -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda sig, _frame: seen.append(sig))
    try:
        with children_ignore_stop_signals():
            # To this thread (a process-directed one may go to another thread and run later):
            # blocked here, held until the block ends, then handled as the mask is restored.
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
            assert seen == []
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)

"""Kills: SIGTERM/SIGINT to the whole process group checkpoint and exit 130 without a
traceback; SIGKILL leaves no living worker, and its stale temporaries go at the next start;
`animate` and `data synth` clean up on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.training.state import load_train_state
from tests.core.faults.processes import wait_until_gone
from tests.core.faults.test_bad_inputs import temporaries

ROOT = Path(__file__).resolve().parents[3]
ENV = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))


def _train(kit: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, str(ROOT / "train.py"), "--config", str(kit / "tiny.yaml"),
           "--data", str(kit / "data"), "--out", str(out), "--device", "cpu",
           "--set", "data.num_workers=1", "--set", "train.checkpoint_every=1",
           "--set", "train.steps=100000", *extra]  # fmt: skip
    return subprocess.Popen(
        cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as under a shell or a scheduler
    )  # fmt: skip


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen]]:
    """Children started in their own session; their whole group is SIGKILLed at the end.

    A child that hangs (or a worker that outlives it) then cannot outlive its test.
    """
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.returncode is None:
            proc.communicate()


def _wait_for(condition, proc: subprocess.Popen, what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"exited early waiting for {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit:.0f} s waiting for {what}")
        time.sleep(0.05)


def _stderr_after(proc: subprocess.Popen, sig: signal.Signals, limit: float = 60.0) -> str:
    """Send `sig` to the child's process group; its stderr once it exited (bounded wait)."""
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        raise AssertionError(
            f"{' '.join(proc.args[1:4])}... still running {limit:.0f} s after {sig.name} to its "
            f"process group (hung; SIGKILLed); stderr: {err[-2000:]}"
        ) from None
    return err


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_to_the_training_group_checkpoints_and_exits_130(
    kit: Path, tmp_path: Path, sig: signal.Signals, started: list[subprocess.Popen]
) -> None:
    out = tmp_path / "run"
    proc = _train(kit, out)
    started.append(proc)
    _wait_for(lambda: (out / "train-state.pt").exists(), proc, "the first checkpoint")
    workers = _children(proc.pid)
    err = _stderr_after(proc, sig, limit=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "killed by signal" not in err, err
    assert load_train_state(out / "train-state.pt")["step"] >= 1
    assert temporaries(out) == []
    wait_until_gone(workers)


def test_sigkill_leaves_no_worker_and_resume_removes_stale_temporaries(
    kit: Path, tmp_path: Path, started: list[subprocess.Popen]
) -> None:
    out = tmp_path / "run"
    proc = _train(kit, out)
    started.append(proc)
    _wait_for(lambda: (out / "train-state.pt").exists(), proc, "the first checkpoint")
    _wait_for(lambda: bool(_children(proc.pid)), proc, "a DataLoader worker")
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    wait_until_gone(workers)  # a worker must not outlive its SIGKILLed parent
    # What a SIGKILL during a save leaves (the dead pid is in the name):
    stale = out / f".train-state.{proc.pid}-0badcafe.tmp.pt"
    stale.write_bytes(b"half a checkpoint")
    step = load_train_state(out / "train-state.pt")["step"]
    resumed = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "--config", str(kit / "tiny.yaml"), "--data",
         str(kit / "data"), "--resume", str(out), "--max-steps", str(step + 1), "--device", "cpu"],
        env=ENV, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert not stale.exists()
    assert load_train_state(out / "train-state.pt")["step"] == step + 1


def test_sigterm_during_animate_removes_the_partial_video(
    kit: Path, tmp_path: Path, started: list[subprocess.Popen]
) -> None:
    rng = np.random.default_rng(1)
    frame = (rng.random((48, 48, 3)) * 255).astype(np.uint8)
    driving = tmp_path / "long.mp4"
    with VideoWriter(driving, fps=25) as w:
        for t in range(3000):
            w.write(np.roll(frame, t, axis=1))
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowmark_core.cli.main", "animate", str(kit / "source.png"),
         str(driving), "-o", str(out / "o.mp4"), "--model", str(kit / "model.safetensors")],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    started.append(proc)
    _wait_for(lambda: bool(temporaries(out)), proc, "the partial video")
    err = _stderr_after(proc, signal.SIGTERM)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_data_synth_removes_the_partial_data_set(
    tmp_path: Path, sig: signal.Signals, started: list[subprocess.Popen]
) -> None:
    out = tmp_path / "ds"
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowmark_core.cli.main", "data", "synth", "--family", "faces",
         "--videos", "200", "--frames", "8", "--size", "64", "--workers", "2", str(out)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    started.append(proc)
    _wait_for(lambda: any(p.suffix == ".png" for p in tmp_path.rglob("*.png")), proc, "frames")
    workers = _children(proc.pid)
    err = _stderr_after(proc, sig)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    assert [line for line in err.splitlines() if line.strip()] == [
        "flowmark: interrupted; partial outputs were removed"
    ]
    assert list(tmp_path.iterdir()) == []
    wait_until_gone(workers)

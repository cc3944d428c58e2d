"""Fault campaign 3: SIGHUP (a closed terminal, a dropped ssh) and SIGQUIT are stops like
SIGTERM; train-prior stops between steps and resumes exactly. Each command runs in a child
Python (its own session) that signals itself at a known point, so a regression kills that
child, never pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from tests.core.faults.test_bad_inputs import temporaries

ROOT = Path(__file__).resolve().parents[3]
ENV = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
PRIOR = "--frames 1 --batch-size 2 --hidden 8 --latent 2"


def _drive(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter in its own session; at most 300 s."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and ": note: " not in line]


@pytest.mark.parametrize("sig", ["SIGHUP", "SIGQUIT"])
def test_animate_stops_cleanly_on(sig: str, kit: Path, tmp_path: Path) -> None:
    """RC9: SIGHUP/SIGQUIT killed animate with its `.a.<pid>-*.tmp.mp4` left beside it."""
    done = _drive(f"""
        import os, signal
        from flowmark_core.io.video_writer import VideoWriter
        from flowmark_core.cli.main import main
        write = VideoWriter.write
        def signalled(self, frame):
            if self.frames_written == 1:
                os.kill(os.getpid(), signal.{sig})  # mid-render, the temporary exists
            return write(self, frame)
        VideoWriter.write = signalled
        raise SystemExit(main(["animate", "{kit}/source.png", "{kit}/driving.mp4",
                               "-o", "{tmp_path}/a.mp4", "--model", "{kit}/model.safetensors"]))
    """)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert _error_lines(done.stderr) == ["flowmark: interrupted; partial outputs were removed"]
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", ["SIGHUP"])  # SIGQUIT takes the same handler (animate covers it)
def test_training_saves_on(sig: str, kit: Path, tmp_path: Path) -> None:
    """RC9: SIGHUP to train.py lost every step since the last checkpoint."""
    done = _drive(f"""
        import os, signal
        from flowmark_core.training.trainer import Trainer
        from flowmark_core.cli.train_cmd import main
        step = Trainer.train_step
        def signalled(self, batch):
            if self.step == 1:
                os.kill(os.getpid(), signal.{sig})
            return step(self, batch)
        Trainer.train_step = signalled
        raise SystemExit(main(["--config", "{kit}/tiny.yaml", "--data", "{kit}/data",
                               "--out", "{tmp_path}/run", "--device", "cpu",
                               "--set", "train.checkpoint_every=1000"]))
    """)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert _error_lines(done.stderr) == ["train.py: interrupted; the checkpoint was saved"]
    from flowmark_core.training.state import load_train_state

    assert load_train_state(tmp_path / "run" / "train-state.pt")["step"] == 2
    assert temporaries(tmp_path) == []


def _prior_argv(kit: Path, out: Path, cache: Path, extra: str) -> list[str]:
    return (f"train-prior {kit}/data --model {kit}/model.safetensors --out {out} "
            f"--cache-dir {cache} {PRIOR} --checkpoint-every 1000 {extra}").split()  # fmt: skip


def _signalled_prior(argv: list[str], sig: str, at_step: int) -> subprocess.CompletedProcess[str]:
    """train-prior signalled at the start of the step `at_step` (-1: as training starts)."""
    return _drive(f"""
        import os, signal
        from flowmark_core.motion_prior.training import PriorTrainer
        from flowmark_core.cli.main import main
        step, run = PriorTrainer.train_step, PriorTrainer.run
        def signalled(self):
            if self.step == {at_step}:
                os.kill(os.getpid(), signal.{sig})  # the step in hand must still finish
            return step(self)
        def signalled_run(self):
            if {at_step} < 0:
                os.kill(os.getpid(), signal.{sig})  # before any step of this run
            return run(self)
        PriorTrainer.train_step, PriorTrainer.run = signalled, signalled_run
        raise SystemExit(main({argv!r}))
    """)


@pytest.mark.parametrize("sig", ["SIGHUP"])  # SIGTERM takes the same path
def test_prior_stops_between_steps_and_resumes_exactly(sig: str, kit: Path, tmp_path: Path) -> None:
    """RC9/RC12/RC29: train-prior saved a half-finished step on SIGTERM (its resume then
    differed from an uninterrupted run), died on SIGHUP, and said "saved" then "partial
    outputs were removed". Now: the step in hand finishes, one save, one true line, and the
    resumed run ends with the weights of an uninterrupted one."""
    from flowmark_core.motion_prior.checkpoint import load_prior
    from tests.core.faults.test_bad_inputs import run_program

    cache = tmp_path / "cache"
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert run_program("flowmark", _prior_argv(kit, whole, cache, "--steps 4")) == 0
    done = _signalled_prior(_prior_argv(kit, cut, cache, "--steps 4"), sig, at_step=1)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert _error_lines(done.stderr) == ["flowmark: interrupted; the checkpoint was saved"]
    assert load_prior(cut / "prior.safetensors")[1]["step"] == 2
    resume = _prior_argv(kit, cut, cache, f"--steps 4 --resume {cut}")
    assert run_program("flowmark", resume) == 0
    a, b = load_prior(whole / "prior.safetensors")[0], load_prior(cut / "prior.safetensors")[0]
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(x, y), name


def test_prior_stop_before_its_first_step_keeps_the_trained_prior(
    kit: Path, tmp_path: Path
) -> None:
    """RC2: Ctrl-C right at the start of a run saved a step-0 prior over the trained one."""
    from tests.core.faults.test_bad_inputs import run_program

    cache, out = tmp_path / "cache", tmp_path / "P"
    assert run_program("flowmark", _prior_argv(kit, out, cache, "--steps 2")) == 0
    before = (out / "prior.safetensors").read_bytes()
    argv = _prior_argv(kit, out, cache, f"--steps 4 --resume {out}")
    done = _signalled_prior(argv, "SIGINT", at_step=-1)
    assert done.returncode == 130, (done.returncode, done.stderr)
    last = _error_lines(done.stderr)[-1]
    assert last == "flowmark: interrupted; no checkpoint written (any earlier one is kept)"
    assert (out / "prior.safetensors").read_bytes() == before

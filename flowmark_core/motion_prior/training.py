"""Training loop of the motion prior, with train.py's conventions: a model file plus a full
training state written atomically every N steps, at the end and on a stop signal; exact
resume; a tqdm progress bar (on a terminal only); scalars to TensorBoard or metrics.csv.

A stop signal (inside `training.interrupts.stop_on_signals` + `deferred_stops`) is acted on
between steps: the step in hand is finished, then the state is saved once, so a resumed run
repeats no update. A stop before the first step of this run saves nothing (the checkpoint of
an earlier run, if any, is kept). A bare KeyboardInterrupt (a caller without those handlers)
saves only when it arrived between steps; inside a step the weights may be half-updated.
A resume refuses a training state written with other options, data or animation model,
unless `force` is given.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from flowmark_core.errors import CheckpointError, TrainingError
from flowmark_core.motion_prior.checkpoint import save_prior
from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig, to_plain
from flowmark_core.motion_prior.model import MotionPrior, kl_divergence, relative_jacobians
from flowmark_core.motion_prior.tracks import TrackSet, sample_windows
from flowmark_core.training.interrupts import Stopped, saving, stop_requested
from flowmark_core.training.logger import ScalarLogger
from flowmark_core.training.state import (
    capture_rng,
    load_train_state,
    restore_rng,
    save_train_state,
)

PRIOR_FILE = "prior.safetensors"
PRIOR_STATE_FILE = "prior-train-state.pt"
#: Train options a resumed run may change (the length of the run and its bookkeeping).
RESUMABLE_CHANGES = ("steps", "log_every", "checkpoint_every")
#: Metadata a resumed run must share with the state it resumes (where the tracks came from).
RUN_IDENTITY = ("animation_model_digest", "data")  # the track kind is a train option
IDENTITY_NAMES = {
    "animation_model_digest": "--model (another animation model file)",
    "data": "DATA_DIR {old} -> {new}",
}


@dataclass(frozen=True)
class PriorLoss:
    """Loss terms of one batch (scalars)."""

    total: torch.Tensor
    displacement: torch.Tensor
    jacobian: torch.Tensor
    kl: torch.Tensor


def prior_loss(
    prior: MotionPrior,
    values: torch.Tensor,
    jacobians: torch.Tensor,
    noise: torch.Tensor,
    kl_weight: float,
    jacobian_weight: float,
) -> PriorLoss:
    """Scaled squared errors of displacements and relative Jacobians plus weighted KL."""
    out, q, p = prior(values, jacobians, noise)
    disp_err = ((out.values[:, 1:] - values[:, 1:]) / prior.displacement_std) ** 2
    rel_true = relative_jacobians(jacobians[:, 0], jacobians[:, 1:])
    jac_err = ((out.relative - rel_true) / prior.jacobian_std) ** 2
    kl = kl_divergence(q, p).mean()
    disp, jac = disp_err.mean(), jac_err.mean()
    return PriorLoss(disp + jacobian_weight * jac + kl_weight * kl, disp, jac, kl)


def set_feature_scales(prior: MotionPrior, tracks: TrackSet, frames: int, seed: int) -> None:
    """Set the prior's displacement / Jacobian scales from 2,048 training windows."""
    v, j = sample_windows(tracks, frames, 2048, np.random.default_rng([seed, 7]))
    vt, jt = torch.from_numpy(v), torch.from_numpy(j)
    disp = vt[:, 1:] - vt[:, :1]
    rel = relative_jacobians(jt[:, 0], jt[:, 1:])
    with torch.no_grad():
        prior.displacement_std.fill_(float(disp.std().clamp_min(1e-4)))
        prior.jacobian_std.fill_(float(rel.std().clamp_min(1e-4)))


class PriorTrainer:
    """Owns the prior, its optimiser and the bookkeeping of one run folder."""

    def __init__(
        self,
        model_config: PriorModelConfig,
        train_config: PriorTrainConfig,
        tracks: TrackSet,
        out_dir: Path,
        meta: dict[str, Any],
        resume: Path | None = None,
        max_steps: int | None = None,
        quiet: bool = False,
        device: str = "cpu",
        force: bool = False,
    ) -> None:
        self.cfg, self.tcfg = model_config, train_config
        self.tracks, self.out_dir, self.meta, self.quiet = tracks, Path(out_dir), dict(meta), quiet
        self.device = torch.device(device)
        self.total_steps = min(train_config.steps, max_steps) if max_steps else train_config.steps
        torch.manual_seed(train_config.seed)
        self.prior = MotionPrior(model_config).to(self.device)
        self.opt = torch.optim.Adam(self.prior.parameters(), lr=train_config.lr)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, self._lr_factor)
        self.step = 0
        self._in_step = False
        self.force = force
        self.history: list[float] = []
        if resume is not None:
            self._restore(
                load_train_state(resume if resume.is_file() else resume / PRIOR_STATE_FILE)
            )
        else:
            set_feature_scales(self.prior, tracks, train_config.frames, train_config.seed)

    def _lr_factor(self, step: int) -> float:
        """Cosine decay to 5% over the planned steps."""
        frac = min(step / max(self.tcfg.steps, 1), 1.0)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac))

    # -- state -----------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "kind": "motion-prior",
            "step": self.step,
            "model": self.prior.state_dict(),
            "optimizers": [self.opt.state_dict()],
            "schedulers": [self.sched.state_dict()],
            "rng": capture_rng(),
            "config": json.dumps({"model": to_plain(self.cfg), "train": to_plain(self.tcfg)}),
            "run": json.dumps({k: self.meta.get(k) for k in RUN_IDENTITY}),
        }

    def _restore(self, state: dict[str, Any]) -> None:
        if state.get("kind") != "motion-prior":
            raise CheckpointError(
                "the training state is not a motion prior's (train-prior writes prior-train-state.pt)"
            )
        stored = json.loads(state["config"])["model"]
        if stored != to_plain(self.cfg):
            raise CheckpointError(
                f"the resumed prior has another model config ({stored}); resume with the same options"
            )
        if not self.force:
            self._check_same_run(json.loads(state["config"]).get("train", {}), state.get("run"))
        self.prior.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizers"][0])
        self.sched.load_state_dict(state["schedulers"][0])
        restore_rng(state["rng"])
        self.step = int(state["step"])

    def _check_same_run(self, stored_train: dict[str, Any], stored_run: str | None) -> None:
        """Refuse to resume with other train options, data or animation model (one line)."""
        now = to_plain(self.tcfg)
        changed = [
            f"--{key.replace('_', '-')} {stored_train[key]} -> {now[key]}"
            for key in now
            if key in stored_train
            and key not in RESUMABLE_CHANGES
            and stored_train[key] != now[key]
        ]
        run = json.loads(stored_run) if isinstance(stored_run, str) else {}
        changed += [
            IDENTITY_NAMES[key].format(old=run[key], new=self.meta.get(key))
            for key in RUN_IDENTITY
            if run.get(key) is not None and run[key] != self.meta.get(key)
        ]
        if changed:
            raise CheckpointError(
                f"the resumed run was trained otherwise ({'; '.join(changed)}); resume with the "
                "same options, data and --model, or pass --force-resume"
            )

    def save(self) -> None:
        """Atomically write prior.safetensors and prior-train-state.pt."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        save_train_state(self.out_dir / PRIOR_STATE_FILE, self._state())
        meta = dict(self.meta, step=self.step, train_config=to_plain(self.tcfg))
        save_prior(self.out_dir / PRIOR_FILE, self.prior, meta)

    # -- loop ------------------------------------------------------------------------------
    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The windows and latent noise of a step: a function of (seed, step) only."""
        t = self.tcfg
        rng = np.random.default_rng([t.seed, step])
        v, j = sample_windows(self.tracks, t.frames, t.batch_size, rng)
        noise = rng.standard_normal((t.batch_size, self.cfg.latent)).astype(np.float32)
        return tuple(torch.from_numpy(a).to(self.device) for a in (v, j, noise))  # type: ignore[return-value]

    def train_step(self) -> dict[str, float]:
        t = self.tcfg
        self.prior.train()
        values, jacobians, noise = self.batch(self.step)
        kl_w = t.kl_weight * min(1.0, (self.step + 1) / max(t.kl_warmup, 1))
        loss = prior_loss(self.prior, values, jacobians, noise, kl_w, t.jacobian_weight)
        if not torch.isfinite(loss.total):
            raise TrainingError(
                f"prior loss became {loss.total.item()} at step {self.step}; stopped, "
                f"the last good checkpoint in {self.out_dir} is kept"
            )
        self.opt.zero_grad(set_to_none=True)
        loss.total.backward()
        torch.nn.utils.clip_grad_norm_(self.prior.parameters(), 1.0)
        self.opt.step()
        self.sched.step()
        self.step += 1
        return {
            "total": float(loss.total.detach()),
            "displacement": float(loss.displacement.detach()),
            "jacobian": float(loss.jacobian.detach()),
            "kl": float(loss.kl.detach()),
        }

    def run(self) -> dict[str, float]:
        """Train to `total_steps`; saves every `checkpoint_every` steps, at the end and when a
        stop is requested (between steps; see the module docstring)."""
        t = self.tcfg
        start = self.step
        self.out_dir.mkdir(parents=True, exist_ok=True)
        logger = ScalarLogger(self.out_dir, start_step=self.step)
        bar = None
        if not self.quiet and sys.stderr.isatty():  # carriage-return frames spoil a log file
            from tqdm import tqdm

            bar = tqdm(total=self.total_steps, initial=self.step, unit="step", dynamic_ncols=True)
        last: dict[str, float] = {}
        try:
            while self.step < self.total_steps:
                if stop_requested():
                    if self.step > start:
                        with saving():
                            self.save()
                    raise Stopped(saved=self.step > start)
                self._in_step = True
                last = self.train_step()
                self._in_step = False
                self.history.append(last["total"])
                if self.step % t.log_every == 0 or self.step == self.total_steps:
                    last["lr"] = float(self.sched.get_last_lr()[0])
                    logger.log(self.step, last)
                    if bar is not None:
                        bar.set_postfix(
                            {k: f"{v:.3g}" for k, v in last.items() if k != "lr"}, refresh=False
                        )
                if bar is not None:
                    bar.update(1)
                if t.checkpoint_every and self.step % t.checkpoint_every == 0:
                    with saving():
                        self.save()
            with saving():
                self.save()
        except Stopped:
            raise
        except KeyboardInterrupt:  # raised outside our handlers (a library caller's Ctrl-C)
            if not self._in_step and self.step > start:  # between steps: the state is exact
                with saving():
                    self.save()
            raise
        finally:
            self._in_step = False
            if bar is not None:
                bar.close()
            logger.close()
        return last

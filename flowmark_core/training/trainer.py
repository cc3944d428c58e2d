"""The training loop: one CPU/GPU or many processes under torchrun (DDP + SyncBatchNorm)."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset

from flowmark_core.checkpoints import (
    first_bad_tensor,
    load_checkpoint,
    load_state_extending,
    load_state_strict,
    save_checkpoint,
)
from flowmark_core.config import ExperimentConfig, TrainConfig, to_dict
from flowmark_core.data.loader_workers import loader_worker_options, start_batches
from flowmark_core.errors import CheckpointError, TrainingError
from flowmark_core.io.atomic import remove_stale_temporaries
from flowmark_core.losses.flow_consistency import flow_loss_weight
from flowmark_core.losses.vgg import load_vgg19
from flowmark_core.models import build_model
from flowmark_core.models.discriminator import MultiScaleDiscriminator, discriminator_gan_loss
from flowmark_core.models.sync_norm import convert_to_cross_process
from flowmark_core.training.data import LoadFailure, SeededSamples, collate
from flowmark_core.training.distributed import DistInfo
from flowmark_core.training.interrupts import Stopped, deferred_stops, saving, stop_requested
from flowmark_core.training.logger import ScalarLogger, save_grid
from flowmark_core.training.objective import TrainBatch, TrainingObjective
from flowmark_core.training.sampler import ResumableBatchSampler
from flowmark_core.training.schedule import lr_factor
from flowmark_core.training.state import (
    capture_rng,
    load_train_state,
    restore_rng,
    save_train_state,
)

MODEL_FILE = "model.safetensors"
STATE_FILE = "train-state.pt"
SAMPLES_FILE = "samples.png"
#: Files of a run folder; their presence means the folder holds a run.
RUN_FILES = (STATE_FILE, MODEL_FILE)


class Trainer:
    """Owns model, objective, optimisers, data and bookkeeping of one training run."""

    def __init__(
        self,
        config: ExperimentConfig,
        dataset: Dataset,
        out_dir: Path,
        dist: DistInfo,
        max_steps: int | None = None,
        resume: Path | None = None,
        quiet: bool = False,
        init: Path | None = None,
    ) -> None:
        self.cfg = config
        self.dist = dist
        self.out_dir = out_dir
        self.quiet = quiet
        t = config.train
        self.total_steps = min(t.steps, max_steps) if max_steps else t.steps
        torch.manual_seed(t.seed)
        self.model = build_model(config.model).to(dist.device)
        if dist.distributed:  # batch norm synchronised over processes, as the published model does
            if dist.device.type == "cuda":
                self.model = nn.SyncBatchNorm.convert_sync_batchnorm(self.model)
            else:
                convert_to_cross_process(self.model)
        vgg = load_vgg19(t.vgg19_weights).to(dist.device) if t.vgg19_weights else None
        self.use_gan = config.loss.uses_gan
        self.discriminator = (
            MultiScaleDiscriminator(config.model.discriminator).to(dist.device)
            if self.use_gan
            else None
        )
        self.objective = TrainingObjective(self.model, config, vgg, self.discriminator)
        self.reconstruction_kind = self.objective.reconstruction.kind
        self.wrapped: nn.Module = self.objective
        if dist.distributed:
            ids = [dist.device.index] if dist.device.type == "cuda" else None
            self.wrapped = DistributedDataParallel(self.objective, device_ids=ids)
        self.opt_kp = _optimizer(self.model.kp_detector.parameters(), t.lr_kp_detector, t)
        self.opt_gen = _optimizer(self.model.generator.parameters(), t.lr_generator, t)
        self.opt_disc = (
            _optimizer(self.discriminator.parameters(), t.lr_discriminator, t)
            if self.discriminator is not None
            else None
        )
        self.disc_wrapped = (
            DistributedDataParallel(self.discriminator)
            if self.discriminator is not None and dist.distributed
            else self.discriminator
        )
        self.optimizers = [o for o in (self.opt_kp, self.opt_gen, self.opt_disc) if o is not None]
        self.schedule_start = 0  # the step the schedule's warm-up and decay count from
        self.schedulers = [
            torch.optim.lr_scheduler.LambdaLR(o, lambda s: lr_factor(s, t, self.schedule_start))
            for o in self.optimizers
        ]
        self.step = 0
        if dist.is_main:  # temporaries of a killed run (SIGKILL during a save)
            for name in (*RUN_FILES, SAMPLES_FILE):
                remove_stale_temporaries(out_dir / name)
        if resume is not None:
            self._restore(load_train_state(resume), Path(resume))
        elif init is not None:
            self._warm_start(init)
        self.dataset = SeededSamples(dataset, t.seed)
        self.sampler = ResumableBatchSampler(
            len(self.dataset),
            t.batch_size,
            t.seed,
            dist.rank,
            dist.world_size,
            start_step=self.step,
        )
        self.loader = DataLoader(
            self.dataset,
            batch_sampler=self.sampler,
            collate_fn=collate,
            **loader_worker_options(config.data.num_workers),
        )
        if dist.is_main:
            out_dir.mkdir(parents=True, exist_ok=True)
        self.logger = ScalarLogger(out_dir, start_step=self.step) if dist.is_main else None

    # -- state -----------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "model": self.model.state_dict(),
            "discriminator": None
            if self.discriminator is None
            else self.discriminator.state_dict(),
            "optimizers": [o.state_dict() for o in self.optimizers],
            "schedulers": [s.state_dict() for s in self.schedulers],
            "schedule_start": self.schedule_start,
            "rng": capture_rng(),
            "config": json.dumps(to_dict(self.cfg)),
        }

    def _restore(self, state: dict[str, Any], path: Path) -> None:
        stored = state.get("config")
        if isinstance(stored, str):
            stored_model = json.loads(stored).get("model")
            if stored_model is not None and stored_model != to_dict(self.cfg.model):
                differing = sorted(
                    k for k, v in to_dict(self.cfg.model).items() if stored_model.get(k) != v
                )
                raise CheckpointError(
                    f"{path}: written for another model config (differs in "
                    f"{', '.join(differing[:4])}); resume with the config it was trained with"
                )
        load_state_strict(self.model, state["model"], path)
        if self.discriminator is not None and state.get("discriminator") is not None:
            self.discriminator.load_state_dict(state["discriminator"])
        for o, s in zip(self.optimizers, state["optimizers"]):
            o.load_state_dict(s)
        for sch, s in zip(self.schedulers, state["schedulers"]):
            sch.load_state_dict(s)
        restore_rng(state["rng"])
        self.step = int(state["step"])
        self.schedule_start = int(state.get("schedule_start", 0))

    def _warm_start(self, path: Path) -> None:
        """Start from a model checkpoint's weights and step (fresh optimiser moments).

        For moving a run to a machine that has only the committed model file; an exact
        resume needs train-state.pt (`--resume`).
        """
        stored, meta = load_checkpoint(path)
        fresh, dropped = load_state_extending(self.model, stored.state_dict(), path)
        for keys, what in ((fresh, "leaves freshly initialised"), (dropped, "drops")):
            if keys and self.dist.is_main:
                names = ", ".join(sorted({key.rsplit(".", 1)[0] for key in keys}))
                print(f"flowmark train: warm start {what} {names}")
        self.step = int(meta.get("step", 0))
        # The schedule (warm-up, then decay to train.steps) starts at the warm start's step:
        # counted from 0, a warm start late in a cosine schedule ran at its tail.
        self.schedule_start = self.step
        if self.step >= self.total_steps:
            raise TrainingError(
                f"{path}: the warm start is at step {self.step}, not before train.steps "
                f"({self.total_steps}); set train.steps above it (the total step count)"
            )
        for opt, sch in zip(self.optimizers, self.schedulers):
            sch.last_epoch = self.step
            for group, base in zip(opt.param_groups, sch.base_lrs):
                group["lr"] = base * lr_factor(self.step, self.cfg.train, self.schedule_start)

    def save(self) -> None:
        """Write the model file and the full training state (rank 0 only, atomically)."""
        if not self.dist.is_main:
            return
        bad = first_bad_tensor(self.model.state_dict())
        if bad is not None:
            raise TrainingError(
                f"weights are not finite at step {self.step} ({bad}); stopped without saving, "
                f"the last good checkpoint in {self.out_dir} is kept"
            )
        meta = {
            "step": self.step,
            "train_config": to_dict(self.cfg),
            "reconstruction_loss": self.reconstruction_kind,
        }
        with saving():  # a signal now is acted on after both files are written
            self.out_dir.mkdir(parents=True, exist_ok=True)
            save_train_state(self.out_dir / STATE_FILE, self._state())
            # Synchronised batch norms keep the plain parameter names: save the model as it is.
            save_checkpoint(self.out_dir / MODEL_FILE, self.model, meta)

    # -- loop ------------------------------------------------------------------------------
    def train_step(self, batch: TrainBatch) -> dict[str, float]:
        """One optimisation step; returns the logged loss terms."""
        t = self.cfg.train
        self.model.train()
        batch = batch.to(self.dist.device)
        scale = flow_loss_weight(self.step, self.cfg.loss.flow)
        with torch.autocast(self.dist.device.type, dtype=torch.bfloat16, enabled=t.bf16):
            out = self.wrapped(batch, scale)
        for name, value in out.terms.items():
            if not torch.isfinite(value):
                raise TrainingError(
                    f"loss term '{name}' became {value.item()} at step {self.step}; stopped, "
                    f"the last good checkpoint in {self.out_dir} is kept"
                )
        self.opt_kp.zero_grad(set_to_none=True)
        self.opt_gen.zero_grad(set_to_none=True)
        out.total.backward()
        if t.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), t.grad_clip)
        self.opt_kp.step()
        self.opt_gen.step()
        logged = {k: float(v.detach()) for k, v in (out.terms | out.measures).items()}
        if self.opt_disc is not None and self.cfg.loss.discriminator_gan > 0:
            logged["discriminator_gan"] = self._discriminator_step(
                batch, out.generated.prediction.detach()
            )
        for s in self.schedulers:
            s.step()
        self.step += 1
        logged["total"] = float(out.total.detach())
        if self.dist.is_main and t.image_every and self.step % t.image_every == 0:
            save_grid(
                self.out_dir / "samples.png",
                batch.source,
                batch.driving,
                out.generated.prediction,
                out.kp_driving.value,
                out.generated.motion.occlusion,
            )
        return logged

    def _stop_agreed(self) -> bool:
        """Whether to stop now: a signal arrived here (or, under DDP, in any process)."""
        requested = stop_requested()
        if not self.dist.distributed:
            return requested
        flag = torch.tensor([float(requested)], device=self.dist.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        return bool(flag.item())

    def _discriminator_step(self, batch: TrainBatch, fake: torch.Tensor) -> float:
        pyr = self.objective.reconstruction.pyramid
        assert self.disc_wrapped is not None and self.opt_disc is not None
        real_scores = [s for _, s in self.disc_wrapped(pyr(batch.driving))]
        fake_scores = [s for _, s in self.disc_wrapped(pyr(fake))]
        loss = self.cfg.loss.discriminator_gan * discriminator_gan_loss(real_scores, fake_scores)
        self.opt_disc.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_disc.step()
        return float(loss.detach())

    def run(self) -> dict[str, float]:
        """Train until `total_steps`; checkpoints every N steps, at the end and on a stop signal.

        SIGINT/SIGTERM end the step being taken, save it and raise `Stopped` (a
        KeyboardInterrupt); nothing is saved when no step was taken since the start.
        """
        t = self.cfg.train
        if self.dist.is_main and not self.quiet:
            print(
                f"flowmark train: reconstruction loss = {self.reconstruction_kind}; "
                f"steps {self.step}->{self.total_steps}; batch {t.batch_size}; device {self.dist.device}; "
                f"processes {self.dist.world_size}; logging to {self.logger.kind if self.logger else '-'}",
                flush=True,
            )
        bar = None
        if self.dist.is_main and not self.quiet:
            from tqdm import tqdm

            bar = tqdm(
                total=self.total_steps,
                initial=self.step,
                unit="step",
                dynamic_ncols=True,
                disable=not sys.stderr.isatty(),  # no carriage-return frames in log files
            )
        last: dict[str, float] = {}
        window_start, window_images = time.perf_counter(), 0
        start_step = self.step
        batches: Iterator[Any] | None = None
        try:
            # A signal only requests the stop; it is acted on between steps (see interrupts).
            with deferred_stops():
                batches = start_batches(self.loader)
                stopped = False
                while self.step < self.total_steps:
                    batch = next(batches)
                    stopped = self._stop_agreed()
                    if stopped:
                        break
                    if isinstance(batch, LoadFailure):
                        raise batch.error()
                    last = self.train_step(batch)
                    window_images += batch.source.shape[0] * self.dist.world_size
                    if self.dist.is_main and (
                        self.step % t.log_every == 0 or self.step == self.total_steps
                    ):
                        elapsed = time.perf_counter() - window_start
                        last["images_per_s"] = window_images / max(elapsed, 1e-9)
                        last["lr"] = float(self.schedulers[0].get_last_lr()[0])
                        window_start, window_images = time.perf_counter(), 0
                        if self.logger:
                            self.logger.log(self.step, last)
                        if bar is not None:
                            bar.set_postfix(
                                {k: f"{v:.3g}" for k, v in last.items() if k != "lr"},
                                refresh=False,
                            )
                    if bar is not None:
                        bar.update(1)
                    if t.checkpoint_every and self.step % t.checkpoint_every == 0:
                        self.save()
                if not stopped or self.step > start_step:
                    self.save()
                if stopped:
                    raise Stopped(saved=self.step > start_step)
        except Stopped:
            raise
        except BaseException:
            # A stop signal can surface as another error first (a DataLoader worker seen
            # dead): the stop wins, and the state of the last whole step is saved.
            if not stop_requested():
                raise
            if self.step > start_step:
                self.save()
            raise Stopped(saved=self.step > start_step) from None
        finally:
            batches = None  # the last reference: its workers stop now, not at exit
            if bar is not None:
                bar.close()
            if self.logger:
                self.logger.close()
        return {k: v for k, v in last.items() if math.isfinite(v)}


def _optimizer(params, lr: float, t: TrainConfig) -> torch.optim.Optimizer:
    """Adam (the published choice) or plain SGD with momentum."""
    if t.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    return torch.optim.Adam(params, lr=lr, betas=(t.betas[0], t.betas[1]), eps=t.adam_eps)

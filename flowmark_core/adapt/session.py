"""One adaptation from request to saved model (what `flowmark adapt` and the app run)."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from flowmark_core.adapt.clip import read_adapt_clip
from flowmark_core.adapt.finetune import Adapter, adapt_config, run_adaptation
from flowmark_core.adapt.held_out import held_out_l1, split_held_out
from flowmark_core.checkpoints import load_model, save_checkpoint
from flowmark_core.errors import Cancelled, OutputFileError
from flowmark_core.io.atomic import check_writable_dir


@dataclass(frozen=True)
class AdaptRequest:
    """What to adapt, on what, for how long (`steps` or `seconds`), and where to save it."""

    video: Path
    output: Path
    model: str | None = None
    steps: int | None = None
    seconds: float | None = 300.0
    frames: tuple[int, int | None] | None = None
    face_crop: bool = True
    batch_size: int = 4
    lr: float = 1e-4
    seed: int = 0
    threads: int | None = None
    held_out: int = 0  # the clip's last frames, kept out of training to score the result
    min_steps: int = 1  # fewer finished steps keep nothing
    name: str = ""  # the model's name in the library
    person: str = ""  # whose face it learns


@dataclass(frozen=True)
class AdaptResult:
    """How it went: steps done, time, first/last loss, whether it was interrupted."""

    output: Path
    base: str
    frames: int
    steps: int
    seconds: float
    first_loss: float
    last_loss: float
    interrupted: bool
    kept: bool = False  # a model was saved
    held_out_l1: float | None = None  # the saved model on the held-out frames
    base_l1: float | None = None  # the model it started from, on the same frames
    note: str = ""  # why nothing was kept


def check_output(path: Path) -> None:
    """A new `.safetensors` file in a writable folder.

    Raises:
        OutputFileError: wrong extension, the file exists, or its folder is not writable.
    """
    if path.suffix != ".safetensors":
        raise OutputFileError(f"{path}: expected a .safetensors output file")
    if path.exists():
        raise OutputFileError(
            f"{path}: already exists; choose a new file name (adapt never overwrites)"
        )
    check_writable_dir(path)


def model_card(base: str, video: Path, frames: int, steps: int, seconds: float, size: int) -> str:
    """The card an adapted model carries (shown by `flowmark models`)."""
    return (
        f"Adapted from {base} to one person: {frames} face-cropped frames of {video.name}, "
        f"{steps} self-reconstruction steps ({seconds / 60:.1f} min), {size} px. Best on that "
        "person (photos of them, any driving video); on other faces use the model it came from."
    )


def adapt_video(
    request: AdaptRequest,
    progress: bool = False,
    on_step: Callable[[int, float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> AdaptResult:
    """Read the clip, fine-tune, save atomically. Ctrl-C keeps the last finished step.

    Args:
        progress: draw a tqdm bar with a time estimate on stderr.
        on_step: called with (steps done, seconds so far, fraction done) after each step.
        should_stop: polled between steps (Stop and keep): stopping early saves too, once
            `request.min_steps` steps are done.
        should_cancel: polled between steps (Cancel): raises `Cancelled`, nothing saved.

    Raises:
        OutputFileError, InputFileError (no face, too short, unreadable), CheckpointError.
    """
    check_output(request.output)
    if request.threads:
        torch.set_num_threads(request.threads)
    model, meta = load_model(request.model)
    base = Path(meta["path"]).stem
    first, last = request.frames or (0, None)
    clip = read_adapt_clip(
        request.video, model.config.image_size, first, last, face_crop=request.face_crop
    )
    clip, held = split_held_out(clip, request.held_out, str(request.video))
    base_l1 = held_out_l1(model, clip, held)
    adapter = Adapter(
        model, adapt_config(model, meta), clip, request.lr, request.batch_size, request.seed
    )
    total = float(request.steps) if request.steps is not None else float(request.seconds or 0)
    unit = "step" if request.steps is not None else "s"
    bar = tqdm(
        total=total,
        desc="adapt",
        unit=unit,
        file=sys.stderr,
        disable=not (progress and sys.stderr.isatty()),  # no bar frames in a log file
        dynamic_ncols=True,
    )
    losses: list[float] = []

    def report(step: int, seconds: float, terms: dict[str, float]) -> None:
        done = step if request.steps is not None else min(seconds, total)
        bar.set_postfix(step=step, loss=f"{terms['total']:.3f}", refresh=False)
        bar.update(done - bar.n)
        if on_step is not None:
            on_step(step, seconds, done / total if total else 1.0)

    def cancelled() -> bool:
        return should_cancel is not None and should_cancel()

    def stop() -> bool:
        return cancelled() or (should_stop is not None and should_stop())

    start = time.monotonic()
    interrupted = False
    try:
        losses = run_adaptation(adapter, request.steps, request.seconds, report, stop)
    except KeyboardInterrupt:
        interrupted = True
        losses = []
    finally:
        bar.close()
    if cancelled():
        raise Cancelled(f"{request.video}: adaptation cancelled; nothing kept")
    seconds = time.monotonic() - start
    result = AdaptResult(
        request.output, base, len(clip), adapter.step, seconds,
        float(losses[0]) if losses else float("nan"),
        float(np.mean(losses[-10:])) if losses else float("nan"),
        interrupted,
    )  # fmt: skip
    if adapter.step < max(request.min_steps, 1):
        return dataclasses.replace(result, note=too_few_steps(adapter.step, request.min_steps))
    adapted_l1 = held_out_l1(model, clip, held)
    card = model_card(
        base, request.video, len(clip), adapter.step, seconds, model.config.image_size
    )
    out_meta = {
        "step": int(meta.get("step", 0)),
        "adapted_from": str(meta["path"]),
        "adapt": {
            "video": request.video.name,
            "frames": len(clip),
            "first_frame": first,
            "steps": adapter.step,
            "seconds": round(seconds, 1),
            "face_crop": request.face_crop,
            "lr": request.lr,
            "batch_size": request.batch_size,
            "name": request.name or request.output.stem,
            "person": request.person,
            "created": datetime.now().isoformat(timespec="seconds"),
            "held_out": None
            if held is None
            else {"frames": len(held), "l1": adapted_l1, "base_l1": base_l1},
        },
        "train_config": meta.get("train_config"),
        "card": card,
    }
    kept = {k: v for k, v in out_meta.items() if v is not None}
    # exclusive: a run that finished first under the same name is never replaced
    save_checkpoint(request.output, model, kept, exclusive=True)
    return dataclasses.replace(result, kept=True, held_out_l1=adapted_l1, base_l1=base_l1)


def too_few_steps(steps: int, minimum: int) -> str:
    """Why a model with `steps` finished steps was not kept."""
    if steps == 0:
        return "stopped before its first step; nothing saved"
    return (
        f"stopped after {steps} steps, fewer than the {minimum} a kept model needs (fewer "
        "distort the face more than they help); nothing saved"
    )

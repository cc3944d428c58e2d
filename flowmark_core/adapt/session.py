"""One adaptation from request to saved model (what `flowmark adapt` and the app run)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from flowmark_core.adapt.clip import read_adapt_clip
from flowmark_core.adapt.finetune import Adapter, adapt_config, run_adaptation
from flowmark_core.checkpoints import load_model, save_checkpoint
from flowmark_core.errors import OutputFileError
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
) -> AdaptResult:
    """Read the clip, fine-tune, save atomically. Ctrl-C keeps the last finished step.

    Args:
        progress: draw a tqdm bar with a time estimate on stderr.
        on_step: called with (steps done, seconds so far, fraction done) after each step.
        should_stop: polled between steps (a Cancel button); stopping early saves too.

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

    start = time.monotonic()
    interrupted = False
    try:
        losses = run_adaptation(adapter, request.steps, request.seconds, report, should_stop)
    except KeyboardInterrupt:
        interrupted = True
        losses = []
    finally:
        bar.close()
    seconds = time.monotonic() - start
    result = AdaptResult(
        request.output, base, len(clip), adapter.step, seconds,
        float(losses[0]) if losses else float("nan"),
        float(np.mean(losses[-10:])) if losses else float("nan"),
        interrupted,
    )  # fmt: skip
    if adapter.step == 0:
        return result
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
        },
        "train_config": meta.get("train_config"),
        "card": card,
    }
    kept = {k: v for k, v in out_meta.items() if v is not None}
    # exclusive: a run that finished first under the same name is never replaced
    save_checkpoint(request.output, model, kept, exclusive=True)
    return result

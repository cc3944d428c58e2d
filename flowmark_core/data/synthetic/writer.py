"""Write synthetic data sets to disk in the First Order Motion Model layout.

    OUT/train/id00000#00/000000.png ... landmarks.npz
    OUT/test/id00042#00/...
    OUT/dataset.json

`landmarks.npz` holds `landmarks` (T, L, 2) float32 pixels, `visible` (T, L) bool, `names`
(L,) str and `fps`. The whole tree is built in a temporary folder beside OUT and renamed to
OUT only when every video is written; a failure, Ctrl-C or SIGTERM removes it (a full disk
is reported as "no space left on <folder>"). Rendering workers (`flowmark_core.io.worker_pool`)
ignore Ctrl-C/SIGTERM sent to the process group: only this process acts on them, stops its
workers (a bounded wait, then SIGKILL) and only then removes the partial data set, so the
command ends with exit 130 and one line, never hangs on a worker killed mid-way, and leaves
no worker behind. Workers die with the parent even when it is SIGKILLed; a SIGKILL leaves the
temporary folder, which the next run writing the same OUT removes.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from flowmark_core.data.synthetic.clip import MAX_SIZE, MIN_SIZE, SyntheticClip
from flowmark_core.data.synthetic.faces_photo import PhotoClip
from flowmark_core.data.synthetic.identities import FAMILIES, VideoPlan, plan_dataset, render_clip
from flowmark_core.data.video_folder import LANDMARKS_FILE
from flowmark_core.errors import ConfigError, OutputFileError
from flowmark_core.io.atomic import is_out_of_space
from flowmark_core.io.worker_pool import WorkerPool

# Fast lossless PNG: light zlib level with the "sub" filter and RLE (~0.5 ms at 128 px).
_PNG_OPTIONS = [
    cv2.IMWRITE_PNG_COMPRESSION, 1,
    cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
]  # fmt: skip


def write_clip(folder: Path, clip: SyntheticClip) -> None:
    """Write a clip as PNG frames 000000.png, ... plus `landmarks.npz` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for t, frame in enumerate(clip.frames):
        bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
        # Encode in memory, write with Python: a full disk is then an OSError we report in
        # one line, not a "libpng error: Write Error" printed by libpng itself.
        ok, encoded = cv2.imencode(".png", bgr, _PNG_OPTIONS)
        if not ok:
            raise OutputFileError(f"{folder}: cannot encode frame {t}")
        (folder / f"{t:06d}.png").write_bytes(encoded.tobytes())
    np.savez(
        folder / LANDMARKS_FILE,
        landmarks=clip.landmarks,
        visible=clip.visible,
        names=clip.names.astype(str),
        fps=np.float32(clip.fps),
    )
    if isinstance(clip, PhotoClip):  # faces-photo: the warp mesh gives dense motion (mesh_warp.py)
        np.savez(
            folder / "mesh.npz", mesh=clip.mesh, depth=clip.mesh_depth, triangles=clip.triangles
        )


def _render_and_write(task: tuple[Path, str, VideoPlan, int, int]) -> str:
    root, family, plan, frames, size = task
    clip = render_clip(family, plan.appearance_seed, plan.motion_seed, frames, size)
    write_clip(root / plan.split / plan.name, clip)
    return plan.name


def _init_worker() -> None:
    cv2.setNumThreads(1)  # one process per core already


def _check_args(
    family: str,
    videos: int,
    frames: int,
    size: int,
    test_fraction: float,
    clips_per_id: int,
    workers: int,
) -> None:
    if family not in FAMILIES:
        raise ConfigError(f"family {family!r} is not known; allowed: {', '.join(FAMILIES)}")
    if videos < 1:
        raise ConfigError(f"videos must be >= 1, got {videos}")
    if frames < 2:
        raise ConfigError(f"frames must be >= 2, got {frames}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ConfigError(f"size must be in {MIN_SIZE}..{MAX_SIZE}, got {size}")
    if not 0.0 <= test_fraction < 1.0:
        raise ConfigError(f"test fraction must be in [0, 1), got {test_fraction}")
    if clips_per_id < 1:
        raise ConfigError(f"clips per identity must be >= 1, got {clips_per_id}")
    if workers < 0:
        raise ConfigError(f"workers must be >= 0, got {workers}")


@contextlib.contextmanager
def _atomic_folder(out: Path) -> Iterator[Path]:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputFileError(f"{out}: already exists and is not empty; choose a new folder")
    parent = out.resolve().parent
    try:  # like `mkdir -p`: `make data` on a fresh clone writes into a data/ not yet there
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"{out}: cannot create its folder {parent}: {exc.strerror}") from exc
    if not os.access(parent, os.W_OK):
        raise OutputFileError(f"{out}: output folder {parent} is not writable")
    _remove_stale_folders(out, parent)
    try:
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".tmp", dir=parent)
        )
    except OSError as exc:
        raise OutputFileError(
            f"{out}: cannot create a folder in {parent}: {exc.strerror}"
        ) from None
    tmp.chmod(0o755)  # mkdtemp makes it private; the data set is an ordinary folder
    try:
        yield tmp
        try:
            os.replace(tmp, out)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise
            raise OutputFileError(
                f"{out}: was written by another run meanwhile; not replaced (choose another OUT)"
            ) from None
    except BaseException as exc:
        full = isinstance(exc, Exception) and is_out_of_space(parent, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        if full:
            raise OutputFileError(f"{out}: no space left on {parent}") from None
        raise


def _remove_stale_folders(out: Path, parent: Path) -> None:
    """Remove temporary folders of OUT left by runs that were killed (their pid is gone)."""
    prefix = f".{out.name}."
    for entry in parent.iterdir():
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp") and entry.is_dir()):
            continue
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass


def synthesize_dataset(
    out: str | os.PathLike[str],
    family: str,
    videos: int,
    frames: int,
    size: int,
    seed: int = 0,
    test_fraction: float = 0.15,
    clips_per_id: int = 2,
    workers: int = 2,
    progress: bool = True,
) -> dict[str, int]:
    """Render and write a whole synthetic data set (see the module docstring).

    Args:
        workers: processes rendering in parallel; 0 or 1 renders in this process.

    Returns:
        Number of videos per split, e.g. {"train": 170, "test": 30}.

    Raises:
        ConfigError: a bad argument. OutputFileError: OUT exists and is not empty, or its
            folder cannot be created or is not writable.
    """
    _check_args(family, videos, frames, size, test_fraction, clips_per_id, workers)
    out_path = Path(out)
    plans = plan_dataset(family, videos, seed, test_fraction, clips_per_id)
    counts = {"train": 0, "test": 0}
    for plan in plans:
        counts[plan.split] += 1
    with _atomic_folder(out_path) as tmp:
        for split in counts:
            (tmp / split).mkdir()
        tasks = [(tmp, family, plan, frames, size) for plan in plans]
        bar = tqdm(
            total=len(tasks),
            desc=f"synth {family}",
            unit="video",
            file=sys.stderr,
            disable=not progress or not sys.stderr.isatty(),
        )
        with bar:
            if workers <= 1:
                for task in tasks:
                    _render_and_write(task)
                    bar.update()
            else:
                # Leaving this block stops the workers (even on Ctrl-C/SIGTERM) before
                # _atomic_folder removes the partial data set they were writing into.
                with WorkerPool(min(workers, len(tasks)), init=_init_worker) as pool:
                    for _ in pool.imap_unordered(_render_and_write, tasks):
                        bar.update()
        meta = {
            "family": family,
            "seed": seed,
            "frames": frames,
            "size": size,
            "clips_per_id": clips_per_id,
            "fps": 25.0,
            **counts,
            # Rendering and random streams can change with these: two data sets made by
            # different versions may differ (measured: identity L1 0.0415 vs 0.0420).
            "rendered_with": {"numpy": np.__version__, "opencv": cv2.__version__},
        }
        (tmp / "dataset.json").write_text(json.dumps(meta, indent=2) + "\n")
    return counts

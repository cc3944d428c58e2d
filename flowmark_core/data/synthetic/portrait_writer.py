"""`data synth --family faces-photo --portraits DIR`: a data set from a folder of portraits.

The layout, seeds and looks are those of `writer.synthesize_dataset` (same `plan_dataset`:
synthetic identity `id00007` is one augmented look, its clips `#00`, `#01`, ...), but each
look animates a photo from DIR instead of one of the five cached faces, and the test split's
looks use only photos of held-out real people (`portrait_split`). Identities excluded with
`--exclude-identities` are used on neither side.

Only the photos the looks need are meshed, once each (`portrait_cache`, in the temporary
folder, removed before the data set is renamed into place): every split's photos are taken in
their round-robin order and meshed until the split has a face per look or runs out of photos;
a photo with no face, or a face turned more than `portrait_cache.MAX_YAW_DEG`, is skipped and
counted. OUT also gets `portraits.tsv` (video, split, identity, portrait) and a `portraits`
entry in `dataset.json`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from flowmark_core.data.synthetic.faces_photo import portrait_clip
from flowmark_core.data.synthetic.identities import VideoPlan, plan_dataset
from flowmark_core.data.synthetic.portrait_cache import (
    FITTED,
    MAX_YAW_DEG,
    NO_FACE,
    TURNED,
    UNREADABLE,
    fit_portrait,
    load_face,
)
from flowmark_core.data.synthetic.portrait_folder import Portrait, collect_portraits
from flowmark_core.data.synthetic.portrait_split import PortraitSplit, split_portraits
from flowmark_core.data.synthetic.writer import (
    _atomic_folder,
    _check_args,
    _init_worker,
    write_clip,
)
from flowmark_core.errors import InputFileError
from flowmark_core.io.worker_pool import WorkerPool

FAMILY = "faces-photo"
_CACHE = ".portrait-faces"


@dataclass
class PortraitSummary:
    """What a `--portraits` run made and skipped."""

    counts: dict[str, int]  # videos per split
    identities: dict[str, int] = field(default_factory=dict)  # real people used per split
    portraits_used: int = 0
    no_face: int = 0  # photos meshed in which no face was found
    turned: int = 0  # photos whose face is turned too far (`portrait_cache.MAX_YAW_DEG`)
    unreadable: int = 0
    excluded: int = 0  # photos of excluded identities


def _run(func: Callable[[Any], Any], tasks: list[Any], workers: int, bar: Any) -> Iterable[Any]:
    """`func` over `tasks`, in this process or in `workers` processes (any order)."""
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield func(task)
            bar.update()
        return
    with WorkerPool(min(workers, len(tasks)), init=_init_worker) as pool:
        for result in pool.imap_unordered(func, tasks):
            yield result
            bar.update()


def _bar(total: int, desc: str, unit: str, progress: bool) -> Any:
    show = progress and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not show)


def _fit_needed(
    split: PortraitSplit,
    looks: dict[str, int],
    cache: Path,
    max_yaw: float,
    workers: int,
    progress: bool,
) -> tuple[dict[str, list[tuple[Portrait, Path]]], dict[Path, str]]:
    """Mesh each split's photos in order until it has a face per look (or none is left).

    Returns every split's fitted photos (in order, with their cache files) and the status of
    every photo meshed.
    """
    index = {p.path: k for k, p in enumerate(p for s in split.order.values() for p in s)}
    status: dict[Path, str] = {}

    def fitted(name: str) -> list[Portrait]:
        return [p for p in split.order[name] if status.get(p.path) == FITTED]

    with _bar(0, "fit portraits", "photo", progress) as bar:
        while True:
            todo: list[Portrait] = []
            for name, want in looks.items():
                missing = want - len(fitted(name))
                todo += [p for p in split.order[name] if p.path not in status][: max(missing, 0)]
            if not todo:
                break
            bar.total += len(todo)
            tasks = [(p.path, p.name, cache / f"{index[p.path]}.npz", max_yaw) for p in todo]
            results = _run(_fit_task, tasks, workers, bar)
            status.update(dict(results))
    chosen = {name: [(p, cache / f"{index[p.path]}.npz") for p in fitted(name)] for name in looks}
    return chosen, status


def _fit_task(task: tuple[Path, str, Path, float]) -> tuple[Path, str]:
    return task[0], fit_portrait(task)


def _check_faces(
    chosen: dict[str, list[tuple[Portrait, Path]]],
    looks: dict[str, int],
    split: PortraitSplit,
    folder: Path,
    summary: PortraitSummary,
    max_yaw: float,
) -> None:
    """One line naming what is at fault when a split that needs faces has none."""
    empty = [name for name, want in looks.items() if want > 0 and not chosen[name]]
    if not empty:
        return
    turned = f" ({summary.turned} turned more than {max_yaw:g} degrees)" if summary.turned else ""
    if all(not faces for faces in chosen.values()):
        meshed = summary.no_face + summary.turned + summary.unreadable
        raise InputFileError(
            f"faces-photo: no face found in the {meshed} portrait(s) under {folder}{turned}"
        )
    name = empty[0]
    raise InputFileError(
        f"faces-photo: no face found in the portraits of the {len(split.identities[name])} "
        f"{name} identities under {folder}{turned}; add portraits or change --seed / "
        "--test-fraction"
    )


def _assign(
    plans: list[VideoPlan], chosen: dict[str, list[tuple[Portrait, Path]]]
) -> list[tuple[VideoPlan, Portrait, Path]]:
    """The photo of every video: look j of a split animates that split's photo j (cycled)."""
    look_of: dict[int, int] = {}
    next_look = dict.fromkeys(chosen, 0)
    out = []
    for plan in plans:
        if plan.identity not in look_of:
            look_of[plan.identity] = next_look[plan.split]
            next_look[plan.split] += 1
        faces = chosen[plan.split]
        portrait, cache_file = faces[look_of[plan.identity] % len(faces)]
        out.append((plan, portrait, cache_file))
    return out


def _render_task(task: tuple[Path, VideoPlan, int, int, Path]) -> str:
    root, plan, frames, size, cache_file = task
    clip = portrait_clip(
        load_face(cache_file), plan.appearance_seed, plan.motion_seed, frames, size
    )
    write_clip(root / plan.split / plan.name, clip)
    return plan.name


def _write_table(path: Path, assigned: list[tuple[VideoPlan, Portrait, Path]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["video", "split", "identity", "portrait"])
        for plan, portrait, _ in assigned:
            writer.writerow(
                [f"{plan.split}/{plan.name}", plan.split, portrait.identity, portrait.name]
            )


def synthesize_portrait_dataset(
    out: str | os.PathLike[str],
    portraits: str | os.PathLike[str],
    videos: int,
    frames: int,
    size: int,
    seed: int = 0,
    test_fraction: float = 0.15,
    clips_per_id: int = 2,
    workers: int = 2,
    exclude: Collection[str] = (),
    max_yaw: float = MAX_YAW_DEG,
    progress: bool = True,
) -> PortraitSummary:
    """Render and write a faces-photo data set whose faces are the photos under `portraits`.

    Args:
        exclude: identities (`portrait_folder.identity_key` form) used on neither side.
        max_yaw: photos whose face is turned further (degrees, `portrait_cache.face_yaw`)
            are skipped.

    Raises:
        ConfigError: a bad argument. InputFileError: no portraits, a bad manifest, every
            identity excluded, one identity for two splits, or no face found.
        OutputFileError: OUT exists and is not empty, or cannot be created.
    """
    _check_args(FAMILY, videos, frames, size, test_fraction, clips_per_id, workers)
    folder = Path(portraits)
    found = collect_portraits(folder)
    kept = [p for p in found if p.identity not in set(exclude)]
    if not kept:
        raise InputFileError(
            f"--portraits {folder}: every portrait's identity is in --exclude-identities"
        )
    plans = plan_dataset(FAMILY, videos, seed, test_fraction, clips_per_id)
    looks = {s: len({p.identity for p in plans if p.split == s}) for s in ("train", "test")}
    try:
        split = split_portraits(kept, seed, test_fraction, want_test=looks["test"] > 0)
    except ValueError:
        raise InputFileError(
            f"--portraits {folder}: every portrait shows one identity, so none is left for the "
            "test split; add portraits of other people or use --test-fraction 0"
        ) from None
    summary = PortraitSummary({s: sum(p.split == s for p in plans) for s in looks})
    summary.excluded = len(found) - len(kept)
    with _atomic_folder(Path(out)) as tmp:
        cache = tmp / _CACHE
        cache.mkdir()
        chosen, status = _fit_needed(split, looks, cache, max_yaw, workers, progress)
        summary.no_face = sum(s == NO_FACE for s in status.values())
        summary.turned = sum(s == TURNED for s in status.values())
        summary.unreadable = sum(s == UNREADABLE for s in status.values())
        _check_faces(chosen, looks, split, folder, summary, max_yaw)
        assigned = _assign(plans, chosen)
        for name in summary.counts:
            (tmp / name).mkdir()
        tasks = [(tmp, plan, frames, size, cache_file) for plan, _, cache_file in assigned]
        with _bar(len(tasks), f"synth {FAMILY}", "video", progress) as bar:
            for _ in _run(_render_task, tasks, workers, bar):
                pass
        shutil.rmtree(cache)
        _write_table(tmp / "portraits.tsv", assigned)
        for name in summary.counts:
            summary.identities[name] = len(
                {p.identity for plan, p, _ in assigned if plan.split == name}
            )
        summary.portraits_used = len({p.path for _, p, _ in assigned})
        meta = {
            "family": FAMILY,
            "seed": seed,
            "frames": frames,
            "size": size,
            "clips_per_id": clips_per_id,
            "fps": 25.0,
            **summary.counts,
            "portraits": {
                "folder": str(folder),
                "identities": summary.identities,
                "portraits_used": summary.portraits_used,
                "no_face": summary.no_face,
                "turned": summary.turned,
                "max_yaw_deg": max_yaw,
                "unreadable": summary.unreadable,
                "excluded_portraits": summary.excluded,
            },
            "rendered_with": {"numpy": np.__version__, "opencv": cv2.__version__},
        }
        (tmp / "dataset.json").write_text(json.dumps(meta, indent=2) + "\n")
    return summary

"""Run `data prepare`: scan, plan, write clips, journal and manifest (see the package doc)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2

from flowmark_core.animate.face_crop import crop
from flowmark_core.data.prepare.faces import FaceBoxDetector
from flowmark_core.data.prepare.journal import Journal, video_key
from flowmark_core.data.prepare.scan import scan_video
from flowmark_core.data.prepare.segments import Segment, SegmentRules, plan_segments
from flowmark_core.data.prepare.sources import SourceVideo
from flowmark_core.data.prepare.split import split_videos
from flowmark_core.errors import FlowmarkError
from flowmark_core.io.atomic import atomic_output
from flowmark_core.io.video_reader import open_video

MANIFEST_COLUMNS = (
    "clip",
    "split",
    "identity",
    "source",
    "video",
    "shot",
    "start",
    "end",
    "fps",
    "box_x",
    "box_y",
    "box_side",
    "face_fraction",
    "face_side",
    "sharpness",
)
SKIPPED_COLUMNS = ("video", "shot", "start", "end", "reason")


@dataclass
class PrepareSummary:
    """What a run made."""

    clips: dict[str, int]
    frames: dict[str, int]
    dropped: int
    bad_inputs: list[str]
    resumed: int


def _clip_name(video: SourceVideo, segment: Segment) -> str:
    return f"{video.identity}#{video.clip_stem}-s{segment.shot:03d}-{segment.start:06d}"


def _write_clips(
    video: SourceVideo,
    segments: list[Segment],
    folders: dict[int, Path],
    size: int,
    on_frame: Callable[[], None] | None,
) -> None:
    """Second pass: crop each kept piece's frames into its temporary folder."""
    kept = [s for s in segments if s.kept]
    if not kept:
        return
    last = max(s.end for s in kept)
    reader = open_video(video.path)
    current = 0
    for index, frame in enumerate(reader):
        if index >= last:
            break
        while current < len(kept) and index >= kept[current].end:
            current += 1
        if current < len(kept) and kept[current].start <= index:
            seg = kept[current]
            assert seg.box is not None
            patch = crop(frame, seg.box, size)
            name = folders[id(seg)] / f"{index - seg.start:06d}.png"
            if not cv2.imwrite(str(name), cv2.cvtColor(patch, cv2.COLOR_RGB2BGR)):
                raise OSError(f"cannot write {name}")
        if on_frame is not None:
            on_frame()


def _manifest_rows(journal: Journal) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    clips: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for entry in journal.done.values():
        clips.extend(entry.get("clips", []))
        skipped.extend(entry.get("skipped", []))
    clips.sort(key=lambda r: (r["split"], r["clip"]))
    return clips, skipped


def _write_tsv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter="\t", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    with atomic_output(path) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")


def _prepare_one(
    video: SourceVideo,
    split: str,
    root: Path,
    rules: SegmentRules,
    detector: FaceBoxDetector,
    on_frame: Callable[[], None] | None,
) -> dict[str, Any]:
    reader = open_video(video.path)
    scan = scan_video(reader, detector, on_frame=on_frame)
    segments = plan_segments(scan.shots, scan.boxes, scan.sharpness, scan.frame_size, rules)
    folder = root / split
    folder.mkdir(exist_ok=True)
    temporaries: dict[int, Path] = {}
    clips: list[dict[str, Any]] = []
    try:
        for seg in segments:
            if seg.kept:
                tmp = folder / f".{_clip_name(video, seg)}.tmp-{os.getpid()}"
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir()
                temporaries[id(seg)] = tmp
        _write_clips(video, segments, temporaries, rules.size, None)
        for seg in segments:
            if not seg.kept:
                continue
            assert seg.box is not None
            name = _clip_name(video, seg)
            final = folder / name
            shutil.rmtree(final, ignore_errors=True)
            temporaries.pop(id(seg)).rename(final)
            clips.append(
                {
                    "clip": name,
                    "split": split,
                    "identity": video.identity,
                    "source": video.source,
                    "video": str(video.path),
                    "shot": seg.shot,
                    "start": seg.start,
                    "end": seg.end,
                    "fps": round(scan.fps, 3),
                    "box_x": seg.box.x,
                    "box_y": seg.box.y,
                    "box_side": seg.box.size,
                    "face_fraction": round(seg.face_fraction, 3),
                    "face_side": round(seg.face_side, 1),
                    "sharpness": round(seg.sharpness, 1),
                }
            )
    finally:
        for tmp in temporaries.values():
            shutil.rmtree(tmp, ignore_errors=True)
    skipped = [
        {
            "video": str(video.path),
            "shot": s.shot,
            "start": s.start,
            "end": s.end,
            "reason": s.reason,
        }
        for s in segments
        if not s.kept
    ]
    return {"clips": clips, "skipped": skipped, "frames": scan.frame_count}


def _remove_stale_temporaries(root: Path) -> None:
    for split in ("train", "test"):
        folder = root / split
        if folder.is_dir():
            for entry in folder.glob(".*.tmp-*"):
                shutil.rmtree(entry, ignore_errors=True)


def prepare_dataset(
    videos: Sequence[SourceVideo],
    out: Path,
    rules: SegmentRules,
    test_sources: Sequence[str] = (),
    test_fraction: float = 0.15,
    min_test_sources: int = 3,
    seed: int = 0,
    progress: Callable[[int], Any] | None = None,
    warn: Callable[[str], None] | None = None,
) -> PrepareSummary:
    """Prepare `videos` into the data set folder `out` (resuming a run with the same settings).

    Args:
        progress: called with the total number of frames to read; returns an object with
            `update(n)` and `close()` (a tqdm bar), or None.
        warn: receives one line per bad input (the input is skipped).

    Raises:
        ConfigError / DatasetError: bad split options, an output folder made otherwise.
        FlowmarkError: no input gave a clip.
    """
    splits = split_videos(videos, test_sources, test_fraction, min_test_sources, seed)
    settings = {
        "rules": asdict(rules),
        "split": {v.path.resolve().as_posix(): s for v, s in zip(videos, splits, strict=True)},
    }
    journal = Journal(out, settings)
    _remove_stale_temporaries(out)
    todo = [
        (v, s) for v, s in zip(videos, splits, strict=True) if video_key(v.path) not in journal.done
    ]
    resumed = len(videos) - len(todo)
    total = 0
    for video, _ in todo:
        with contextlib.suppress(FlowmarkError):
            total += open_video(video.path).frame_count or 0
    bar = progress(total) if progress is not None else None
    tick = (lambda: bar.update(1)) if bar is not None else None
    bad: list[str] = []
    detector = FaceBoxDetector()
    try:
        for video, split in todo:
            try:
                entry = _prepare_one(video, split, out, rules, detector, tick)
            except FlowmarkError as exc:
                bad.append(str(exc))
                if warn is not None:
                    warn(str(exc))
                continue
            journal.record(video_key(video.path), entry)
            clips, skipped = _manifest_rows(journal)
            _write_tsv(out / "manifest.tsv", MANIFEST_COLUMNS, clips)
            _write_tsv(out / "skipped.tsv", SKIPPED_COLUMNS, skipped)
    finally:
        detector.close()
        if bar is not None:
            bar.close()
    clips, skipped = _manifest_rows(journal)
    if not clips:
        raise FlowmarkError(
            f"{out}: no clip was kept from {len(videos)} video(s) "
            f"({len(skipped)} piece(s) dropped; see {out / 'skipped.tsv'})"
        )
    counts = {s: sum(1 for c in clips if c["split"] == s) for s in ("train", "test")}
    frames = {
        s: sum(int(c["end"]) - int(c["start"]) for c in clips if c["split"] == s)
        for s in ("train", "test")
    }
    return PrepareSummary(counts, frames, len(skipped), bad, resumed)

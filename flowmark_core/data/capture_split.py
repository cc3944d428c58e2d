"""`flowmark data degrade IN OUT --preset P`: a data set (or folder of videos) as a camera
would have captured it. Every video becomes a folder of PNG frames; its landmarks.npz is
kept (positions unchanged, covered landmarks marked invisible). Written atomically. Presets
with H.264 (`webcam-h264`) encode each whole clip at its frame rate and need ffmpeg's libx264
(checked before anything is written)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np

from flowmark_core.data.capture import PRESETS, degrade_frames, preset
from flowmark_core.data.capture_h264 import check_h264
from flowmark_core.data.layout import SPLITS, list_videos, video_name
from flowmark_core.data.synthetic.writer import _atomic_folder
from flowmark_core.data.video_folder import LANDMARKS_FILE, landmarks_path, load_landmarks
from flowmark_core.errors import DatasetError, OutputFileError
from flowmark_core.io.atomic import is_out_of_space, no_space_error
from flowmark_core.io.quiet_stderr import c_stderr_silenced
from flowmark_core.io.video_reader import open_video


def clip_seed(seed: int, name: str) -> int:
    """A video's seed: the run's seed mixed with a stable hash of its name."""
    return (int(seed) * 1_000_003 + zlib.crc32(name.encode())) & 0xFFFFFFFF


def _degrade_video(src: Path, dst: Path, preset_name: str, seed: int) -> None:
    """Degrade one video into the frame folder `dst`, one frame in memory at a time."""
    params = preset(preset_name)
    reader = open_video(src)
    track = load_landmarks(landmarks_path(src)) if landmarks_path(src).is_file() else None
    count = None
    if params.occluder:  # its crossing spans a share of the clip: count the frames first
        count = sum(1 for _ in reader)
    visible = None if track is None else np.asarray(track.visible, bool).copy()
    frames = degrade_frames(
        reader,
        params,
        clip_seed(seed, video_name(src)),
        count,
        None if track is None else track.landmarks,
        visible,
        fps=reader.fps if track is None or track.fps is None else track.fps,
    )
    dst.mkdir(parents=True)
    written = 0
    try:
        for t, frame in enumerate(frames):
            with c_stderr_silenced():  # libpng's own "Write Error" line; ours follows
                image = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
                ok = cv2.imwrite(str(dst / f"{t:06d}.png"), image)
            if not ok:
                if is_out_of_space(dst):
                    raise no_space_error(dst / f"{t:06d}.png")
                raise OutputFileError(f"{dst}: cannot write frame {t}")
            written += 1
    except DatasetError as exc:  # the landmarks end before the video
        raise DatasetError(f"{landmarks_path(src)}: {exc}") from exc
    if track is not None and visible is not None:  # a visibility comes with landmarks
        extra = {} if track.fps is None else {"fps": np.float32(track.fps)}
        np.savez(
            dst / LANDMARKS_FILE,
            landmarks=track.landmarks[:written],
            visible=visible[:written],
            names=track.names.astype(str),
            **extra,
        )


def degrade_dataset(src: str | Path, out: str | Path, preset_name: str, seed: int = 0) -> int:
    """Degrade every video of a data set (train/ and test/) or a folder of videos.

    Returns:
        The number of videos written.

    Raises:
        DatasetError: IN holds no videos. OutputFileError: OUT exists and is not empty.
        ConfigError: unknown preset, or an H.264 preset and ffmpeg without libx264.
    """
    if preset(preset_name).h264_kbps is not None:
        check_h264()
    root = Path(src)
    if root.exists() and not root.is_dir():
        raise DatasetError(
            f"{root}: is a file; expected a folder of videos (or a data set with train/ and test/)"
        )
    if not root.is_dir():
        raise DatasetError(f"{root}: input folder not found")
    splits = [s for s in SPLITS if (root / s).is_dir()]
    groups = [(root / s, s) for s in splits] if splits else [(root, "")]
    count = 0
    with _atomic_folder(Path(out)) as tmp:
        for folder, split in groups:
            for video in list_videos(folder):
                _degrade_video(video, tmp / split / video_name(video), preset_name, seed)
                count += 1
        meta = {"degraded_from": str(root.resolve()), "preset": preset_name, "seed": seed}
        meta["capture"] = {k: v for k, v in vars(PRESETS[preset_name]).items()}
        source_meta = root / "dataset.json"
        if source_meta.is_file():
            meta["source"] = json.loads(source_meta.read_text(encoding="utf-8"))
        (tmp / "dataset.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return count


def register_degrade(sub: argparse._SubParsersAction) -> None:
    """Add `flowmark data degrade` to the `data` subcommands."""
    p = sub.add_parser(
        "degrade",
        help="apply a camera's degradations (noise, flicker, blur, JPEG/H.264, occluder) to videos",
        description="Write IN (a data set with train/ test/, or a folder of videos) to OUT as "
        "a camera would have captured it: per-frame seeded sensor noise, exposure and white-"
        "balance flicker, motion blur, JPEG; 'lowlight' adds low light, 'lighting' sudden "
        "lighting changes, 'occlusion' a hand crossing the face; 'webcam-h264' streams each "
        "clip as H.264 at 400 kbit/s (for 640x480; needs ffmpeg with libx264) instead of JPEG. "
        "Landmarks are kept; covered ones are marked invisible.",
    )
    p.add_argument("input", metavar="IN", help="data set root or folder of videos")
    p.add_argument("out", metavar="OUT", help="new (or empty) output folder")
    p.add_argument("--preset", choices=tuple(PRESETS), required=True, help="capture conditions")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.set_defaults(func=run_degrade)


def run_degrade(args: argparse.Namespace) -> int:
    """Run `flowmark data degrade`."""
    count = degrade_dataset(args.input, args.out, args.preset, args.seed)
    sys.stderr.write(f"wrote {count} degraded videos ({args.preset}) to {os.fspath(args.out)}\n")
    return 0

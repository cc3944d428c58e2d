"""The on-disk layout of a data set (that of the First Order Motion Model).

    root/train/<video>   root/test/<video>

Each <video> is a video file (mp4, mov, avi, mkv, webm, gif) or a folder of frames
(png/jpg/bmp/webp, sorted naturally). Videos named `<id>#<clip>` belong to identity <id>.
"""

from __future__ import annotations

from pathlib import Path

from flowmark_core.errors import DatasetError
from flowmark_core.io.frame_folder import list_frame_files, natural_key
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS

SPLITS: tuple[str, ...] = ("train", "test")
LAYOUT_HELP = (
    "expected ROOT/train/<video> and ROOT/test/<video>, each <video> a video file "
    f"({', '.join(e.lstrip('.') for e in VIDEO_EXTENSIONS)}) or a folder of png/jpg frames"
)


def split_dir(root: str | Path, split: str) -> Path:
    """The folder of one split, checked to exist.

    Raises:
        DatasetError: unknown split, missing root or missing split folder (saying the layout).
    """
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; allowed: {', '.join(SPLITS)}")
    base = Path(root)
    if not base.is_dir():
        raise DatasetError(f"{base}: data set folder not found; {LAYOUT_HELP}")
    folder = base / split
    if not folder.is_dir():
        raise DatasetError(f"{base}: no {split}/ folder; {LAYOUT_HELP}")
    return folder


def list_videos(folder: Path) -> list[Path]:
    """Video files and frame folders directly inside a split folder, naturally sorted.

    Raises:
        DatasetError: the split holds no videos, or a folder in it holds no frames.
    """
    videos = []
    for entry in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not list_frame_files(entry):
                raise DatasetError(f"{entry}: folder holds no frames; {LAYOUT_HELP}")
            videos.append(entry)
        elif entry.suffix.lower() in VIDEO_EXTENSIONS:
            videos.append(entry)
    if not videos:
        raise DatasetError(f"{folder}: no videos found; {LAYOUT_HELP}")
    return videos


def video_name(path: Path) -> str:
    """A video's name: the folder name, or the file name without its extension."""
    return path.name if path.is_dir() else path.stem


def identity_of(path: Path) -> str:
    """The identity a video belongs to: the part of its name before '#'."""
    return video_name(path).split("#", 1)[0]

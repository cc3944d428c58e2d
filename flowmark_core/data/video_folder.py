"""Iterate over the videos of a data set split, with their landmark ground truth if present.

Landmarks live beside each video: `landmarks.npz` inside a frame folder, or
`<name>.landmarks.npz` next to a video file `<name>.mp4`. The file holds `landmarks`
(T, L, 2) float32 pixels, `visible` (T, L) bool, `names` (L,) str and optionally `fps`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowmark_core.data.layout import list_videos, split_dir, video_name
from flowmark_core.errors import DatasetError
from flowmark_core.io.video_base import VideoReader
from flowmark_core.io.video_reader import open_video

LANDMARKS_FILE = "landmarks.npz"


@dataclass(frozen=True)
class LandmarkTrack:
    """Ground-truth landmarks of one video.

    Shape:
        landmarks: (T, L, 2) float32 pixels (x, y); visible: (T, L) bool; names: (L,) str.
    """

    landmarks: np.ndarray
    visible: np.ndarray
    names: np.ndarray
    fps: float | None


def landmarks_path(video: Path) -> Path:
    """Where the landmarks of a video (file or frame folder) are kept."""
    return video / LANDMARKS_FILE if video.is_dir() else video.with_suffix(".landmarks.npz")


def load_landmarks(path: Path) -> LandmarkTrack:
    """Read a landmarks file, checking its arrays agree.

    Raises:
        DatasetError: unreadable file, missing array or inconsistent shapes.
    """
    try:
        # The file is opened here, so it is closed even when np.load fails on a truncated
        # archive (numpy leaves its own handle to the garbage collector then).
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            landmarks = np.asarray(data["landmarks"], np.float32)
            visible = (
                np.asarray(data["visible"], bool)
                if "visible" in data
                else np.ones(landmarks.shape[:2], bool)
            )
            names = np.asarray(data["names"]).astype(str) if "names" in data else None
            fps = float(data["fps"]) if "fps" in data else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path}: cannot read landmarks ({exc})") from exc
    if landmarks.ndim != 3 or landmarks.shape[2] != 2 or visible.shape != landmarks.shape[:2]:
        raise DatasetError(
            f"{path}: landmarks {landmarks.shape} / visible {visible.shape} do not fit "
            "(expected (T, L, 2) and (T, L))"
        )
    if names is None:
        names = np.array([f"point{i}" for i in range(landmarks.shape[1])])
    if names.shape != (landmarks.shape[1],):
        raise DatasetError(f"{path}: {len(names)} names for {landmarks.shape[1]} landmarks")
    return LandmarkTrack(landmarks, visible, names, fps)


@dataclass(frozen=True)
class VideoEntry:
    """One video of a split: open it to stream frames, load its landmarks if it has any."""

    name: str
    path: Path

    @property
    def has_landmarks(self) -> bool:
        """Whether a landmarks file sits beside the video."""
        return landmarks_path(self.path).is_file()

    def open(self) -> VideoReader:
        """A streaming reader of the video's frames (uint8 RGB, full size)."""
        return open_video(self.path)

    def landmarks(self) -> LandmarkTrack | None:
        """The ground-truth landmarks, or None when the video has none."""
        path = landmarks_path(self.path)
        return load_landmarks(path) if path.is_file() else None


class VideoFolder:
    """The videos of one split, in natural name order.

    Example:
        >>> for video in VideoFolder("data/puppets", "test"):  # doctest: +SKIP
        ...     truth = video.landmarks()
        ...     for t, frame in enumerate(video.open()):
        ...         ...
    """

    def __init__(self, root: str | Path, split: str = "test") -> None:
        self.root = Path(root)
        self.split = split
        self.entries = [VideoEntry(video_name(p), p) for p in list_videos(split_dir(root, split))]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[VideoEntry]:
        return iter(self.entries)

    def __getitem__(self, index: int) -> VideoEntry:
        return self.entries[index]

    def find(self, name: str) -> VideoEntry:
        """The entry called `name`; DatasetError if there is none."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise DatasetError(f"{self.root}/{self.split}: no video named {name!r}")

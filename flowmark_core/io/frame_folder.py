"""A folder of image frames (000000.png, 000001.png, ...) read as a video."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.io.images import IMAGE_EXTENSIONS, read_image
from flowmark_core.io.video_base import VideoReader

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> list[int | str]:
    """Sort key that orders embedded numbers by value: "f2" < "f10"."""
    parts = _DIGITS.split(name.lower())
    return [int(p) if p.isdigit() else p for p in parts]


def list_frame_files(folder: Path) -> list[Path]:
    """Image files directly inside `folder`, naturally sorted (hidden files skipped)."""
    files = [
        p
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(files, key=lambda p: natural_key(p.name))


class FrameFolderReader(VideoReader):
    """Frames stored as image files in one folder; only requested frames are decoded."""

    def __init__(self, folder: Path, fps: float = 25.0) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        files = list_frame_files(folder)
        if not files:
            raise InputFileError(
                f"{folder}: folder holds no frames (expected {', '.join(IMAGE_EXTENSIONS)} files)"
            )
        first = read_image(files[0])
        self.path = folder
        self.files = files
        self.fps = float(fps)
        self.frame_count = len(files)
        self.size = (int(first.shape[1]), int(first.shape[0]))

    def _read(self, index: int) -> np.ndarray:
        frame = read_image(self.files[index])
        if (frame.shape[1], frame.shape[0]) != self.size:
            raise InputFileError(
                f"{self.files[index]}: frame is {frame.shape[1]}x{frame.shape[0]}, "
                f"the first frame of {self.path} is {self.size[0]}x{self.size[1]}"
            )
        return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(len(self.files)):
            yield self._read(index)

    def read_frames(self, indices: Sequence[int]) -> list[np.ndarray]:
        """Read only the frames at `indices` (order kept, repeats allowed).

        Shape:
            output: list of (H, W, 3) uint8 RGB.
        """
        cache: dict[int, np.ndarray] = {}
        out = []
        for raw in indices:
            index = int(raw)
            if not 0 <= index < len(self.files):
                raise IndexError(
                    f"{self.path}: frame {index} out of range 0..{len(self.files) - 1}"
                )
            if index not in cache:
                cache[index] = self._read(index)
            out.append(cache[index])
        return out

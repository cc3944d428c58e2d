"""The `VideoReader` interface shared by video files and folders of frames."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np


class VideoReader(abc.ABC):
    """A lazy, re-iterable sequence of uint8 RGB frames.

    Attributes:
        path: the file or folder read.
        fps: frames per second.
        frame_count: number of frames, or None when the container does not say.
        size: (width, height) in pixels.
    """

    path: Path
    fps: float
    frame_count: int | None
    size: tuple[int, int]

    @abc.abstractmethod
    def __iter__(self) -> Iterator[np.ndarray]:
        """Yield frames one at a time, from the first.

        Shape:
            each frame: (H, W, 3) uint8 RGB.
        """

    @abc.abstractmethod
    def read_frames(self, indices: Sequence[int]) -> list[np.ndarray]:
        """Read only the frames at `indices` (order kept, repeats allowed).

        Shape:
            output: list of (H, W, 3) uint8 RGB.
        """

    def read_frame(self, index: int) -> np.ndarray:
        """Read the single frame at `index`.

        Shape:
            output: (H, W, 3) uint8 RGB.
        """
        return self.read_frames([index])[0]

    def __len__(self) -> int:
        if self.frame_count is None:
            raise TypeError(f"{self.path}: frame count is not known before reading")
        return self.frame_count

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self.path)!r}, fps={self.fps:g}, "
            f"frame_count={self.frame_count}, size={self.size})"
        )

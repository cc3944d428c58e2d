"""Random access to driving frames for the engine: decoded frames cached, read ahead in
small chunks while access runs forwards (playback), one at a time when it jumps (scrubbing).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.io.video_base import VideoReader

CHUNK = 8
BUDGET_BYTES = 96 * 1024 * 1024


class FrameSource:
    """Frames of one driving video by index, decoded on the caller's (worker) thread."""

    def __init__(self, reader: VideoReader, length: int | None = None) -> None:
        self.reader = reader
        self.length = length if length is not None else reader.frame_count
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._last: int | None = None

    def _store(self, index: int, frame: np.ndarray) -> None:
        if index in self._cache:
            return
        self._cache[index] = frame
        self._bytes += frame.nbytes
        while self._bytes > BUDGET_BYTES and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._bytes -= old.nbytes

    def _indices(self, index: int) -> list[int]:
        forward = self._last is not None and 0 < index - self._last <= CHUNK
        if not forward:
            return [index]
        end = index + CHUNK if self.length is None else min(index + CHUNK, self.length)
        return [i for i in range(index, end) if i not in self._cache]

    def frame(self, index: int) -> np.ndarray:
        """The decoded frame `index`.

        Shape:
            output: (H, W, 3) uint8 RGB.
        """
        cached = self._cache.get(index)
        if cached is None:
            wanted = self._indices(index)
            try:
                frames = self.reader.read_frames(wanted)
            except InputFileError:
                if len(wanted) == 1:
                    raise
                wanted, frames = [index], self.reader.read_frames([index])
            for i, frame in zip(wanted, frames):
                self._store(i, frame)
            cached = self._cache[index]
        self._cache.move_to_end(index)
        self._last = index
        return cached

"""Camera recordings that play at the speed they were recorded.

Live frames come at whatever rate the model manages (often 15–20 fps) while a video file
has one fixed rate. `PacedRecorder` stamps each frame with the time it was made and writes
it as many times as the file's rate needs (or not at all when frames come faster), so N
seconds of camera become N seconds of video. Frames are scaled to the chosen size (the
longer side), keeping their aspect ratio.

When a video file stands in for the camera, the recording carries that file's sound: the
part of the file the recorded frames showed (`ClipSpan`), re-timed to the recording's
length when the camera ran slower or faster than the file (`flowmark_core.io.audio`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from flowmark_core.io.audio import AudioSource
from flowmark_core.io.video_writer import VideoWriter

clock = time.perf_counter  # seconds; tests replace it with a fake clock


def frames_due(elapsed_s: float, fps: float) -> int:
    """How many frames a file at `fps` holds once `elapsed_s` seconds have been recorded
    (the first frame, at 0 s, counts as one)."""
    return math.floor(max(elapsed_s, 0.0) * fps + 0.5) + 1


def scaled_to(frame: np.ndarray, side: int) -> np.ndarray:
    """`frame` scaled so that its longer side is `side` px (aspect ratio kept).

    Shape:
        frame: (H, W, 3) uint8; output: (h, w, 3) with max(h, w) == side.
    """
    h, w = frame.shape[:2]
    if max(h, w) == side:
        return frame
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(frame, size, interpolation=interp)


@dataclass(frozen=True)
class ClipSpan:
    """What part of a stand-in video file a recording showed: from `start_s` seconds into
    the file, `seconds` of it (more than the file when it looped)."""

    path: Path
    start_s: float
    seconds: float


class PacedRecorder:
    """Writes stamped frames to a video at a fixed rate, duplicating or dropping frames."""

    def __init__(self, path: Path, fps: float, side: int) -> None:
        self.fps = float(fps)
        self.side = int(side)
        self.writer = VideoWriter(path, fps=self.fps)
        self._start: float | None = None
        self._last: np.ndarray | None = None
        self.frames_in = 0

    @property
    def path(self) -> Path:
        return self.writer.path

    @property
    def frames_written(self) -> int:
        return self.writer.frames_written

    def add(self, frame: np.ndarray, stamp: float) -> None:
        """Record `frame`, made at `stamp` seconds (on `clock`)."""
        if self._start is None:
            self._start = stamp
        self.frames_in += 1
        scaled = scaled_to(frame, self.side)
        self._last = scaled
        for _ in range(frames_due(stamp - self._start, self.fps) - self.writer.frames_written):
            self.writer.write(scaled)

    def close(self, stamp: float | None = None, span: ClipSpan | None = None) -> str:
        """Finish the file; the last frame lasts until `stamp` (the moment Stop came).
        With `span`, the file's sound goes under it. Returns what became of the sound when
        there is something to say (else "")."""
        if stamp is not None and self._start is not None and self._last is not None:
            due = frames_due(stamp - self._start, self.fps) - 1  # up to, not including, stop
            for _ in range(due - self.writer.frames_written):
                self.writer.write(self._last)
        written = self.writer.frames_written
        if span is not None and written > 0 and span.seconds > 0:
            speed = span.seconds / (written / self.fps)
            self.writer.audio = AudioSource(span.path, span.start_s, speed, loop=True)
        self.writer.close()
        return self.writer.audio_note

    def cancel(self) -> None:
        self.writer.cancel()

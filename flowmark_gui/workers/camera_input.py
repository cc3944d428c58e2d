"""Camera frames in: webcams by index (OpenCV), or a video file standing in for a camera
(looped at its frame rate), plus the square crop (zoom, move, mirror) applied to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.io.video_reader import open_video
from flowmark_gui.state.values import CameraSettings

MAX_CAMERA_INDEX = 6


class FrameGrabber(Protocol):
    """A source of live RGB frames."""

    fps: float | None

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


def _quiet_capture(index: int) -> cv2.VideoCapture:
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        return cv2.VideoCapture(index)
    finally:
        cv2.utils.logging.setLogLevel(level)


def enumerate_cameras(max_index: int = MAX_CAMERA_INDEX) -> list[int]:
    """Indices 0..max_index-1 that open as a camera and deliver a frame (slow: a worker)."""
    found = []
    for index in range(max_index):
        capture = _quiet_capture(index)
        try:
            if capture.isOpened() and capture.read()[0]:
                found.append(index)
        finally:
            capture.release()
    return found


class DeviceGrabber:
    """A webcam through OpenCV."""

    def __init__(self, index: int) -> None:
        self.capture = _quiet_capture(index)
        if not self.capture.isOpened():
            self.capture.release()
            raise InputFileError(f"camera {index} cannot be opened (in use, or not present)")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None

    def read(self) -> np.ndarray | None:
        ok, frame = self.capture.read()
        if not ok or frame is None:
            return None
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self.capture.release()


class FileGrabber:
    """A video file or frame folder played in a loop, standing in for a camera.

    `frames_read` counts every frame handed out; `position` is the file's frame that the
    next `read` returns (0 again after each loop).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.reader = open_video(path)
        self.fps: float | None = self.reader.fps
        self._frames: Iterator[np.ndarray] = iter(self.reader)
        self.frames_read = 0
        self.position = 0

    def read(self) -> np.ndarray | None:
        frame = next(self._frames, None)
        if frame is None:
            self._frames = iter(self.reader)
            self.position = 0
            frame = next(self._frames, None)
        if frame is not None:
            self.frames_read += 1
            self.position += 1
        return frame

    def close(self) -> None:
        self._frames = iter(())


def parse_camera(value: str | int) -> int | str:
    """'0' -> camera index 0; anything else is a file path."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def open_grabber(source: int | str) -> FrameGrabber:
    """A grabber for a camera index or a video path.

    Raises:
        InputFileError: the camera cannot be opened or the file is not a readable video.
    """
    if isinstance(source, int):
        return DeviceGrabber(source)
    return FileGrabber(Path(source))


def crop_camera(frame: np.ndarray, settings: CameraSettings) -> np.ndarray:
    """The square part of `frame` that the settings select, mirrored if asked.

    Shape:
        frame: (H, W, 3) uint8; output: (s, s, 3) uint8 with s = min(H, W) / zoom.
    """
    h, w = frame.shape[:2]
    side = max(8, round(min(h, w) / max(settings.zoom, 1.0)))
    ox, oy = (float(np.clip(v, -1.0, 1.0)) for v in settings.offset)
    left = round((w - side) / 2 * (1 + ox))
    top = round((h - side) / 2 * (1 + oy))
    square = frame[top : top + side, left : left + side]
    return np.ascontiguousarray(square[:, ::-1] if settings.mirror else square)

"""Streaming video input: video files (via OpenCV's FFmpeg backend) and folders of frames.

`open_video(path)` checks the input at once (so a bad file fails with one clear
`InputFileError` naming it) and returns a lazy `VideoReader`: iterating decodes one frame at
a time; nothing holds a whole video in memory. Readers hold no open decoder between uses, so
they pickle into DataLoader workers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

# FFmpeg inside OpenCV logs straight to stderr ("moov atom not found"); we explain every
# failure in one line of our own, so its log is switched off (AV_LOG_QUIET) unless the user
# set a level. Read when OpenCV first opens a video, so set before any capture exists.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2
import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.io.frame_folder import FrameFolderReader, list_frame_files
from flowmark_core.io.images import check_image_size, check_input_file, is_image_path
from flowmark_core.io.mp4_header import video_track_seconds
from flowmark_core.io.truncated_videos import (
    ACCEPT_TRUNCATED_ENV,
    accepting_truncated_videos,
    truncated_videos_accepted,
)
from flowmark_core.io.video_base import VideoReader
from flowmark_core.io.video_probe import explain_unreadable_video, has_video_signature

VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".gif", ".m4v")
DEFAULT_FOLDER_FPS = 25.0
# Gaps up to this many frames are crossed by decoding forward rather than seeking.
_SEEK_THRESHOLD = 12
#: Containers whose header frame count is exact (webm/mkv/gif headers may only estimate it).
EXACT_COUNT_EXTENSIONS: tuple[str, ...] = (".mp4", ".mov", ".m4v")
#: Frames a video may decode short of its header count (a dropped last frame, rounding of
#: the track's duration; or 1 % of the count, whichever is more) before it counts as cut.
MISSING_FRAMES_ALLOWED = 2

__all__ = [
    "ACCEPT_TRUNCATED_ENV",
    "DEFAULT_FOLDER_FPS",
    "VIDEO_EXTENSIONS",
    "FileVideoReader",
    "FrameFolderReader",
    "TruncatedVideoError",
    "VideoReader",
    "accepting_truncated_videos",
    "is_image_path",
    "is_video_path",
    "open_video",
    "truncated_videos_accepted",
]


class TruncatedVideoError(InputFileError):
    """A video decoded to its end stopped well short of the frame count its header states."""


def is_video_path(path: str | os.PathLike[str]) -> bool:
    """True for a video file extension, or for an existing folder holding image frames."""
    p = Path(path)
    if p.is_dir():
        return bool(list_frame_files(p))
    return p.suffix.lower() in VIDEO_EXTENSIONS


def _bgr_to_rgb(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


class FileVideoReader(VideoReader):
    """Frames of a video file (mp4, mov, avi, mkv, webm, gif), decoded on demand.

    `frame_count` comes from the container header (None when it has none); for some formats
    (webm, mkv) it is an estimate, and iteration simply stops at the real last frame. In
    mp4/mov (`EXACT_COUNT_EXTENSIONS`) it is the frames the video track presents: its
    duration (edit lists included, `mp4_header`) times the frame rate, when that is fewer
    than the samples it stores (a clip trimmed by an edit list is not damaged). A video that
    decodes well short of that count is damaged or cut in the middle: iterating to its end
    raises `TruncatedVideoError` naming the frame where decoding stopped, unless truncated
    videos are accepted (`accepting_truncated_videos`), when a note says what was used.
    """

    def __init__(self, path: Path) -> None:
        check_input_file(path, "a video file")
        if not has_video_signature(path):
            raise InputFileError(f"{path}: {explain_unreadable_video(path)}")
        cap = self._open_capture(path)
        try:
            ok, frame = cap.read()
            if not ok or frame is None:
                raise InputFileError(f"{path}: {explain_unreadable_video(path)}")
            fps = cap.get(cv2.CAP_PROP_FPS)
            count = round(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        finally:
            cap.release()
        height, width = frame.shape[:2]
        check_image_size(path, width, height)
        self.path = path
        self.fps = float(fps) if fps and np.isfinite(fps) and fps > 0 else DEFAULT_FOLDER_FPS
        self.frame_count = self._presented_count(path, count, self.fps)
        self.size = (int(width), int(height))
        self._noted = False

    @staticmethod
    def _presented_count(path: Path, stored: int, fps: float) -> int | None:
        """The header's frame count: in mp4/mov the frames the video track presents."""
        if stored <= 0:
            return None
        if path.suffix.lower() not in EXACT_COUNT_EXTENSIONS:
            return stored
        seconds = video_track_seconds(path)
        if seconds is None:
            return stored
        return max(1, min(stored, round(seconds * fps)))

    @staticmethod
    def _open_capture(path: Path) -> cv2.VideoCapture:
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # we explain failures
        try:
            cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        finally:
            cv2.utils.logging.setLogLevel(level)
        if not cap.isOpened():
            cap.release()
            raise InputFileError(f"{path}: {explain_unreadable_video(path)}")
        return cap

    def __iter__(self) -> Iterator[np.ndarray]:
        cap = self._open_capture(self.path)
        read = 0
        try:
            while True:
                ok, frame = cap.read()
                if not ok or frame is None:
                    break
                read += 1
                yield _bgr_to_rgb(frame)
        finally:
            cap.release()
        self._check_complete(read)

    def _check_complete(self, read: int) -> None:
        """Refuse (or, when accepted, note) a video that decoded well short of its count.

        Raises:
            TruncatedVideoError: decoding stopped more than `MISSING_FRAMES_ALLOWED` (or 1 %)
                frames short of the header's count, and truncated videos are not accepted.
        """
        expected = self.frame_count
        if expected is None or self.path.suffix.lower() not in EXACT_COUNT_EXTENSIONS:
            return
        if read >= expected - max(MISSING_FRAMES_ALLOWED, expected // 100):
            return
        if not truncated_videos_accepted():
            raise TruncatedVideoError(
                f"{self.path}: decoding stops at frame {read}, but its header states {expected}"
                f" frames (damaged or cut from there on); pass --accept-truncated to use the "
                f"{read} frames that decode, or repair the file"
            )
        if not self._noted:  # once, however often the video is read
            self._noted = True
            sys.stderr.write(
                f"flowmark: note: {self.path}: using the {read} frames that decode of the "
                f"{expected} its header states (--accept-truncated)\n"
            )

    def read_frames(self, indices: Sequence[int]) -> list[np.ndarray]:
        """Decode only the frames at `indices` (any order, repeats allowed).

        Shape:
            output: list of (H, W, 3) uint8, in the order of `indices`.
        """
        wanted = sorted(set(int(i) for i in indices))
        if not wanted:
            return []
        if wanted[0] < 0:
            raise IndexError(f"{self.path}: negative frame index {wanted[0]}")
        found: dict[int, np.ndarray] = {}
        cap = self._open_capture(self.path)
        try:
            position = 0
            for index in wanted:
                if index < position or index - position > _SEEK_THRESHOLD:
                    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                    position = index
                while position < index:
                    if not cap.grab():
                        break
                    position += 1
                ok, frame = cap.read()
                if not ok or frame is None:
                    raise InputFileError(
                        f"{self.path}: frame {index} cannot be read (video has fewer frames, "
                        "or is truncated)"
                    )
                found[index] = _bgr_to_rgb(frame)
                position = index + 1
        finally:
            cap.release()
        return [found[int(i)] for i in indices]


def open_video(
    path: str | os.PathLike[str], default_fps: float = DEFAULT_FOLDER_FPS
) -> VideoReader:
    """Open a video file or a folder of frames for streaming.

    Args:
        path: a video file (see `VIDEO_EXTENSIONS`) or a folder of png/jpg/bmp/webp frames
            (sorted naturally: 2.png before 10.png).
        default_fps: frame rate reported for folders of frames.

    Raises:
        InputFileError: missing path, unknown extension, empty or unreadable video, a video
            with no frames, a folder without frames.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file or folder")
    if p.is_dir():
        return FrameFolderReader(p, fps=default_fps)
    if is_image_path(p):
        raise InputFileError(f"{p}: is a still image, expected a video or a folder of frames")
    if p.suffix.lower() not in VIDEO_EXTENSIONS:
        raise InputFileError(
            f"{p}: unknown video extension {p.suffix!r}; allowed: {', '.join(VIDEO_EXTENSIONS)}"
            " or a folder of frames"
        )
    return FileVideoReader(p)

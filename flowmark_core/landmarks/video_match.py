"""Pair a track's rows with a video's frames (by frame index or by timestamp) and check the
track fits the video: frame size, frame count, points inside the frame.

Every mismatch is one `InputFileError` line naming the track, what it has and what the
video has.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.track import DetectorTrack

if TYPE_CHECKING:
    from flowmark_core.io.video_base import VideoReader

MATCHES: tuple[str, ...] = ("index", "timestamp")
#: A track is refused as made on another frame size when more than this share of its points
#: lies further than OUTSIDE_MARGIN (of the frame's size) outside the frame.
OUTSIDE_SHARE = 0.2
OUTSIDE_MARGIN = 0.1


@dataclass(frozen=True)
class MatchedTrack:
    """A track whose rows are video frames `first + offsets`, and its dense view.

    Attributes:
        track: the track, `frame_indices` = video frame numbers, `frame_size` = the video's.
        first: video frame of the dense view's row 0.
        rows: (T,) row of the dense view of each track row.
        span: number of video frames from the track's first to its last row.
    """

    track: DetectorTrack
    first: int
    rows: np.ndarray
    span: int

    def dense(self, values: np.ndarray) -> np.ndarray:
        """Per-row values spread over every video frame of the span (NaN in between).

        Shape:
            values: (T, ...); output: (span, ...).
        """
        out = np.full((self.span, *values.shape[1:]), np.nan)
        out[self.rows] = values
        return out

    def frames(self, video: VideoReader) -> Iterator[np.ndarray]:
        """The video frames of the span, streamed."""
        return islice(iter(video), self.first, self.first + self.span)


def match_to_video(
    track: DetectorTrack, video: VideoReader, by: str = "index", label: str = "TRACK"
) -> MatchedTrack:
    """Pair `track` with `video` (by "index" or "timestamp") after checking it fits.

    Raises:
        InputFileError: another frame size, rows beyond the video's last frame, rows that
            share a frame, no timestamps to match by, or points far outside the frame.
    """
    width, height = video.size
    if track.frame_size is not None and tuple(track.frame_size) != (width, height):
        w, h = track.frame_size
        raise InputFileError(f"{label}: made on {w}x{h} frames but the video is {width}x{height}")
    frames = _frames(track, video, by, label)
    count = video.frame_count
    if count is not None and frames[-1] >= count:
        raise InputFileError(
            f"{label}: has rows up to frame {frames[-1]} ({track.num_frames} rows) but the "
            f"video has {count} frames"
        )
    _check_inside(track, (width, height), label)
    matched = track.replace(frame_indices=frames, frame_size=(width, height))
    first = int(frames[0])
    return MatchedTrack(matched, first, frames - first, int(frames[-1]) - first + 1)


def _frames(track: DetectorTrack, video: VideoReader, by: str, label: str) -> np.ndarray:
    if by == "index":
        return np.asarray(track.frame_indices)
    if by != "timestamp":
        raise InputFileError(f"--match {by!r}: expected one of {', '.join(MATCHES)}")
    if track.timestamps is None:
        raise InputFileError(f"{label}: has no timestamps to match by; use --match index")
    frames = np.rint(track.timestamps * video.fps).astype(np.int64)
    if frames[0] < 0:
        raise InputFileError(f"{label}: a timestamp is before the video's start")
    if len(frames) > 1 and np.any(np.diff(frames) <= 0):
        t = int(np.argmax(np.diff(frames) <= 0))
        raise InputFileError(
            f"{label}: rows {t} and {t + 1} fall on the same video frame {frames[t + 1]} at "
            f"{video.fps:g} fps (timestamps closer than a frame)"
        )
    return frames


def _check_inside(track: DetectorTrack, size: tuple[int, int], label: str) -> None:
    pts = track.points[track.found()]
    if not len(pts):
        return
    limit = np.asarray(size, dtype=np.float64)
    margin = OUTSIDE_MARGIN * limit
    outside = np.any((pts < -margin) | (pts > limit + margin), axis=1)
    if outside.mean() > OUTSIDE_SHARE:
        raise InputFileError(
            f"{label}: {outside.mean() * 100:.0f}% of its points lie outside the video's "
            f"{size[0]}x{size[1]} frame; was it made on another video or frame size?"
        )

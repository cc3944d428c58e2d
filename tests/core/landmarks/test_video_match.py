"""Track rows paired with video frames; each mismatch is one line naming the track."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.io.video_reader import open_video
from flowmark_core.landmarks import DetectorTrack
from flowmark_core.landmarks.video_match import match_to_video
from tests.core.landmarks.conftest import TEXTURE_SIZE


def _track(frames: list[int], stamps: list[float] | None = None, xy: float = 10.0) -> DetectorTrack:
    pts = np.full((len(frames), 2, 2), xy)
    return DetectorTrack(pts, names=("a", "b"), frame_indices=frames, timestamps=stamps)


def test_dense_span_and_frames(texture_clip: Path) -> None:
    video = open_video(texture_clip)
    matched = match_to_video(_track([4, 5, 8]), video)
    assert (matched.first, matched.span, matched.rows.tolist()) == (4, 5, [0, 1, 4])
    dense = matched.dense(matched.track.points)
    assert np.isnan(dense[2:4]).all() and dense[4, 0, 0] == 10.0
    assert len(list(matched.frames(video))) == 5
    assert matched.track.frame_size == TEXTURE_SIZE


def test_by_timestamp(texture_clip: Path) -> None:
    video = open_video(texture_clip)  # 25 fps
    matched = match_to_video(_track([0, 1, 2], [0.4, 0.44, 0.6]), video, by="timestamp")
    assert matched.track.frame_indices.tolist() == [10, 11, 15]


@pytest.mark.parametrize(
    ("track", "by", "message"),
    [
        (_track([0, 1], [0.0, 0.01]), "timestamp", "fall on the same video frame 0"),
        (_track([0, 1]), "timestamp", "has no timestamps to match by"),
        (_track([0, 30]), "index", r"rows up to frame 30 \(2 rows\) but the video has 30 frames"),
        (_track([0, 1], xy=500.0), "index", "outside the video's 96x64 frame"),
    ],
)
def test_mismatches(texture_clip: Path, track: DetectorTrack, by: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message) as info:
        match_to_video(track, open_video(texture_clip), by=by, label="t.csv")
    assert str(info.value).startswith("t.csv: ")


def test_other_frame_size(texture_clip: Path) -> None:
    track = _track([0]).replace(frame_size=(640, 480))
    with pytest.raises(InputFileError, match="made on 640x480 frames but the video is 96x64"):
        match_to_video(track, open_video(texture_clip))

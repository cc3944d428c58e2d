"""DetectorTrack: shapes are checked, frames default to 0..T-1, with_points keeps the rest."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.landmarks import DetectorTrack, SourceLayout


def _track() -> DetectorTrack:
    pts = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    return DetectorTrack(
        pts,
        names=("a", "b"),
        confidence=np.ones((3, 2)),
        groups={"left": [0], "right": [1]},
        detector="test",
        fps=30.0,
        frame_size=(64, 48),
        source=SourceLayout("csv", {"k": 1}),
    )


def test_defaults_and_fields() -> None:
    track = _track()
    assert track.num_frames == 3 and track.num_points == 2
    assert track.frame_indices.tolist() == [0, 1, 2]
    assert track.groups == {"left": (0,), "right": (1,)}
    assert track.format == "csv"
    assert track.group_points(["right", "left"]) == (0, 1)


def test_with_points_keeps_layout() -> None:
    track = _track()
    moved = track.with_points(track.points + 1.0)
    assert moved.points[0, 0].tolist() == [1.0, 2.0]
    assert moved.source == track.source and moved.names == track.names
    with pytest.raises(ValueError, match="shape"):
        track.with_points(np.zeros((2, 2, 2)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"points": np.zeros((3, 2))}, "points must be"),
        ({"names": ("a",)}, "1 names for 2 points"),
        ({"confidence": np.ones((3, 3))}, "confidence must be"),
        ({"frame_indices": [0, 2, 1]}, "must increase"),
        ({"groups": {"g": [5]}}, "outside"),
    ],
)
def test_bad_fields(kwargs: dict, message: str) -> None:
    base = {"points": np.zeros((3, 2, 2)), "names": ("a", "b")}
    with pytest.raises(ValueError, match=message):
        DetectorTrack(**{**base, **kwargs})

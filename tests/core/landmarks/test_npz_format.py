"""flowmark NPZ tracks round-trip every field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks import DetectorTrack
from flowmark_core.landmarks.formats import read_track, write_track


def test_round_trip(tmp_path: Path) -> None:
    pts = np.arange(12, dtype=float).reshape(3, 2, 2)
    pts[1, 0] = np.nan
    track = DetectorTrack(
        pts,
        names=("a", "b"),
        confidence=np.full((3, 2), 0.5),
        groups={"g": (1,)},
        detector="mediapipe-face",
        fps=25.0,
        frame_size=(64, 48),
        frame_indices=[2, 3, 7],
        timestamps=[0.08, 0.12, 0.28],
    )
    out = tmp_path / "t.npz"
    write_track(track, out)
    again = read_track(out)
    np.testing.assert_array_equal(again.points, pts)
    assert again.names == ("a", "b") and again.groups == {"g": (1,)}
    assert (again.detector, again.fps, again.frame_size) == ("mediapipe-face", 25.0, (64, 48))
    assert again.frame_indices.tolist() == [2, 3, 7]
    np.testing.assert_allclose(again.timestamps, [0.08, 0.12, 0.28])
    np.testing.assert_allclose(again.confidence, 0.5)


def test_not_a_track(tmp_path: Path) -> None:
    out = tmp_path / "t.npz"
    np.savez(out, other=np.zeros(3))
    with pytest.raises(InputFileError, match="no 'points' array"):
        read_track(out)

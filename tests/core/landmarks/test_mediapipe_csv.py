"""MediaPipe CSV, long and wide layouts: known pixels, x/y cells rewritten, others kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track

SIZE = (100, 50)


def _long(count: int) -> str:
    rows = ["frame,landmark,x,y,z,visibility"]
    for frame in (0, 1):
        for k in range(count):
            rows.append(f"{frame},{k},{0.1 + 0.1 * frame},0.5,-0.2,0.9")
    return "\n".join(rows) + "\n"


def test_long_layout(tmp_path: Path) -> None:
    path = tmp_path / "hands.csv"
    path.write_text(_long(21))
    assert detect_format(path) == "mediapipe-csv"
    track = read_track(path, frame_size=SIZE)
    assert track.detector == "mediapipe-hands"
    np.testing.assert_allclose(track.points[1, 4], [19.5, 24.5])
    out = tmp_path / "out.csv"
    write_track(track.with_points(track.points + 10.0), out)
    assert out.read_text().splitlines()[1] == "0,0,0.2000000,0.7000000,-0.2,0.9"
    again = read_track(out, frame_size=SIZE)
    np.testing.assert_allclose(again.points, track.points + 10.0, atol=1e-5)


def test_wide_layout(tmp_path: Path) -> None:
    header = "frame," + ",".join(f"x_{k},y_{k},z_{k}" for k in range(33))
    row = "5," + ",".join("0.5,0.5,0.0" for _ in range(33))
    empty = "6," + ",".join(",," for _ in range(33))
    path = tmp_path / "pose.csv"
    path.write_text("\n".join([header, row, empty]) + "\n")
    track = read_track(path, frame_size=SIZE)
    assert track.detector == "mediapipe-pose" and track.frame_indices.tolist() == [5, 6]
    np.testing.assert_allclose(track.points[0], [[49.5, 24.5]] * 33)
    assert np.isnan(track.points[1]).all()
    out = tmp_path / "out.csv"
    write_track(track.with_points(track.points - 0.5), out)
    again = read_track(out, frame_size=SIZE)
    np.testing.assert_allclose(again.points[0], [[49.0, 24.0]] * 33, atol=1e-5)
    assert out.read_text().splitlines()[2] == empty


def test_wrong_point_count(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(_long(20))
    with pytest.raises(InputFileError, match="20 landmarks per frame"):
        read_track(path, format="mediapipe-csv", frame_size=SIZE)

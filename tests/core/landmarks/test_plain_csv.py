"""Plain CSV tracks: known values read, written back unchanged, extra columns kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track

TEXT = """Frame,Point,X,Y,Confidence,Note
0,nose,10.5,20.25,0.9,a
0,chin,11,30,0.8,b
2,nose,12.5,21,1.0,c
2,chin,,,0.0,d
"""


def test_reads_known_values(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TEXT)
    assert detect_format(path) == "csv"
    track = read_track(path)
    assert track.names == ("nose", "chin")
    assert track.frame_indices.tolist() == [0, 2]
    assert track.points[0].tolist() == [[10.5, 20.25], [11.0, 30.0]]
    assert track.points[1, 0].tolist() == [12.5, 21.0]
    assert np.isnan(track.points[1, 1]).all()
    assert track.confidence.tolist() == [[0.9, 0.8], [1.0, 0.0]]


def test_round_trip_keeps_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TEXT)
    track = read_track(path)
    moved = track.with_points(track.points + np.array([1.0, -2.0]))
    out = tmp_path / "smoothed.csv"
    write_track(moved, out)
    again = read_track(out)
    np.testing.assert_allclose(again.points, moved.points)
    assert out.read_text().splitlines()[:2] == [
        "Frame,Point,X,Y,Confidence,Note",
        "0,nose,11.5000,18.2500,0.9,a",
    ]
    assert out.read_text().splitlines()[4] == "2,chin,,,0.0,d"


def test_fresh_write_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TEXT)
    track = read_track(path).replace(source=None)
    out = tmp_path / "fresh.csv"
    write_track(track, out)
    again = read_track(out)
    np.testing.assert_allclose(again.points, track.points)
    np.testing.assert_allclose(again.confidence, track.confidence)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frame,x,y\n0,1,2\n", "missing 'point'"),
        ("frame,point,x,y\n0,a,1,zz\n", "line 2: expected a number"),
        ("frame,point,x,y\n0,a,1,\n", "has x or y but not both"),
        ("frame,point,x,y\n0,a,nan,nan\n1,a,nan,nan\n", "no landmark in any frame"),
        ("frame,point,x,y\n0,a,1,2\n0,a,1,2\n", "appears twice"),
    ],
)
def test_bad_files_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(InputFileError, match=message) as info:
        read_track(path, format="csv")
    assert "\n" not in str(info.value) and str(path) in str(info.value)

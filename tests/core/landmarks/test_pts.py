"""iBUG .pts folders: 1-based coordinates, frame numbers from names, headers kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track


def _pts(values: list[tuple[float, float]], declared: int | None = None) -> str:
    n = len(values) if declared is None else declared
    rows = [f"{x} {y}" for x, y in values]
    return "\n".join(["version: 1", f"n_points:  {n}", "{", *rows, "}"]) + "\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pts"
    folder.mkdir()
    for frame in (3, 10, 11):
        values = [(1.0 + i + frame, 2.0 + i) for i in range(68)]
        (folder / f"image_{frame}.pts").write_text(_pts(values))
    return folder


def test_known_values_and_round_trip(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert detect_format(folder) == "pts"
    track = read_track(folder)
    assert track.detector == "dlib-68" and track.groups["right_eye"] == tuple(range(36, 42))
    assert track.frame_indices.tolist() == [3, 10, 11]
    assert track.points[0, 0].tolist() == [3.0, 1.0]  # (1 + 0 + 3, 2) minus the 1-based origin
    out = tmp_path / "smoothed"
    write_track(track.with_points(track.points + 0.5), out)
    assert sorted(p.name for p in out.iterdir()) == ["image_10.pts", "image_11.pts", "image_3.pts"]
    text = (out / "image_3.pts").read_text().splitlines()
    assert text[:4] == ["version: 1", "n_points:  68", "{", "4.500 2.500"]
    np.testing.assert_allclose(read_track(out).points, track.points + 0.5)


@pytest.mark.parametrize(
    ("values", "declared", "message"),
    [
        ([(1.0, 2.0)] * 68, 67, "n_points says 67"),
        ([(float("nan"), 2.0)] * 68, None, "NaN coordinates"),
    ],
)
def test_bad_files(tmp_path: Path, values: list, declared: int | None, message: str) -> None:
    path = tmp_path / "one.pts"
    path.write_text(_pts(values, declared))
    with pytest.raises(InputFileError, match=message):
        read_track(path)


def test_point_count_differs_between_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "image_12.pts").write_text(_pts([(1.0, 1.0)] * 5))
    with pytest.raises(InputFileError, match="image_12.pts: has"):
        read_track(folder)

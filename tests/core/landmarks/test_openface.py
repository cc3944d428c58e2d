"""OpenFace 2.0 CSV: spaces after commas, 1-based frames, success 0 missing, columns kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track


def _table(points: int = 68) -> str:
    header = ["frame", "face_id", "timestamp", "confidence", "success", "gaze_0_x"]
    header += [f"x_{i}" for i in range(points)] + [f"y_{i}" for i in range(points)]
    header += ["AU01_r"]
    rows = [", ".join(header)]
    for frame, success in ((1, 1), (2, 0), (3, 1)):
        cells = [str(frame), "0", f"{(frame - 1) * 0.04:.3f}", "0.98", str(success), "0.1"]
        cells += [f"{100 + i + frame:.1f}" for i in range(points)]
        cells += [f"{200 + i:.1f}" for i in range(points)]
        cells += ["1.25"]
        rows.append(", ".join(cells))
    return "\n".join(rows) + "\n"


def test_known_values_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "clip.csv"
    path.write_text(_table())
    assert detect_format(path) == "openface"
    track = read_track(path)
    assert track.detector == "openface" and track.groups["jaw"] == tuple(range(17))
    assert track.frame_indices.tolist() == [0, 1, 2]
    np.testing.assert_allclose(track.timestamps, [0.0, 0.04, 0.08])
    assert track.points[0, 5].tolist() == [106.0, 205.0]
    assert np.isnan(track.points[1]).all()
    out = tmp_path / "smoothed.csv"
    write_track(track.with_points(track.points + 0.25), out)
    lines = out.read_text().splitlines()
    assert lines[0] == path.read_text().splitlines()[0]
    first = lines[1].split(", ")
    assert first[:6] == ["1", "0", "0.000", "0.98", "1", "0.1"] and first[-1] == "1.25"
    assert first[6] == "101.250"
    assert lines[2] == path.read_text().splitlines()[2]  # the failed frame is untouched
    again = read_track(out)
    np.testing.assert_allclose(again.points, track.points + 0.25)


def test_wrong_point_count(tmp_path: Path) -> None:
    path = tmp_path / "clip.csv"
    path.write_text(_table(points=66))
    with pytest.raises(InputFileError, match="66 landmark columns"):
        read_track(path)

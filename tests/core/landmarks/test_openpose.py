"""OpenPose per-frame JSON folders: parts concatenated, c = 0 missing, files written back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track


def _person(shift: float, face: int = 70) -> dict:
    pose = []
    for k in range(25):
        pose += [10.0 + k + shift, 20.0 + k, 0.0 if k == 3 else 0.8]
    return {
        "person_id": [-1],
        "pose_keypoints_2d": pose,
        "face_keypoints_2d": [v for k in range(face) for v in (50.0 + k, 60.0, 0.9)],
        "hand_left_keypoints_2d": [],
        "hand_right_keypoints_2d": [v for k in range(21) for v in (5.0, 6.0 + k, 0.5)],
        "pose_keypoints_3d": [],
    }


def _folder(tmp_path: Path, face: int = 70) -> Path:
    folder = tmp_path / "openpose"
    folder.mkdir()
    for i, people in enumerate(([_person(0.0, face)], [], [_person(2.0, face)])):
        doc = {"version": 1.3, "people": people}
        (folder / f"clip_{i * 2:012d}_keypoints.json").write_text(json.dumps(doc))
    return folder


def test_known_values_and_round_trip(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert detect_format(folder) == "openpose"
    track = read_track(folder)
    assert track.num_points == 25 + 70 + 21
    assert track.names[2] == "pose/right_shoulder" and track.names[25] == "face/face_0"
    assert "face/jaw" in track.groups and "hand_right/thumb" in track.groups
    assert track.frame_indices.tolist() == [0, 2, 4]
    assert track.points[2, 1].tolist() == [13.0, 21.0]
    assert np.isnan(track.points[0, 3]).all() and np.isnan(track.points[1]).all()
    out = tmp_path / "smoothed"
    write_track(track.with_points(track.points + 1.0), out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in folder.iterdir())
    doc = json.loads((out / names[0]).read_text())
    assert doc["people"][0]["pose_keypoints_2d"][:3] == [11.0, 21.0, 0.8]
    assert doc["people"][0]["pose_keypoints_2d"][9:12] == [13.0, 23.0, 0.0]  # missing kept
    assert doc["people"][0]["pose_keypoints_3d"] == []
    again = read_track(out)
    np.testing.assert_allclose(again.points, track.points + 1.0)


def test_existing_output_folder_is_refused(tmp_path: Path) -> None:
    track = read_track(_folder(tmp_path))
    out = tmp_path / "exists"
    out.mkdir()
    from flowmark_core.errors import OutputFileError

    with pytest.raises(OutputFileError, match="exists"):
        write_track(track, out)


def test_changing_point_count(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    doc = {"people": [_person(0.0, face=68)]}
    (folder / "clip_000000000010_keypoints.json").write_text(json.dumps(doc))
    with pytest.raises(InputFileError, match="face_keypoints_2d has 68 points, expected 70"):
        read_track(folder)


def test_dwpose_normalised_canvas(tmp_path: Path) -> None:
    folder = tmp_path / "dwpose"
    folder.mkdir()
    pose = [v for k in range(18) for v in (0.25, 0.5, 1.0 if k else 0.0)]
    doc = {"people": [{"pose_keypoints_2d": pose}], "canvas_width": 200, "canvas_height": 100}
    (folder / "frame_0.json").write_text(json.dumps(doc))
    track = read_track(folder)
    assert track.frame_size == (200, 100) and track.names[1] == "pose/neck"
    assert track.points[0, 1].tolist() == [49.5, 49.5]  # 0.25 * 200 - 0.5, 0.5 * 100 - 0.5
    assert np.isnan(track.points[0, 0]).all()
    out = tmp_path / "out"
    write_track(track.with_points(track.points + 0.5), out)
    written = json.loads((out / "frame_0.json").read_text())["people"][0]["pose_keypoints_2d"]
    assert written[3:6] == [0.2525, 0.505, 1.0] and written[:3] == [0.25, 0.5, 0.0]

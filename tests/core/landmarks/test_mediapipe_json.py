"""MediaPipe JSON: the Python-API per-frame layouts and flowmark's, read and written back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.landmarks.formats import detect_format, read_track, write_track

SIZE = (200, 100)


def _marks(count: int, x: float, y: float) -> list[dict]:
    return [{"x": x, "y": y, "z": -0.01 * k, "visibility": 0.75} for k in range(count)]


def test_frame_objects_known_pixels(tmp_path: Path) -> None:
    doc = [
        {"frame": 0, "timestamp_ms": 0, "landmarks": _marks(33, 0.5, 0.25)},
        {"frame": 1, "timestamp_ms": 40, "landmarks": []},
        {"frame": 3, "timestamp_ms": 120, "landmarks": _marks(33, 0.0025, 1.0)},
    ]
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(doc))
    assert detect_format(path) == "mediapipe-json"
    track = read_track(path, frame_size=SIZE)
    assert track.detector == "mediapipe-pose" and track.names[11] == "left_shoulder"
    assert track.frame_indices.tolist() == [0, 1, 3]
    np.testing.assert_allclose(track.timestamps, [0.0, 0.04, 0.12])
    np.testing.assert_allclose(track.points[0, 0], [99.5, 24.5])  # 0.5*200-0.5, 0.25*100-0.5
    np.testing.assert_allclose(track.points[2, 5], [0.0, 99.5])
    assert np.isnan(track.points[1]).all()
    np.testing.assert_allclose(track.confidence[0], 0.75)


def test_smoothed_track_written_back_loads_in_same_reader(tmp_path: Path) -> None:
    doc = [
        {"frame": 0, "landmarks": _marks(468, 0.5, 0.5), "extra": "kept"},
        {"frame": 1, "landmarks": None},
        {"frame": 2, "landmarks": _marks(468, 0.25, 0.75)},
    ]
    path = tmp_path / "face.json"
    path.write_text(json.dumps(doc))
    track = read_track(path, frame_size=SIZE)
    assert track.detector == "mediapipe-face" and "lips" in track.groups
    smoothed = track.with_points(track.points + 1.0)
    out = tmp_path / "face.smoothed.json"
    write_track(smoothed, out)
    written = json.loads(out.read_text())
    assert written[0]["extra"] == "kept" and written[1]["landmarks"] is None
    assert written[2]["landmarks"][3] == {"x": 0.255, "y": 0.76, "z": -0.03, "visibility": 0.75}
    again = read_track(out, frame_size=SIZE)
    np.testing.assert_allclose(again.points, smoothed.points, atol=1e-4)


def test_bare_lists_and_nested_faces(tmp_path: Path) -> None:
    doc = [[_marks(478, 0.5, 0.5)], [], [_marks(478, 0.5, 0.5)]]
    path = tmp_path / "multi.json"
    path.write_text(json.dumps(doc))
    track = read_track(path, frame_size=SIZE)
    assert track.num_points == 478 and "left_iris" in track.groups
    out = tmp_path / "multi2.json"
    write_track(track.with_points(track.points * 0.5), out)
    written = json.loads(out.read_text())
    assert written[1] == [] and isinstance(written[0][0], list)
    assert written[0][0][0]["x"] == pytest.approx((99.5 * 0.5 + 0.5) / 200)


def test_flowmark_layout_fresh_write_round_trips(tmp_path: Path) -> None:
    doc = [{"frame": 0, "landmarks": _marks(21, 0.1, 0.2)}]
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(doc))
    track = read_track(path, frame_size=SIZE, fps=30.0).replace(source=None)
    out = tmp_path / "fresh.json"
    write_track(track, out)
    written = json.loads(out.read_text())
    assert written["image_width"] == 200 and written["detector"] == "mediapipe-hands"
    again = read_track(out)  # the size comes from the file
    np.testing.assert_allclose(again.points, track.points, atol=1e-4)
    assert again.fps == 30.0 and again.groups == track.groups


@pytest.mark.parametrize(
    ("doc", "size", "message"),
    [
        ([{"landmarks": _marks(470, 0.5, 0.5)}], SIZE, "470 landmarks per frame; expected 468"),
        ([{"landmarks": _marks(33, 0.5, 0.5)}], None, "frame size is needed|give the video"),
        ([{"landmarks": []}], SIZE, "every frame is empty"),
        (
            [{"landmarks": _marks(33, 0.5, 0.5)}, {"landmarks": _marks(21, 0.5, 0.5)}],
            SIZE,
            "different landmark counts",
        ),
    ],
)
def test_bad_documents(tmp_path: Path, doc: list, size: tuple | None, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputFileError, match=message):
        read_track(path, frame_size=size)

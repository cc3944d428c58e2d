"""`flowmark track`: built-in detectors over a clip; bad outputs are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.cli.track_cmd import DETECTOR_NAMES
from flowmark_core.landmarks.formats import read_track
from flowmark_core.landmarks.tracking import DETECTORS
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.core.landmarks.conftest import FACE_FRAMES, FACE_SIZE, SHIFT_PER_FRAME


def _needs_mediapipe() -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)


def test_detector_names_match() -> None:
    assert DETECTOR_NAMES == DETECTORS


def test_face_mesh_follows_a_known_shift(face_clip: Path, tmp_path: Path, capsys) -> None:
    _needs_mediapipe()
    out = tmp_path / "face.csv"
    assert main(["track", str(face_clip), "--detector", "mediapipe-face", "-o", str(out)]) == 0
    assert f"wrote {FACE_FRAMES} frames x 478 points" in capsys.readouterr().out
    track = read_track(out)
    assert track.points.shape == (FACE_FRAMES, 478, 2) and track.found().all()
    assert track.detector == "mediapipe-face" and "lips" in track.groups
    moved = np.median(track.points[-1] - track.points[0], axis=0)
    expected = SHIFT_PER_FRAME * (FACE_FRAMES - 1)
    assert abs(moved[0] - expected) < 1.0 and abs(moved[1]) < 1.0
    json_out = tmp_path / "face.json"
    assert main(["track", str(face_clip), "--detector", "mediapipe-face", "-o", str(json_out)]) == 0
    again = read_track(json_out)  # the size is in the flowmark layout
    assert again.frame_size == FACE_SIZE and again.fps == 25.0  # a folder of frames: 25 fps
    np.testing.assert_allclose(again.points, track.points, atol=2e-3)


def test_flowmark_keypoints_in_video_pixels(face_clip: Path, tiny_model: Path, tmp_path: Path):
    out = tmp_path / "kp.npz"
    code = main(
        [
            "track",
            str(face_clip),
            "--detector",
            "flowmark",
            "--model",
            str(tiny_model),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    track = read_track(out)
    assert track.points.shape == (FACE_FRAMES, 4, 2) and track.detector == "flowmark"
    assert track.frame_size == FACE_SIZE
    w, h = FACE_SIZE
    assert (track.points >= -0.5).all() and (track.points[..., 0] <= w - 0.5).all()
    assert (track.points[..., 1] <= h - 0.5).all()


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("track.txt", "expected a .csv, .json or .npz output file"),
        ("missing/t.csv", "does not exist"),
    ],
)
def test_bad_output_is_one_line(face_clip: Path, tmp_path: Path, capsys, output: str, message: str):
    out = tmp_path / output
    code = main(["track", str(face_clip), "--detector", "mediapipe-pose", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_missing_video(tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.csv"
    code = main(
        ["track", str(tmp_path / "none.mp4"), "--detector", "mediapipe-face", "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "none.mp4: no such file" in err and not out.exists()


def test_pose_on_the_portrait(face_clip: Path, tmp_path: Path) -> None:
    _needs_mediapipe()
    out = tmp_path / "pose.npz"
    assert main(["track", str(face_clip), "--detector", "mediapipe-pose", "-o", str(out)]) == 0
    track = read_track(out)
    assert track.detector == "mediapipe-pose" and track.confidence is not None
    nose, left, right = (
        track.points[0, track.names.index(n)] for n in ("nose", "left_shoulder", "right_shoulder")
    )
    assert right[0] < nose[0] < left[0]  # the subject's left shoulder is on the image's right
    assert nose[1] < min(left[1], right[1])
    assert track.confidence[0, track.names.index("nose")] > 0.9


def test_nothing_found_is_one_line(face_clip: Path, tmp_path: Path, capsys) -> None:
    _needs_mediapipe()
    out = tmp_path / "hands.csv"
    assert main(["track", str(face_clip), "--detector", "mediapipe-hands", "-o", str(out)]) == 2
    assert (
        capsys.readouterr().err
        == f"flowmark: error: {face_clip}: mediapipe-hands found nothing in any frame\n"
    )
    assert not out.exists()

"""`flowmark animate --motion auto` (the default): a photo of a face gets the hybrid motion
(the model, then the face mesh's expression) when mediapipe is installed and the output is at
the source's resolution, anything else the keypoints alone; said in the model's note line."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowmark_core.cli.main import main
from flowmark_core.errors import InputFileError
from flowmark_core.io.images import read_image, write_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.metrics.reference_mesh import mediapipe_available
from flowmark_core.resources import PHOTO_MODEL_NAME, bundled_models
from tests.portraits import grace_hopper_path

HYBRID = "with the face mesh's expression (--motion hybrid)"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real portrait (160 px wide) and a 3-frame clip of it shifting sideways."""
    import cv2
    import numpy as np

    if PHOTO_MODEL_NAME not in bundled_models():
        pytest.skip(f"{PHOTO_MODEL_NAME} is not bundled")
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("motion")
    photo = read_image(grace_hopper_path())
    write_image(root / "portrait.png", cv2.resize(photo[:400], (160, 124)))
    with VideoWriter(root / "drive.mp4", fps=10) as writer:
        for t in range(3):
            writer.write(np.ascontiguousarray(np.roll(photo[:480, :480], 4 * t, axis=1)))
    return {"photo": root / "portrait.png", "driving": root / "drive.mp4"}


def _animate(files: dict[str, Path], out: Path, *extra: str) -> int:
    argv = ["animate", str(files["photo"]), str(files["driving"]), "-o", str(out)]
    return main([*argv, "--precision", "float32", *extra])


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("flowmark: note: ")]


def test_a_photo_gets_the_hybrid_motion_by_default(files, tmp_path, capsys) -> None:
    assert _animate(files, tmp_path / "out.mp4") == 0
    notes = _notes(capsys.readouterr().err)
    said = (
        f"flowmark: note: portrait.png looks like a photo: using {PHOTO_MODEL_NAME} {HYBRID} "
        "(choose with --model and --motion)"
    )
    assert notes == [said]
    frames = list(open_video(tmp_path / "out.mp4"))
    assert len(frames) == 3 and frames[0].shape[:2] == (124, 124)


def test_a_size_or_an_explicit_motion_keeps_the_keypoints(files, tmp_path, capsys) -> None:
    assert _animate(files, tmp_path / "sized.mp4", "--size", "64") == 0
    assert _animate(files, tmp_path / "kp.mp4", "--motion", "keypoints") == 0
    notes = [n for n in _notes(capsys.readouterr().err) if "looks like a photo" in n]
    assert notes == [f"flowmark: note: portrait.png looks like a photo: using {PHOTO_MODEL_NAME} "
                     "(choose with --model)"] * 2  # fmt: skip


def test_an_explicit_model_still_gets_the_hybrid_motion_said(files, tmp_path, capsys) -> None:
    assert _animate(files, tmp_path / "m.mp4", "--model", PHOTO_MODEL_NAME) == 0
    assert _notes(capsys.readouterr().err) == [
        f"flowmark: note: portrait.png looks like a photo: animated {HYBRID}"
    ]


def test_no_face_mesh_falls_back_to_the_keypoints(files, tmp_path, capsys, monkeypatch) -> None:
    from flowmark_core.mesh_motion import ExpressionOverlay

    def no_face(self, picture, label="") -> None:
        raise InputFileError(f"{label}: no face found")

    monkeypatch.setattr(ExpressionOverlay, "set_picture", no_face)
    assert _animate(files, tmp_path / "fallback.mp4") == 0
    notes = _notes(capsys.readouterr().err)
    assert notes[-1].endswith("the face mesh finds no face; animating with the keypoints alone")
    assert len(list(open_video(tmp_path / "fallback.mp4"))) == 3

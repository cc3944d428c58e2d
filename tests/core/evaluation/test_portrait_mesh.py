"""`evaluate --task portrait --motion mesh`: the face-mesh animation measured as one row."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.evaluation.portrait import MESH_LABEL, evaluate_portrait
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper_path


def test_an_unknown_motion_is_refused() -> None:
    with pytest.raises(ValueError, match="motion"):
        evaluate_portrait(np.zeros((8, 8, 3), np.uint8), "x", [], [None], motion="points")


def test_the_mesh_row_follows_a_known_jaw(tmp_path: Path) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    path = grace_hopper_path()
    from flowmark_core.data.synthetic.face_mesh_fit import fit_faces
    from flowmark_core.data.synthetic.faces_photo import PhotoAppearance, PhotoRenderer
    from flowmark_core.data.synthetic.mesh_animation import Expression, Pose
    from flowmark_core.io.video_writer import VideoWriter

    photo = np.ascontiguousarray(cv2.imread(str(path))[:, :, ::-1])
    plain = PhotoAppearance(0, 0.25, (0.5, 0.42), False, 0.0, 1.0, 1.0, 0.0, 0.0, False, 0)
    renderer = PhotoRenderer(fit_faces(photo, "grace_hopper.jpg")[0], plain, 224)
    clip = tmp_path / "clip.mp4"
    with VideoWriter(clip, fps=25) as writer:
        for t in range(12):
            jaw = 0.5 - 0.5 * np.cos(2 * np.pi * t / 6)
            writer.write(renderer.render(Pose(), Expression((0.0, 0.0), jaw, 0.0), (0, 0))[0])
    portrait = cv2.resize(photo[:400], (240, 186), interpolation=cv2.INTER_AREA)
    results = evaluate_portrait(portrait, "gh", [clip], ["ignored"], motion="mesh")
    assert results.models == (MESH_LABEL,) and len(results.rows) == 1
    row = results.rows[0]
    assert row.model == MESH_LABEL and row.frames == 12 and row.face_found == 1.0
    assert row.seam is None  # no paste box
    assert row.follow["mouth_r"] is not None and row.follow["mouth_r"] >= 0.8


def test_hybrid_rows_are_labelled_by_model(tmp_path: Path) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    from flowmark_core.evaluation.portrait import HYBRID_SUFFIX
    from flowmark_core.io.video_writer import VideoWriter

    photo = np.ascontiguousarray(cv2.imread(str(grace_hopper_path()))[:, :, ::-1])
    clip = tmp_path / "clip.mp4"
    with VideoWriter(clip, fps=25) as writer:
        for t in range(3):
            writer.write(np.ascontiguousarray(np.roll(photo[:480, :480], 3 * t, axis=1)))
    portrait = cv2.resize(photo[:400], (240, 186), interpolation=cv2.INTER_AREA)
    results = evaluate_portrait(portrait, "gh", [clip], [None], motion="hybrid")
    assert len(results.rows) == 1 and results.models[0].endswith(HYBRID_SUFFIX)
    assert results.rows[0].frames == 3 and results.rows[0].face_found == 1.0

"""Synthetic puppets: determinism, landmark ground truth, identities and the synth command."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.data.synthetic import (
    BODY_LANDMARKS,
    FACE_LANDMARKS,
    FaceIdentity,
    plan_dataset,
    render_clip,
)
from flowmark_core.data.synthetic.face_surface import Expression
from flowmark_core.data.synthetic.faces import FaceRenderer
from flowmark_core.io.images import read_image


@pytest.mark.parametrize("family", ["faces", "bodies"])
def test_clip_shapes_and_determinism(family: str) -> None:
    a = render_clip(family, 11, 22, frames=6, size=96)
    b = render_clip(family, 11, 22, frames=6, size=96)
    c = render_clip(family, 11, 23, frames=6, size=96)
    n = len(FACE_LANDMARKS if family == "faces" else BODY_LANDMARKS)
    assert a.frames.shape == (6, 96, 96, 3) and a.frames.dtype == np.uint8
    assert a.landmarks.shape == (6, n, 2) and a.landmarks.dtype == np.float32
    assert a.visible.shape == (6, n) and a.visible.dtype == bool
    assert a.names.shape == (n,) and n >= (10 if family == "faces" else 14)
    assert len(set(a.names.tolist())) == n
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.landmarks, b.landmarks)
    np.testing.assert_array_equal(a.visible, b.visible)
    assert np.abs(a.frames.astype(int) - c.frames).mean() > 1.0


@pytest.mark.parametrize("family", ["faces", "bodies"])
def test_visible_landmarks_sit_on_their_part(family: str) -> None:
    worst, checked = [], 0
    for k in range(3):
        clip = render_clip(family, 500 + k, 900 + k, frames=16, size=256, expressive=True)
        for t in range(len(clip.frames)):
            pixels = np.round(clip.landmarks[t]).astype(int)
            for i in np.flatnonzero(clip.visible[t]):
                x, y = pixels[i]
                colour = clip.frames[t, y, x].astype(int)
                worst.append(np.abs(clip.colours[i].astype(int) - colour).max(axis=1).min())
                checked += 1
    worst_arr = np.array(worst)
    assert checked > 300
    assert worst_arr.max() <= 50  # a neighbouring part differs by far more
    assert np.percentile(worst_arr, 90) <= 26


def test_blinks_hide_pupils_and_bodies_occlude_joints() -> None:
    faces = [render_clip("faces", 7, 70 + k, frames=64, size=64, expressive=True) for k in range(2)]
    pupils = [FACE_LANDMARKS.index("right_pupil"), FACE_LANDMARKS.index("left_pupil")]
    assert any((~f.visible[:, pupils]).any() for f in faces)
    assert all(f.visible[:, FACE_LANDMARKS.index("nose_tip")].mean() > 0.9 for f in faces)
    body = render_clip("bodies", 7, 71, frames=64, size=64)
    assert 0.5 < body.visible.mean() < 1.0


def test_yaw_compresses_the_far_eye_and_mouth_opens() -> None:
    ident = FaceIdentity.random(np.random.default_rng(3))
    renderer = FaceRenderer(ident, 256, scene_seed=1)
    centre = renderer.R / 2

    def landmarks(yaw: float, mouth: float = 0.0) -> dict[str, np.ndarray]:
        pose = np.array([centre, centre, 0.0, 1.0, yaw])
        _, points, _ = renderer.render(pose, Expression(mouth_open=mouth), (0.0, 0.0))
        return dict(zip(FACE_LANDMARKS, points))

    def eye_widths(p: dict[str, np.ndarray]) -> tuple[float, float]:
        right = np.linalg.norm(p["right_eye_outer"] - p["right_eye_inner"])
        left = np.linalg.norm(p["left_eye_outer"] - p["left_eye_inner"])
        return float(right), float(left)

    right0, left0 = eye_widths(landmarks(0.0))
    assert right0 == pytest.approx(left0, rel=0.01)
    turned = landmarks(0.5)
    right1, left1 = eye_widths(turned)
    assert min(right1, left1) < 0.8 * max(right1, left1)  # the far eye is compressed
    front = landmarks(0.0)
    nose_shift = turned["nose_tip"][0] - front["nose_tip"][0]
    cheek_shift = turned["chin"][0] - front["chin"][0]
    assert abs(nose_shift) > abs(cheek_shift) + 1.0  # the nose sticks out, so it moves more
    closed, opened = landmarks(0.0, 0.0), landmarks(0.0, 1.0)
    gap_closed = closed["lower_lip"][1] - closed["upper_lip"][1]
    gap_open = opened["lower_lip"][1] - opened["upper_lip"][1]
    assert gap_open > gap_closed + 5.0


@pytest.mark.parametrize("size", [64, 512])
def test_extreme_sizes_render(size: int) -> None:
    clip = render_clip("faces", 1, 2, frames=2, size=size)
    assert clip.frames.shape == (2, size, size, 3)
    assert clip.visible.mean() > 0.5
    assert np.all(clip.landmarks[clip.visible] >= 0) and np.all(clip.landmarks < size)


def test_train_and_test_identities_are_disjoint() -> None:
    plans = plan_dataset("faces", videos=40, seed=0, test_fraction=0.2, clips_per_id=2)
    train = [p for p in plans if p.split == "train"]
    test = [p for p in plans if p.split == "test"]
    assert len(train) == 32 and len(test) == 8
    assert {p.identity for p in train}.isdisjoint({p.identity for p in test})
    assert {p.appearance_seed for p in train}.isdisjoint({p.appearance_seed for p in test})
    names = [p.name for p in plans]
    assert len(set(names)) == 40 and all("#" in n for n in names)
    looks = {
        p.split: FaceIdentity.random(np.random.default_rng(p.appearance_seed)).skin.tobytes()
        for p in plans
    }
    assert looks["train"] != looks["test"]
    other_seed = plan_dataset("faces", videos=40, seed=1, test_fraction=0.2)
    assert {p.appearance_seed for p in plans}.isdisjoint({p.appearance_seed for p in other_seed})


def test_synth_command_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "puppets"
    args = ["data", "synth", "--family", "faces", "--videos", "5", "--frames", "4", "--size",
            "64", "--clips-per-id", "2", "--test-fraction", "0.3", "--workers", "0"]  # fmt: skip
    assert main([*args, str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["puppets"]  # temp folder renamed
    train = sorted(p.name for p in (out / "train").iterdir())
    test = sorted(p.name for p in (out / "test").iterdir())
    assert train == ["id00000#00", "id00000#01", "id00001#00", "id00001#01"]
    assert test == ["id00002#00"]
    video = out / "train" / "id00000#01"
    assert sorted(p.name for p in video.iterdir()) == [
        "000000.png", "000001.png", "000002.png", "000003.png", "landmarks.npz",
    ]  # fmt: skip
    with np.load(video / "landmarks.npz") as data:
        assert data["landmarks"].shape == (4, len(FACE_LANDMARKS), 2)
        assert data["visible"].shape == (4, len(FACE_LANDMARKS))
        assert data["names"].tolist() == list(FACE_LANDMARKS)
        assert float(data["fps"]) == 25.0
    meta = json.loads((out / "dataset.json").read_text())
    assert meta["train"] == 4 and meta["test"] == 1 and meta["family"] == "faces"
    assert meta["rendered_with"] == {"numpy": np.__version__, "opencv": cv2.__version__}
    capsys.readouterr()
    assert main([*args, str(out)]) == 2  # refuses to overwrite
    err = capsys.readouterr().err.strip()
    assert err.startswith("flowmark: error:") and "not empty" in err and len(err.splitlines()) == 1
    assert main(["data", "synth", "--family", "faces", "--videos", "2", "--size", "20",
                 str(tmp_path / "bad")]) == 2  # fmt: skip
    assert "size must be in 64..512" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["puppets"]


def test_synth_with_worker_processes(tmp_path: Path) -> None:
    out = tmp_path / "not-yet" / "there" / "bodies"  # missing folders are created
    code = main(["data", "synth", "--family", "bodies", "--videos", "3", "--frames", "3",
                 "--size", "64", "--workers", "2", "--test-fraction", "0", str(out)])  # fmt: skip
    assert code == 0
    assert len(list((out / "train").iterdir())) == 3 and not any((out / "test").iterdir())
    plan = plan_dataset("bodies", 3, test_fraction=0.0)[2]
    direct = render_clip("bodies", plan.appearance_seed, plan.motion_seed, frames=3, size=64)
    written = read_image(out / "train" / plan.name / "000002.png")
    np.testing.assert_array_equal(written, direct.frames[2])  # same result in a worker

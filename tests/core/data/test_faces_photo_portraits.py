"""`data synth --family faces-photo --portraits DIR` on a folder of portraits this test makes.

Grace Hopper's photo (matplotlib's sample) under three identities that survive every look
augmentation: "Grace" (the photo and a mirrored crop: skin-coloured), "Blue Grace" (red and
blue swapped: a blue face) and an `unknown` grey copy; plus a noise image in which no face is
found. The colour at the nose tip of a rendered frame tells whose photo a video animates.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import matplotlib.cbook
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.data.synthetic.face_mesh_fit import _solutions, fit_faces
from flowmark_core.data.synthetic.faces_photo import portrait_clip
from flowmark_core.data.synthetic.identities import plan_dataset
from flowmark_core.data.synthetic.mesh_animation import LANDMARK_NAMES, LANDMARK_VERTICES
from flowmark_core.data.synthetic.portrait_writer import (
    PortraitSummary,
    synthesize_portrait_dataset,
)
from flowmark_core.errors import InputFileError
from flowmark_core.metrics.reference_mesh import mediapipe_available

VIDEOS, FRAMES, SIZE = 12, 3, 64
LOOK_OF = {"Grace": "skin", "Blue-Grace": "blue", "unknown-b-gray.jpg": "grey"}


def _hopper() -> np.ndarray:
    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return cv2.imread(str(path), cv2.IMREAD_COLOR)  # BGR, 600 x 512


def _make_folder(root: Path) -> Path:
    bgr = _hopper()
    folder = root / "portraits"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    cv2.imwrite(str(folder / "a" / "hopper.jpg"), bgr)
    cv2.imwrite(str(folder / "a" / "hopper_crop.png"), cv2.flip(bgr[40:, 30:-30], 1))
    cv2.imwrite(str(folder / "b" / "blue.png"), np.ascontiguousarray(bgr[..., ::-1]))
    grey = cv2.cvtColor(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    cv2.imwrite(str(folder / "b" / "gray.jpg"), grey)
    noise = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    cv2.imwrite(str(folder / "b" / "noise.png"), noise)  # unlisted: its own person, no face
    (root / "manifest.tsv").write_text(
        "file\tidentity\tsource_repo\n"
        "portraits/a/hopper.jpg\tGrace\tr1\n"
        "portraits/a/hopper_crop.png\tGrace\tr2\n"
        "portraits/b/blue.png\tBlue Grace\tr2\n"
        "portraits/b/gray.jpg\tunknown\tr3\n"
    )
    return folder


@pytest.fixture(scope="module")
def portraits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    return _make_folder(tmp_path_factory.mktemp("faces"))


@pytest.fixture(scope="module")
def dataset(
    portraits: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, PortraitSummary]:
    out = tmp_path_factory.mktemp("sets") / "set"
    summary = synthesize_portrait_dataset(
        out, portraits, VIDEOS, FRAMES, SIZE, seed=0, test_fraction=0.34, clips_per_id=1,
        workers=0, progress=False,
    )  # fmt: skip
    return out, summary


def _look(video: Path) -> str:
    """Whose photo a video shows, from the colour around the nose tip of its first frame."""
    data = np.load(video / "landmarks.npz")
    x, y = np.round(data["landmarks"][0, list(data["names"]).index("nose_tip")]).astype(int)
    hsv = cv2.cvtColor(cv2.imread(str(video / "000000.png")), cv2.COLOR_BGR2HSV)
    hue, sat, _ = hsv[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(0)
    if sat < 30:
        return "grey"
    if sat > 60 and 90 <= hue <= 135:
        return "blue"
    if sat > 60 and (hue <= 30 or hue >= 160):
        return "skin"
    raise AssertionError(f"{video.name}: nose colour hue {hue:.0f} sat {sat:.0f} is no look")


def _looks(out: Path) -> dict[str, set[str]]:
    return {s: {_look(v) for v in (out / s).iterdir()} for s in ("train", "test")}


def test_identities_never_on_both_sides(dataset: tuple[Path, PortraitSummary]) -> None:
    out, summary = dataset
    looks = _looks(out)
    assert looks["train"] and looks["test"]
    assert not looks["train"] & looks["test"]
    assert looks["train"] | looks["test"] == {"skin", "blue", "grey"}
    assert summary.counts == {"train": 8, "test": 4}
    assert summary.no_face == 1 and summary.unreadable == 0 and summary.portraits_used == 4
    assert not any(p.name.startswith(".") for p in out.iterdir())  # fitted faces removed
    rows = [line.split("\t") for line in (out / "portraits.tsv").read_text().splitlines()[1:]]
    assert len(rows) == VIDEOS
    for video, split, identity, _portrait in rows:  # the table says what the frames show
        assert video.startswith(f"{split}/") and _look(out / video) == LOOK_OF[identity]


def test_excluded_identity_never_appears(
    portraits: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "set"
    args = ["data", "synth", "--family", "faces-photo", "--portraits", str(portraits)]
    args += ["--exclude-identities", "Blue Grace", "--videos", "6", "--clips-per-id", "1"]
    code = main([*args, "--frames", "2", "--size", "64", "--workers", "0", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    looks = _looks(out)
    assert "blue" not in looks["train"] | looks["test"]
    assert not looks["train"] & looks["test"]
    assert "1 of excluded identities" in err.splitlines()[-1]


def test_clips_are_the_fitted_face_animated_with_landmarks_on_the_mesh(
    portraits: Path, dataset: tuple[Path, PortraitSummary]
) -> None:
    out, _ = dataset
    plans = {p.name: p for p in plan_dataset("faces-photo", VIDEOS, 0, 0.34, 1)}
    rows = [line.split("\t") for line in (out / "portraits.tsv").read_text().splitlines()[1:]]
    video, _split, _identity, portrait = rows[-1]
    bgr = cv2.imread(str(portraits / portrait))
    face = fit_faces(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), portrait, max_faces=1)[0]
    plan = plans[video.split("/")[1]]
    clip = portrait_clip(face, plan.appearance_seed, plan.motion_seed, FRAMES, SIZE)
    frames = [cv2.imread(str(out / video / f"{t:06d}.png"))[..., ::-1] for t in range(FRAMES)]
    np.testing.assert_array_equal(np.stack(frames), clip.frames)
    mesh = np.load(out / video / "mesh.npz")["mesh"]
    landmarks = np.load(out / video / "landmarks.npz")["landmarks"]
    on_mesh = np.stack([mesh[:, list(v)].mean(1) for v in LANDMARK_VERTICES.values()], 1)
    np.testing.assert_allclose(landmarks, on_mesh, atol=1e-4)


def test_mediapipe_finds_the_landmarks_where_the_clip_says(portraits: Path) -> None:
    rgb = cv2.cvtColor(cv2.imread(str(portraits / "a" / "hopper_crop.png")), cv2.COLOR_BGR2RGB)
    face = fit_faces(rgb, "hopper_crop.png", max_faces=1)[0]
    clip = portrait_clip(face, 11, 12, 8, 160)
    _, mesher, _ = _solutions()
    errors = []
    for t in (0, 7):
        found = mesher.process(clip.frames[t]).multi_face_landmarks
        assert found, f"no face found in frame {t}"
        points = np.array([[p.x * 160 - 0.5, p.y * 160 - 0.5] for p in found[0].landmark])
        seen = np.array([points[list(v)].mean(0) for v in LANDMARK_VERTICES.values()])
        pupils = [LANDMARK_NAMES.index(n) for n in ("right_pupil", "left_pupil")]
        iod = np.linalg.norm(np.subtract(*clip.landmarks[t, pupils]))
        errors.append(np.linalg.norm(seen - clip.landmarks[t], axis=1) / iod)
    assert np.median(errors) < 0.05 and np.max(errors) < 0.15, np.round(errors, 3)


def test_faces_turned_too_far_are_skipped_and_counted(portraits: Path, tmp_path: Path) -> None:
    # The fitted yaws of this folder: hopper 0.0, its mirrored crop 0.4, grey 0.7, blue 1.4
    # degrees; a 1-degree limit keeps all but the blue copy.
    summary = synthesize_portrait_dataset(
        tmp_path / "set", portraits, 6, 2, SIZE, test_fraction=0.2, clips_per_id=1, workers=0,
        max_yaw=1.0, progress=False,
    )  # fmt: skip
    assert summary.turned == 1 and summary.no_face == 1
    looks = _looks(tmp_path / "set")
    assert looks["train"] | looks["test"] == {"skin", "grey"}
    with pytest.raises(InputFileError, match=r"no face found in the 5 .*\(4 turned more than"):
        synthesize_portrait_dataset(
            tmp_path / "none", portraits, 6, 2, SIZE, workers=0, max_yaw=0.01, progress=False
        )


def test_portraits_without_any_face_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    folder = tmp_path / "noise"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for name in ("n1.png", "n2.jpg"):
        cv2.imwrite(str(folder / name), rng.integers(0, 256, (96, 96, 3), dtype=np.uint8))
    out = tmp_path / "set"
    args = ["data", "synth", "--family", "faces-photo", "--portraits", str(folder)]
    code = main([*args, "--videos", "4", "--frames", "2", "--size", "64", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "no face found in the 2 portrait(s)" in err[0], err
    assert not out.exists()

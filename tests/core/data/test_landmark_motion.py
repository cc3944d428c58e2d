"""Ground-truth motion from landmark tracks (the flow-loss ablation on synthetic data)."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.data.augment import Augmentation
from flowmark_core.data.dataset import FramesDataset
from flowmark_core.data.landmark_motion import (
    UNTRUSTED_ERROR,
    landmark_motion,
    mirror_points,
    resize_points,
)
from flowmark_core.data.synthetic.writer import synthesize_dataset
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import DatasetError

POINTS = np.array([[10.0, 12.0], [30.0, 9.0], [22.0, 28.0], [8.0, 30.0], [25.0, 18.0]])


def test_translation_is_reproduced_everywhere_and_trusted_near_landmarks() -> None:
    shift = np.array([1.5, -0.75])
    flow, error = landmark_motion(POINTS, POINTS + shift, np.ones(5, bool), (40, 40), radius=3.0)
    assert np.allclose(flow, shift, atol=1e-6)
    assert error[12, 10] == 0.0 and error[12, 13] == 0.0  # on a landmark and 3 px away
    assert error[0, 39] == UNTRUSTED_ERROR  # far from every landmark


def test_affine_motion_is_exact_at_any_pixel() -> None:
    a = np.array([[1.05, 0.1], [-0.08, 0.97]])
    t = np.array([0.4, -1.2])
    end = POINTS @ a.T + t
    flow, _ = landmark_motion(POINTS, end, np.ones(5, bool), (40, 40), radius=3.0)
    x, y = 35.0, 3.0
    expected = a @ np.array([x, y]) + t - np.array([x, y])
    assert np.allclose(flow[int(y), int(x)], expected, atol=1e-4)


def test_hidden_landmarks_are_ignored_and_too_few_trust_nothing() -> None:
    end = POINTS + np.array([1.0, 0.0])
    end[4] += 50.0  # a hidden landmark with a wild position must not matter
    visible = np.array([True, True, True, True, False])
    flow, error = landmark_motion(POINTS, end, visible, (40, 40), radius=2.0)
    assert np.allclose(flow, [1.0, 0.0], atol=1e-6)
    assert error[18, 25] == UNTRUSTED_ERROR  # the hidden landmark's spot
    _, none = landmark_motion(
        POINTS, end, np.array([True, True, False, False, False]), (40, 40), 2.0
    )
    assert np.all(none == UNTRUSTED_ERROR)


def test_point_resizing_and_mirroring_use_pixel_centres() -> None:
    # a 100x50 frame: its centred 50x50 square (x from 25) becomes 20x20, never stretched
    assert np.allclose(resize_points(np.array([[25.0, 0.0], [74.0, 49.0]]), (50, 100), 20),
                       [[-0.3, -0.3], [19.3, 19.3]])  # fmt: skip
    assert np.allclose(resize_points(np.array([[0.0, 0.0], [99.0, 49.0]]), (50, 100), 20),
                       [[-10.3, -0.3], [29.3, 19.3]])  # fmt: skip
    assert np.allclose(
        mirror_points(np.array([[0.0, 5.0], [2.5, 1.0]]), 10), [[9.0, 5.0], [6.5, 1.0]]
    )


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lm") / "faces"
    synthesize_dataset(root, "faces", videos=3, frames=8, size=64, seed=3, test_fraction=0.34,
                       clips_per_id=1, workers=0, progress=False)  # fmt: skip
    return root


def test_dataset_landmark_motion_moves_each_landmark_to_its_next_position(faces: Path) -> None:
    ds = FramesDataset(faces, "train", 64, flow_method="landmarks", seed=1)
    sample = ds.make_sample(0, 0, 3, Augmentation())
    track = VideoFolder(faces, "train").entries[0].landmarks()
    assert track is not None
    shared = track.visible[3] & track.visible[4]
    p0, p1 = track.landmarks[3][shared], track.landmarks[4][shared]
    flow = sample.flow.numpy()
    for (x, y), target in zip(p0, p1):
        ix, iy = int(np.rint(x)), int(np.rint(y))
        # Sampled at the nearest pixel: the field is smooth, so within a few hundredths.
        moved = np.array([x, y]) + flow[:, iy, ix]
        assert np.allclose(moved, target, atol=0.15)
        assert sample.flow_error[iy, ix] == 0.0


def test_landmark_motion_needs_landmarks(tmp_path: Path, faces: Path) -> None:
    copy = tmp_path / "faces"
    shutil.copytree(faces, copy)
    for path in copy.glob("train/*/landmarks.npz"):
        path.unlink()
    with pytest.raises(DatasetError, match="landmarks.npz"):
        FramesDataset(copy, "train", 64, flow_method="landmarks")

"""The training data set: layout checks, sample shapes, augmentation, flow and workers."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import flowmark_core.data.dataset as dataset_module
from flowmark_core.data.augment import Augmentation, AugmentParams
from flowmark_core.data.dataset import FramesDataset, TrainingSample
from flowmark_core.data.loader_workers import loader_worker_options
from flowmark_core.data.synthetic.writer import synthesize_dataset
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import ConfigError, DatasetError
from flowmark_core.io.images import read_image, write_image
from flowmark_core.io.video_writer import VideoWriter

SIZE = 64


@pytest.fixture(scope="module")
def puppets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 face clips of 12 frames (4 train identities' clips, 2 test), plus one mp4 in train."""
    root = tmp_path_factory.mktemp("data") / "puppets"
    synthesize_dataset(root, "faces", videos=6, frames=12, size=96, seed=5, test_fraction=0.3,
                       clips_per_id=2, workers=0, progress=False)  # fmt: skip
    frames = sorted((root / "train" / "id00000#00").glob("*.png"))
    with VideoWriter(root / "train" / "extra#00.mp4", fps=25) as writer:
        for f in frames:
            writer.write(read_image(f))
    return root


def test_triplet_sample_shapes(puppets: Path) -> None:
    ds = FramesDataset(puppets, "train", SIZE, frame_gap=2, seed=0)
    assert len(ds) == 5  # four folders and one mp4
    sample = ds[0]
    assert isinstance(sample, TrainingSample)
    for image in (sample.source, sample.driving, sample.driving_next):
        assert image.shape == (3, SIZE, SIZE) and image.dtype == torch.float32
        assert float(image.min()) >= 0.0 and float(image.max()) <= 1.0
    assert sample.flow.shape == (2, SIZE, SIZE) and sample.flow.dtype == torch.float32
    assert sample.flow_error.shape == (SIZE, SIZE) and sample.flow_error.dtype == torch.float32
    assert 0 <= sample.driving_index < 12


def test_pair_mode_has_zero_size_fields(puppets: Path) -> None:
    sample = FramesDataset(puppets, "test", SIZE, with_flow=False, seed=0)[1]
    assert sample.driving.shape == (3, SIZE, SIZE)
    for empty in (sample.driving_next, sample.flow, sample.flow_error):
        assert empty.shape == (0,)


def test_items_are_reproducible_per_seed(puppets: Path) -> None:
    params = AugmentParams()
    a = FramesDataset(puppets, "train", SIZE, augment=params, seed=3)
    b = FramesDataset(puppets, "train", SIZE, augment=params, seed=3)
    for i in range(len(a)):
        x, y = a[i], b[i]
        assert torch.equal(x.driving, y.driving) and torch.equal(x.flow, y.flow)
    c = FramesDataset(puppets, "train", SIZE, augment=params, seed=4)
    assert any(not torch.equal(a[i].driving, c[i].driving) for i in range(len(a)))


@pytest.fixture(scope="module")
def sliding(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 10-frame video of a smooth texture sliding by (+1.5, -0.5) px per frame."""
    root = tmp_path_factory.mktemp("slide")
    folder = root / "train" / "slide#00"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    noise = rng.random((14, 14, 3)).astype(np.float32)
    texture = cv2.resize(noise, (96, 96), interpolation=cv2.INTER_CUBIC)
    texture = (255 * (texture - texture.min()) / np.ptp(texture)).astype(np.uint8)
    for t in range(10):
        shift = np.float32([[1, 0, 1.5 * t - 8], [0, 1, -0.5 * t - 8]])
        frame = cv2.warpAffine(texture, shift, (SIZE, SIZE), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT)  # fmt: skip
        write_image(folder / f"{t:03d}.png", frame)
    return root


def test_flow_is_the_motion_from_driving_to_next(sliding: Path) -> None:
    ds = FramesDataset(sliding, "train", SIZE, frame_gap=2, flow_preset="fast", seed=0)
    sample = ds.make_sample(0, 0, 3, Augmentation())
    inner = sample.flow[:, 8:-8, 8:-8].reshape(2, -1)
    assert inner[0].median() == pytest.approx(3.0, abs=0.15)
    assert inner[1].median() == pytest.approx(-1.0, abs=0.15)
    assert sample.flow_error[8:-8, 8:-8].median() < 0.2


def test_horizontal_flip_mirrors_frames_and_negates_flow_x(sliding: Path) -> None:
    ds = FramesDataset(sliding, "train", SIZE, frame_gap=2, flow_preset="fast", seed=0)
    plain = ds.make_sample(0, 0, 3, Augmentation())
    flipped = ds.make_sample(0, 0, 3, Augmentation(flip=True))
    assert torch.equal(flipped.driving, plain.driving.flip(-1))
    inner = flipped.flow[:, 8:-8, 8:-8].reshape(2, -1)
    assert inner[0].median() == pytest.approx(-3.0, abs=0.15)
    assert inner[1].median() == pytest.approx(-1.0, abs=0.15)
    mirrored = plain.flow.flip(-1)
    assert (flipped.flow[0] + mirrored[0])[8:-8, 8:-8].abs().median() < 0.15


def test_time_flip_swaps_driving_and_next(puppets: Path) -> None:
    ds = FramesDataset(puppets, "train", SIZE, frame_gap=2, seed=0)
    plain = ds.make_sample(2, 0, 5, Augmentation())
    reverse = ds.make_sample(2, 0, 5, Augmentation(reverse=True))
    assert torch.equal(reverse.driving, plain.driving_next)
    assert torch.equal(reverse.driving_next, plain.driving)
    assert (plain.driving_index, reverse.driving_index) == (5, 7)


def test_colour_jitter_is_identical_across_frames(puppets: Path) -> None:
    ds = FramesDataset(puppets, "train", SIZE, frame_gap=1, with_flow=False, seed=0)
    plain = ds.make_sample(0, 6, 6, Augmentation())
    jit = ds.make_sample(
        0, 6, 6, Augmentation(brightness=1.1, contrast=0.9, saturation=1.2, hue=0.05)
    )
    assert not torch.equal(plain.source, jit.source)
    assert torch.equal(jit.source, jit.driving)  # same frame, same change


def test_only_the_needed_frames_are_read(puppets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    original = dataset_module.read_image

    def counting(path: Path) -> np.ndarray:
        calls.append(Path(path))
        return original(path)

    monkeypatch.setattr(dataset_module, "read_image", counting)
    ds = FramesDataset(puppets, "train", SIZE, seed=0)
    ds[1]
    assert len(calls) == 3  # source, driving, driving_next out of 12 frames


def test_repeats_and_identity_sampling(puppets: Path) -> None:
    assert len(FramesDataset(puppets, "train", SIZE, repeats=4)) == 20
    by_id = FramesDataset(puppets, "train", SIZE, id_sampling=True, repeats=3)
    assert len(by_id) == 3 * 3  # identities id00000, id00001, extra
    assert by_id[7].driving.shape == (3, SIZE, SIZE)


def test_data_loader_workers_collate(puppets: Path) -> None:
    ds = FramesDataset(puppets, "train", SIZE, augment=AugmentParams(), repeats=2)
    loader = DataLoader(ds, batch_size=4, shuffle=True, **loader_worker_options(2))
    batch = next(iter(loader))
    assert isinstance(batch, TrainingSample)
    assert batch.driving.shape == (4, 3, SIZE, SIZE) and batch.flow.shape == (4, 2, SIZE, SIZE)
    assert batch.driving_index.shape == (4,)


def test_layout_errors(tmp_path: Path, puppets: Path) -> None:
    with pytest.raises(DatasetError, match=r"no train/ folder; expected ROOT/train/<video>"):
        FramesDataset(tmp_path, "train", SIZE)
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "readme.txt").write_text("no videos here")
    with pytest.raises(DatasetError, match="no videos found"):
        FramesDataset(tmp_path, "train", SIZE)
    with pytest.raises(DatasetError, match="not found"):
        FramesDataset(tmp_path / "absent", "train", SIZE)
    short = tmp_path / "short"
    shutil.copytree(puppets / "test", short / "train")
    video = sorted((short / "train").iterdir())[0]
    for png in sorted(video.glob("*.png"))[2:]:
        png.unlink()
    with pytest.raises(DatasetError, match=rf"{video.name}: video has 2 frame\(s\).*gap 4"):
        FramesDataset(short, "train", SIZE, frame_gap=4)
    assert len(FramesDataset(short, "train", SIZE, frame_gap=1)) == 2
    with pytest.raises(ConfigError, match="allowed: ultrafast, fast, medium"):
        FramesDataset(puppets, "train", SIZE, flow_preset="warp")


def test_video_folder_reads_frames_and_landmarks(puppets: Path) -> None:
    folder = VideoFolder(puppets, "test")
    assert [v.name for v in folder] == ["id00002#00", "id00002#01"]
    entry = folder.find("id00002#01")
    truth = entry.landmarks()
    assert truth is not None and truth.landmarks.shape[0] == 12 and truth.fps == 25.0
    frames = list(entry.open())
    assert len(frames) == 12 and frames[0].shape == (96, 96, 3)
    mp4 = VideoFolder(puppets, "train").find("extra#00")
    assert mp4.landmarks() is None and not mp4.has_landmarks

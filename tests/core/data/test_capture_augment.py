"""Capture degradations as a training augmentation: off = unchanged, on = seeded, flow choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from flowmark_core.config import ExperimentConfig, from_dict
from flowmark_core.config.data import CAPTURE_PRESETS, DataConfig
from flowmark_core.config.files import load_config
from flowmark_core.data.augment import AugmentParams
from flowmark_core.data.capture import PRESETS
from flowmark_core.data.capture_augment import draw_capture
from flowmark_core.data.dataset import FramesDataset
from flowmark_core.data.synthetic.writer import synthesize_dataset
from flowmark_core.errors import ConfigError
from flowmark_core.training.data import SeededSamples, make_dataset

SIZE = 48
CONFIG = Path(__file__).resolve().parents[3] / "configs" / "puppets-faces-128.yaml"


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 small face clips of 6 frames."""
    root = tmp_path_factory.mktemp("capture") / "faces"
    synthesize_dataset(root, "faces", videos=3, frames=6, size=64, seed=2, test_fraction=0.3,
                       workers=0, progress=False)  # fmt: skip
    return root


def dataset(root: Path, **capture: object) -> FramesDataset:
    return FramesDataset(root, "train", SIZE, augment=AugmentParams(), seed=7, **capture)  # type: ignore[arg-type]


FIELDS = ("source", "driving", "driving_next", "flow", "flow_error")


def same(a: object, b: object, fields: tuple[str, ...] = FIELDS) -> bool:
    return all(torch.equal(getattr(a, f), getattr(b, f)) for f in fields)


def test_off_leaves_the_random_stream_and_samples_unchanged(faces: Path) -> None:
    rng = np.random.default_rng(1)
    assert draw_capture(None, 1.0, rng) is None
    assert rng.random() == np.random.default_rng(1).random()  # nothing was drawn
    plain = dataset(faces)
    off = dataset(faces, capture_preset=None, capture_probability=0.5, capture_flow_on="clean")
    never = dataset(faces, capture_preset="webcam", capture_probability=0.0)
    for i in range(len(plain)):
        assert same(plain[i], off[i]) and same(plain[i], never[i])
        assert plain[i].driving_index == never[i].driving_index


@pytest.mark.parametrize("name", ["webcam", "occlusion"])
def test_on_degrades_every_frame_deterministically_per_seed_and_index(
    faces: Path, name: str
) -> None:
    plain = dataset(faces)
    a = dataset(faces, capture_preset=name)
    b = dataset(faces, capture_preset=name)
    for i in range(len(a)):
        x, y, clean = a[i], b[i], plain[i]
        assert same(x, y)
        assert x.driving_index == clean.driving_index
        for f in ("source", "driving", "driving_next"):
            diff = (getattr(x, f) - getattr(clean, f)).abs().mean().item()
            assert 0.005 < diff < 0.2, (f, diff)  # degraded, still the same picture
    assert not torch.equal(a[0].driving, a[1].driving)
    other_seed = FramesDataset(faces, "train", SIZE, augment=AugmentParams(), seed=8,
                               capture_preset=name)  # fmt: skip
    plain8 = FramesDataset(faces, "train", SIZE, augment=AugmentParams(), seed=8)
    noise_a = a[0].driving - plain[0].driving
    noise_8 = other_seed[0].driving - plain8[0].driving
    assert not torch.equal(noise_a, noise_8)


def test_flow_on_clean_frames_is_the_flow_of_the_undegraded_sample(faces: Path) -> None:
    plain = dataset(faces)
    clean = dataset(faces, capture_preset="webcam", capture_flow_on="clean")
    degraded = dataset(faces, capture_preset="webcam", capture_flow_on="degraded")
    for i in range(len(plain)):
        assert same(clean[i], plain[i], ("flow", "flow_error"))
        assert not torch.equal(clean[i].driving, plain[i].driving)
        assert same(clean[i], degraded[i], ("source", "driving", "driving_next"))
        assert not torch.equal(degraded[i].flow, plain[i].flow)


def test_probability_degrades_a_share_of_the_samples(faces: Path) -> None:
    half = FramesDataset(faces, "train", SIZE, augment=AugmentParams(), seed=7, repeats=8,
                         capture_preset="lowlight", capture_probability=0.5)  # fmt: skip
    plain_long = FramesDataset(faces, "train", SIZE, augment=AugmentParams(), seed=7, repeats=8)
    changed = [not torch.equal(half[i].driving, plain_long[i].driving) for i in range(len(half))]
    assert 0 < sum(changed) < len(changed)


def test_config_presets_match_the_capture_module() -> None:
    # Every preset but those with the clip-level H.264 stage (test splits only).
    assert tuple(n for n, p in PRESETS.items() if p.h264_kbps is None) == CAPTURE_PRESETS
    assert set(PRESETS) - set(CAPTURE_PRESETS) == {"webcam-h264"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("capture_preset", "dslr", r"^data.capture_preset: got 'dslr', expected one of webcam"),
        ("capture_probability", 1.5, r"^data.capture_probability: expected a value >= 0 and <= 1"),
        ("capture_probability", "half", r"^data.capture_probability: expected a number"),
        ("capture_flow_on", "both", r"^data.capture_flow_on: got 'both', expected one of degraded"),
    ],
)
def test_bad_capture_values_are_refused_in_one_line(key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        from_dict(ExperimentConfig, {"data": {key: value}})
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError):
        DataConfig(**{key: value})  # type: ignore[arg-type]


def test_trainer_data_set_follows_the_config(faces: Path) -> None:
    cfg = load_config(
        CONFIG,
        [
            "data.capture_preset=occlusion",
            "data.capture_probability=0.25",
            "data.capture_flow_on=clean",
        ],
    )
    ds = make_dataset(cfg, str(faces))
    assert isinstance(ds, FramesDataset)
    assert ds.capture == PRESETS["occlusion"] and ds.capture_probability == 0.25
    assert ds.capture_flow_on == "clean" and "capture occlusion" in ds.describe()
    assert make_dataset(load_config(CONFIG), str(faces)).capture is None


def test_pair_mode_and_trainer_seeding_are_deterministic(faces: Path) -> None:
    """Without a data set seed the draw follows the trainer's per-item seeding (resume, DDP)."""
    pairs = FramesDataset(faces, "train", SIZE, with_flow=False, seed=7, capture_preset="webcam")
    clean_pairs = FramesDataset(faces, "train", SIZE, with_flow=False, seed=7)
    assert pairs[0].flow.numel() == 0
    assert not torch.equal(pairs[0].source, clean_pairs[0].source)
    seeded = SeededSamples(
        FramesDataset(faces, "train", SIZE, augment=AugmentParams(), capture_preset="webcam"), 5
    )
    (x, s), (y, t) = seeded[3], seeded[3]
    assert s == t and same(x, y)
    assert not torch.equal(seeded[4][0].driving, x.driving)

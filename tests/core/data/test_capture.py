"""Capture degradations: seeded per frame, landmarks kept, occluded landmarks invisible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.data.capture import (
    CaptureParams,
    _face,
    degrade_clip,
    lighting_levels,
    motion_blur,
)
from flowmark_core.data.capture_occluder import draw_occluder
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import ConfigError


def _moving_clip(frames: int = 10, size: int = 64) -> tuple[list[np.ndarray], np.ndarray]:
    """A textured square moving right by 1.5 px/frame; its 4 corners are the landmarks."""
    rng = np.random.default_rng(0)
    texture = rng.integers(40, 220, size=(20, 20, 3)).astype(np.uint8)
    out, marks = [], []
    for t in range(frames):
        img = np.full((size, size, 3), 128, np.uint8)
        x = 10 + round(1.5 * t)
        img[20:40, x : x + 20] = texture
        out.append(img)
        marks.append([[x, 20], [x + 19, 20], [x, 39], [x + 19, 39]])
    return out, np.asarray(marks, np.float32)


@pytest.mark.parametrize("name", ["webcam", "lowlight", "lighting", "occlusion"])
def test_degradation_is_deterministic_per_seed(name: str) -> None:
    frames, marks = _moving_clip()
    a = degrade_clip(frames, name, seed=7, landmarks=marks)
    b = degrade_clip(frames, name, seed=7, landmarks=marks)
    c = degrade_clip(frames, name, seed=8, landmarks=marks)
    for x, y in zip(a.frames, b.frames):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.visible, b.visible)
    assert any(not np.array_equal(x, z) for x, z in zip(a.frames, c.frames))


def test_each_frame_draws_independently_of_the_clip_length() -> None:
    frames, marks = _moving_clip()
    short = degrade_clip(frames[:4], "webcam", seed=3, landmarks=marks[:4])
    full = degrade_clip(frames, "webcam", seed=3, landmarks=marks)
    for x, y in zip(short.frames, full.frames[:4]):
        np.testing.assert_array_equal(x, y)
    # ... and frames differ from one another (independent noise, not one fixed pattern).
    still = [frames[0]] * 3
    noisy = degrade_clip(still, "webcam", seed=3).frames
    assert not np.array_equal(noisy[0], noisy[1])


@pytest.mark.parametrize("name", ["webcam", "lowlight", "lighting"])
def test_photometric_degradations_leave_landmarks_visible(name: str) -> None:
    frames, marks = _moving_clip()
    visible = np.ones(marks.shape[:2], bool)
    visible[2, 1] = False  # an annotation already invisible stays so
    clip = degrade_clip(frames, name, seed=1, landmarks=marks.copy(), visible=visible)
    np.testing.assert_array_equal(clip.visible, visible)


def test_sensor_noise_has_the_stated_strength() -> None:
    flat = [np.full((64, 64, 3), 128, np.uint8)] * 2
    params = CaptureParams(read_noise=0.02, shot_noise=0.04)
    frame = degrade_clip(flat, params, seed=0).frames[0].astype(np.float64) / 255.0
    expected = np.sqrt(0.02**2 + 0.04**2 * (128 / 255))
    assert frame.std() == pytest.approx(expected, rel=0.05)
    assert frame.mean() == pytest.approx(128 / 255, abs=0.005)


def test_low_light_amplifies_the_noise_by_the_gain() -> None:
    flat = [np.full((64, 64, 3), 128, np.uint8)] * 2
    bright = degrade_clip(flat, CaptureParams(read_noise=0.01), seed=0).frames[0] / 255.0
    dark = degrade_clip(flat, CaptureParams(read_noise=0.01, light=0.25), seed=0).frames[0] / 255.0
    assert dark.std() / bright.std() == pytest.approx(4.0, rel=0.1)


def test_motion_blur_follows_the_motion() -> None:
    image = np.zeros((21, 21, 3), np.float32)
    image[10, 10] = 1.0
    blurred = motion_blur(image, np.array([4.0, 0.0]), shutter=1.0)[..., 0]
    assert blurred.sum() == pytest.approx(1.0, rel=1e-4)
    rows, cols = np.nonzero(blurred > 1e-3)
    assert set(rows) == {10}  # horizontal motion: no vertical spread
    assert cols.max() - cols.min() in (4, 5)


def test_occluder_marks_exactly_the_covered_landmarks_invisible() -> None:
    size, frames = 64, 24
    grid = np.stack(np.meshgrid(np.arange(4, 64, 6), np.arange(4, 64, 6)), -1).reshape(-1, 2)
    marks = np.repeat(grid[None].astype(np.float32), frames, axis=0)
    images = [np.full((size, size, 3), 20, np.uint8)] * frames
    clip = degrade_clip(images, CaptureParams(occluder=True), seed=5, landmarks=marks)
    hand = draw_occluder(5, frames, (size, size), _face(marks.astype(np.float64), (size, size)))
    covered_any = False
    for t in range(frames):
        cover = hand.mask(t, (size, size))
        expected = cover[grid[:, 1], grid[:, 0]] < 0.5
        np.testing.assert_array_equal(clip.visible[t], expected)
        covered_any |= not expected.all()
        # Where the hand is, the frame shows the hand's colour, not the background.
        solid = cover > 0.99
        if solid.any():
            assert clip.frames[t][solid].astype(int).mean() > 60  # skin on a dark background
    assert covered_any
    np.testing.assert_array_equal(marks, np.repeat(grid[None], frames, axis=0))  # not moved


def test_bad_parameters_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="light"):
        CaptureParams(light=0.0)
    with pytest.raises(ConfigError, match="preset"):
        degrade_clip([np.zeros((8, 8, 3), np.uint8)], "fisheye", seed=0)


def test_data_degrade_keeps_landmarks_and_layout(tmp_path: Path) -> None:
    src = tmp_path / "faces"
    args = ["data", "synth", "--family", "faces", "--videos", "4", "--frames", "6"]
    assert main([*args, "--size", "64", "--workers", "1", str(src)]) == 0
    out = tmp_path / "faces-occ"
    assert main(["data", "degrade", str(src), str(out), "--preset", "occlusion"]) == 0
    for split in ("train", "test"):
        before, after = VideoFolder(src, split), VideoFolder(out, split)
        assert [e.name for e in before] == [e.name for e in after]
        for a, b in zip(before, after):
            ta, tb = a.landmarks(), b.landmarks()
            np.testing.assert_array_equal(ta.landmarks, tb.landmarks)
            assert not (tb.visible & ~ta.visible).any()  # only ever hides landmarks
            assert b.open().frame_count == a.open().frame_count
    assert main(["data", "degrade", str(src), str(out), "--preset", "webcam"]) == 2  # not empty


def test_sudden_lighting_changes_are_lasting_steps_the_frames_follow() -> None:
    levels = lighting_levels(seed=2, frames=200, chance=0.1)
    changes = np.flatnonzero(np.diff(levels) != 0)
    assert 8 <= len(changes) <= 35  # about 20 expected
    ratios = levels[changes + 1] / levels[changes]
    assert np.all((np.abs(np.log(ratios)) >= np.log(1 / 0.8) - 1e-9) & (ratios <= 1 / 0.55 + 1e-9))
    assert levels.min() >= 0.4 - 1e-9 and levels.max() <= 1.6 + 1e-9
    flat = [np.full((32, 32, 3), 100, np.uint8)] * 60
    clip = degrade_clip(flat, CaptureParams(light_steps=0.1), seed=2)
    expected = lighting_levels(seed=2, frames=60, chance=0.1) * 100
    np.testing.assert_allclose([f.mean() for f in clip.frames], expected, atol=0.6)

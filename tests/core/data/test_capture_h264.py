"""H.264 at webcam bitrates: a deterministic clip-level stage for test splits, not training."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.config import ExperimentConfig, from_dict
from flowmark_core.data.capture import PRESETS, CaptureParams, degrade_clip
from flowmark_core.data.capture_h264 import h264_bitrate, h264_roundtrip
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import ConfigError


def _moving_clip(frames: int = 12, height: int = 47, width: int = 63) -> tuple[list, np.ndarray]:
    """A smoothly textured square moving right by 2 px/frame on an odd-sized frame; its corners
    are the landmarks."""
    rng = np.random.default_rng(0)
    coarse = rng.integers(30, 230, size=(5, 5, 3)).astype(np.uint8)
    texture = cv2.resize(coarse, (20, 20), interpolation=cv2.INTER_LINEAR)
    out, marks = [], []
    for t in range(frames):
        img = np.full((height, width, 3), 120, np.uint8)
        img[:, : width // 3] = (60, 140, 90)
        x = 8 + 2 * t
        img[14:34, x : x + 20] = texture
        out.append(img)
        marks.append([[x, 14], [x + 19, 14], [x, 33], [x + 19, 33]])
    return out, np.asarray(marks, np.float32)


def _error(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(np.mean([np.abs(x.astype(np.int16) - y).mean() for x, y in zip(a, b)]))


def test_webcam_h264_is_deterministic_per_seed_and_keeps_count_and_size() -> None:
    frames, marks = _moving_clip()
    a = degrade_clip(frames, "webcam-h264", seed=7, landmarks=marks)
    b = degrade_clip(frames, "webcam-h264", seed=7, landmarks=marks)
    c = degrade_clip(frames, "webcam-h264", seed=8, landmarks=marks)
    assert len(a.frames) == len(frames)
    assert all(f.shape == (47, 63, 3) and f.dtype == np.uint8 for f in a.frames)
    for x, y in zip(a.frames, b.frames):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, z) for x, z in zip(a.frames, c.frames))


def test_h264_changes_the_frames_and_lower_bitrates_lose_more() -> None:
    frames, _ = _moving_clip(height=95, width=127)
    errors = [_error(degrade_clip(frames, CaptureParams(h264_kbps=k), seed=0).frames, frames)
              for k in (400.0, 800.0, 8000.0)]  # fmt: skip
    assert errors[0] > errors[1] > errors[2] > 0.2  # a no-op stage would give 0


def test_h264_keeps_landmarks_and_their_visibility() -> None:
    frames, marks = _moving_clip()
    visible = np.ones(marks.shape[:2], bool)
    visible[3, 2] = False
    clip = degrade_clip(frames, "webcam-h264", seed=1, landmarks=marks.copy(), visible=visible)
    np.testing.assert_array_equal(clip.visible, visible)
    np.testing.assert_array_equal(marks, _moving_clip()[1])


def test_bitrate_is_scaled_by_pixel_count_from_640x480() -> None:
    assert h264_bitrate(400.0, 640, 480) == 400_000
    assert h264_bitrate(400.0, 128, 128) == 21_000  # 21.3 kbit/s, whole kbit/s for x264
    assert h264_bitrate(1.0, 16, 16) == 1000  # at least 1 kbit/s
    assert PRESETS["webcam-h264"].h264_kbps == 400.0
    assert PRESETS["webcam-h264"].jpeg_quality is None


def test_roundtrip_at_a_generous_bitrate_is_close_and_unbiased() -> None:
    y, x = np.mgrid[0:47, 0:63]
    still = np.stack([x * 3 + 20, y * 4 + 30, 200 - x * 2], -1).astype(np.uint8)
    out = h264_roundtrip([still] * 5, kbps=20_000.0, gop=60, fps=25.0)
    assert len(out) == 5 and out[0].shape == still.shape
    diff = np.stack(out).astype(np.float64) - still
    assert np.abs(diff).mean() < 1.0
    # The RGB <-> YUV conversions round exactly (the default darkens by one level).
    assert np.abs(diff.mean(axis=(0, 1, 2))).max() < 0.2
    assert h264_roundtrip([], kbps=400.0, gop=60, fps=25.0) == []


def test_bad_h264_parameters_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="h264_kbps"):
        CaptureParams(h264_kbps=0.0)
    with pytest.raises(ConfigError, match="h264_gop"):
        CaptureParams(h264_kbps=400.0, h264_gop=0)


def test_training_augmentation_refuses_the_h264_preset() -> None:
    message = (r"^data.capture_preset: got 'webcam-h264', expected one of webcam, lowlight, "
               r"lighting, occlusion$")  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        from_dict(ExperimentConfig, {"data": {"capture_preset": "webcam-h264"}})


def test_ffmpeg_without_libx264_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho ' V....D libopenh264   OpenH264 H.264'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    assert main(["data", "degrade", str(tmp_path / "in"), str(out), "--preset", "webcam-h264"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "has no libx264 encoder" in err and str(fake) in err
    assert not out.exists()


def test_data_degrade_webcam_h264_end_to_end(tmp_path: Path) -> None:
    src = tmp_path / "faces"
    args = ["data", "synth", "--family", "faces", "--videos", "3", "--frames", "6"]
    assert main([*args, "--size", "64", "--workers", "1", str(src)]) == 0
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main(["data", "degrade", str(src), str(out), "--preset", "webcam-h264"]) == 0
    meta = json.loads((outs[0] / "dataset.json").read_text())
    assert meta["preset"] == "webcam-h264" and meta["capture"]["h264_kbps"] == 400.0
    for split in ("train", "test"):
        clean, a, b = (VideoFolder(root, split) for root in (src, *outs))
        assert [e.name for e in clean] == [e.name for e in a] == [e.name for e in b]
        for c, x, y in zip(clean, a, b):
            np.testing.assert_array_equal(c.landmarks().landmarks, x.landmarks().landmarks)
            before, after, again = (list(e.open()) for e in (c, x, y))
            assert len(after) == len(before) and after[0].shape == before[0].shape
            assert _error(after, before) > 1.0
            for p, q in zip(after, again):
                np.testing.assert_array_equal(p, q)
    png = sorted((outs[0] / "test").iterdir())[0] / "000000.png"
    assert cv2.imread(str(png)).shape == (64, 64, 3)

"""Fault campaign 3, RC6 (in part): adapt and train-prior's track extraction read a whole
clip into memory (360-610 MB/s on a 20-minute 640x480 clip, an OOM kill on most machines).
They now decode it frame by frame and hold only model-size frames (and, for adapt's face
search, at most 20 full frames). Measured with tracemalloc on a 100-frame 640x480 clip,
92 MB of RGB frames: the peak must stay well under that."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.io.video_writer import VideoWriter

FRAMES, HEIGHT, WIDTH = 100, 480, 640
WHOLE_CLIP_MB = FRAMES * HEIGHT * WIDTH * 3 / 2**20  # 88 MB


@pytest.fixture(scope="module")
def long_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROOT/train/clip.mp4 (and test/): 100 frames of a moving gradient, 640x480."""
    root = tmp_path_factory.mktemp("long")
    ramp = np.linspace(0, 255, WIDTH, dtype=np.float32)[None, :, None]
    base = np.broadcast_to(ramp, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    for split in ("train", "test"):
        (root / split).mkdir()
        with VideoWriter(root / split / "clip.mp4", fps=25) as writer:
            for t in range(FRAMES):
                writer.write(np.roll(base, 5 * t, axis=1))
    return root


def _peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_adapt_reads_its_clip_frame_by_frame(long_data: Path) -> None:
    from flowmark_core.adapt.clip import read_adapt_clip

    clip_path = long_data / "train" / "clip.mp4"
    peak = _peak_mb(lambda: read_adapt_clip(clip_path, 32, face_crop=False))
    assert peak < WHOLE_CLIP_MB / 2, f"peak {peak:.0f} MB for a {WHOLE_CLIP_MB:.0f} MB clip"


def test_track_extraction_reads_its_clips_frame_by_frame(kit: Path, long_data: Path) -> None:
    from flowmark_core.checkpoints import load_checkpoint
    from flowmark_core.motion_prior.tracks import extract_tracks

    model, _ = load_checkpoint(kit / "model.safetensors")
    tracks: list[object] = []
    peak = _peak_mb(lambda: tracks.append(extract_tracks(model, long_data, "train")))
    assert len(tracks[0]) == 1 and int(tracks[0].lengths[0]) == FRAMES  # type: ignore[attr-defined]
    assert peak < WHOLE_CLIP_MB / 2, f"peak {peak:.0f} MB for a {WHOLE_CLIP_MB:.0f} MB clip"

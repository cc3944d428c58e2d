"""Fault campaign 3, RC6: evaluate on a folder of videos, data degrade, adapt and
train-prior's track extraction read a whole clip into memory (360-760 MB/s on a 20-minute
640x480 clip, an OOM kill on most machines). They now decode it frame by frame and hold only
model-size frames or per-frame numbers (adapt's face search: at most 20 full frames;
evaluate's crop search: the first 10). Measured with tracemalloc on a 100-frame 640x480
clip, 88 MB of RGB frames: the peak must stay well under that (each test failed, at about
the whole clip, on the code that read it whole)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
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


def test_evaluate_on_a_folder_of_videos_reads_each_clip_frame_by_frame(
    kit: Path, long_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 frames evaluated (the old code held them all, 35 MB); the crop search keeps 10."""
    from flowmark_core.errors import FlowmarkError
    from flowmark_core.evaluation import EvalOptions, no_truth

    def no_mesh(*_args: object, **_kwargs: object) -> None:
        raise FlowmarkError("no face mesh in this test")  # its import alone is ~40 MB

    monkeypatch.setattr(no_truth, "MediaPipeReference", no_mesh)
    model, frames = kit / "model.safetensors", 40
    options = EvalOptions(stabilizers=("none",), face_metrics=False, max_frames=frames)
    warm = EvalOptions(stabilizers=("none",), face_metrics=False, max_frames=2)
    no_truth.evaluate_clips(long_data / "train", [model], warm, use_reference=False)  # imports
    results: list[object] = []

    def run() -> None:
        results.append(no_truth.evaluate_clips(long_data / "train", [model], options, False))

    peak = _peak_mb(run)
    assert results[0].rows[0].frames == frames  # type: ignore[attr-defined]
    held = frames * HEIGHT * WIDTH * 3 / 2**20
    assert peak < held / 2, f"peak {peak:.0f} MB for {held:.0f} MB of frames"


def test_data_degrade_reads_each_clip_frame_by_frame(long_data: Path, tmp_path: Path) -> None:
    from flowmark_core.data.capture_split import degrade_dataset

    peak = _peak_mb(lambda: degrade_dataset(long_data / "train", tmp_path / "out", "webcam"))
    assert len(list((tmp_path / "out" / "clip").glob("*.png"))) == FRAMES
    assert peak < WHOLE_CLIP_MB / 2, f"peak {peak:.0f} MB for a {WHOLE_CLIP_MB:.0f} MB clip"


def test_the_h264_stage_streams_the_same_frames_as_the_whole_clip_round_trip() -> None:
    """`data degrade --preset webcam-h264` runs its H.264 stage as a stream now (one encoder
    piped into one decoder); frame for frame it must give what the whole-clip round trip
    gives."""
    from flowmark_core.data.capture_h264 import h264_roundtrip, h264_stream
    from flowmark_core.errors import ConfigError

    rng = np.random.default_rng(3)
    base = (rng.random((31, 45, 3)) * 255).astype(np.uint8)  # odd sizes: padded, cropped
    frames = [np.roll(base, 2 * t, axis=1) for t in range(12)]
    try:
        whole = h264_roundtrip(frames, 400.0, 5, 25.0)
    except ConfigError as exc:  # ffmpeg without libx264
        pytest.skip(str(exc))
    streamed = list(h264_stream(iter(frames), 400.0, 5, 25.0))
    assert len(streamed) == len(whole) == 12
    assert all(np.array_equal(a, b) for a, b in zip(whole, streamed))


def test_an_error_of_the_frames_reaches_the_h264_streams_reader() -> None:
    from flowmark_core.data.capture_h264 import h264_stream
    from flowmark_core.errors import ConfigError, InputFileError

    def frames() -> Iterator[np.ndarray]:
        for _ in range(3):
            yield np.zeros((16, 16, 3), np.uint8)
        raise InputFileError("clip.mp4: decoding stops at frame 3")

    got = []
    with pytest.raises((InputFileError, ConfigError)) as caught:
        for frame in h264_stream(frames(), 400.0, 5, 25.0):
            got.append(frame)
    if caught.type is ConfigError:
        pytest.skip(str(caught.value))
    assert len(got) == 3 and "frame 3" in str(caught.value)

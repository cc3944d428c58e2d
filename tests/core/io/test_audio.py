"""The driving clip's sound under a written video: trimmed to the frames, re-timed, or
dropped with a note."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.io.audio import AudioSource, has_audio_stream, tempo_filter
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from tests.core.io.sound import RATE, decoded_audio, loudness, tone_clip

FPS = 25.0
FRAME_S = 1.0 / FPS


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s at 25 fps: silent for the first second, a tone after it."""
    return tone_clip(tmp_path_factory.mktemp("sound") / "tone.mp4", 3.0, FPS, silent_first=1.0)


def write(path: Path, frames: int, fps: float, audio: AudioSource) -> VideoWriter:
    frame = np.full((48, 64, 3), 90, np.uint8)
    with VideoWriter(path, fps=fps, audio=audio) as writer:
        for _ in range(frames):
            writer.write(frame)
    return writer


def test_the_sound_is_cut_to_the_written_frames_from_their_start(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    writer = write(out, 30, FPS, AudioSource(clip, start=0.6))  # 1.2 s from 0.6 s
    samples = decoded_audio(out)
    assert writer.audio_note == "" and samples is not None
    assert abs(len(samples) / RATE - 30 * FRAME_S) <= FRAME_S
    # The clip's tone starts at 1.0 s: 0.4 s into the output, not at its start.
    assert loudness(samples, 0.0, 0.3) < 0.02 < 0.2 < loudness(samples, 0.5, 1.1)
    assert len(list(open_video(out))) == 30
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_frames_played_faster_keep_their_sound_in_step(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "fast.mp4"
    # 50 frames of the clip (2 s) written at 50 fps: 1 s of output, the sound twice as fast.
    write(out, 50, 2 * FPS, AudioSource(clip, start=0.0, speed=2.0))
    samples = decoded_audio(out)
    assert samples is not None
    assert abs(len(samples) / RATE - 1.0) <= 1.0 / (2 * FPS) + 1e-3
    # The tone (at 1.0 s of the clip) now starts at 0.5 s of the output.
    assert loudness(samples, 0.05, 0.4) < 0.02 < 0.2 < loudness(samples, 0.6, 0.95)


def test_too_far_from_the_clip_speed_the_output_is_silent_with_a_note(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "slow.mp4"
    writer = write(out, 10, FPS, AudioSource(clip, speed=0.2))
    assert decoded_audio(out) is None
    assert "silent" in writer.audio_note and "tone.mp4" in writer.audio_note


def test_a_gif_has_no_sound_and_says_so(clip: Path, tmp_path: Path) -> None:
    writer = write(tmp_path / "out.gif", 5, FPS, AudioSource(clip))
    assert "gif has no sound" in writer.audio_note


def test_a_silent_clip_gives_a_silent_output_without_a_note(tmp_path: Path) -> None:
    silent = write(tmp_path / "silent.mp4", 5, FPS, AudioSource(tmp_path / "missing.mp4"))
    assert silent.audio_note == ""
    writer = write(tmp_path / "out.mp4", 5, FPS, AudioSource(silent.path))
    assert writer.audio_note == "" and not has_audio_stream(writer.path)


def test_tempo_chain_stays_in_atempo_range() -> None:
    stages = [float(s.split("=")[1]) for s in tempo_filter(5.0).split(",")]
    assert all(0.5 <= s <= 2.0 for s in stages) and np.prod(stages) == pytest.approx(5.0)

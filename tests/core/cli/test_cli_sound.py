"""`flowmark animate` / `reconstruct` keep the driving clip's sound."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowmark_core.cli.main import main
from flowmark_core.io.video_reader import open_video
from tests.core.io.sound import RATE, decoded_audio, tone_clip

REAL_CLIP = Path(__file__).resolve().parents[4] / "shared/data/real-faces/clips/3ddfa/obama.mp4"


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_clip(tmp_path_factory.mktemp("cli-sound") / "tone.mp4", 1.2, 25.0)


def _animate(media: dict[str, Path], driving: Path, out: Path, *extra: str) -> int:
    args = ["animate", str(media["source"]), str(driving), "-o", str(out)]
    return main([*args, "--model", str(media["model"]), "--size", "64", *extra])


def test_animate_keeps_the_sound_for_the_rendered_duration(
    media: dict[str, Path], tone: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    assert _animate(media, tone, out) == 0
    frames = len(list(open_video(out)))
    samples = decoded_audio(out)
    assert frames == 30 and samples is not None
    assert abs(len(samples) / RATE - frames / 25.0) <= 1 / 25.0


def test_animate_at_another_fps_keeps_the_sound_in_step(
    media: dict[str, Path], tone: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fast.mp4"
    assert _animate(media, tone, out, "--fps", "40") == 0
    samples = decoded_audio(out)
    assert samples is not None
    assert abs(len(samples) / RATE - 30 / 40.0) <= 1 / 40.0


def test_reconstruct_keeps_the_sound(media: dict[str, Path], tone: Path, tmp_path: Path) -> None:
    out = tmp_path / "rec.mp4"
    assert main(["reconstruct", str(tone), "-o", str(out), "--model", str(media["model"])]) == 0
    samples = decoded_audio(out)
    assert samples is not None and abs(len(samples) / RATE - 1.2) <= 1 / 25.0


def test_a_gif_output_says_it_has_no_sound(
    media: dict[str, Path], tone: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _animate(media, tone, tmp_path / "out.gif") == 0
    assert "gif has no sound" in capsys.readouterr().err


@pytest.mark.skipif(not REAL_CLIP.exists(), reason="real clips not in ../shared/data")
def test_a_real_talking_clip_keeps_its_voice(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "real.mp4"
    assert _animate(media, REAL_CLIP, out) == 0
    frames = open_video(out)
    count = len(list(frames))
    samples = decoded_audio(out)
    assert samples is not None and samples.std() > 1e-3
    assert abs(len(samples) / RATE - count / frames.fps) <= 1 / frames.fps

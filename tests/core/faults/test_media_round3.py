"""Fault campaign 3, RC13: a video corrupted or cut in the middle rendered short with exit 0
and no word. Now the frames decoded are counted against the frames the container's video
track presents (its duration, edit lists included, times the frame rate), and a video that
stops well short is refused in one line naming it, the frame where decoding stopped and the
stated count, unless `--accept-truncated` asks for the frames that decode (then a note says
so). A clip trimmed by an edit list (the real `3ddfa/obama.mp4` stores 158 frames and
presents 55) is not damaged: its count is 55 and it reads without a word."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.io.video_writer import VideoWriter
from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program

REAL_CLIP = Path(__file__).resolve().parents[4] / "shared/data/real-faces/clips/3ddfa/obama.mp4"


@pytest.fixture(scope="module")
def corrupt_mid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-frame mp4 of noise with 4 KB zeroed in the middle of the file."""
    folder = tmp_path_factory.mktemp("media")
    rng = np.random.default_rng(0)
    whole = folder / "whole.mp4"
    with VideoWriter(whole, fps=25) as writer:
        for _ in range(30):
            writer.write((rng.random((48, 48, 3)) * 255).astype(np.uint8))
    data = whole.read_bytes()
    half = len(data) // 2
    (folder / "corrupt_mid.mp4").write_bytes(data[:half] + bytes(4096) + data[half + 4096 :])
    return folder / "corrupt_mid.mp4"


def _argv(command: str, kit: Path, video: Path, out: Path) -> list[str]:
    inputs = [str(kit / "source.png")] if command == "animate" else []
    return [command, *inputs, str(video), "-o", str(out), "--model",
            str(kit / "model.safetensors")]  # fmt: skip


@pytest.mark.parametrize("command", ["animate", "reconstruct"])
def test_a_video_corrupt_in_the_middle_is_refused_in_one_line(
    command: str, kit: Path, corrupt_mid: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    capfd.readouterr()
    code = run_program("flowmark", _argv(command, kit, corrupt_mid, tmp_path / "out.mp4"))
    err = capfd.readouterr().err
    check_one_line_failure(err, code, 2, "corrupt_mid.mp4: decoding stops at frame ")
    assert "header states 30 frames" in err and "--accept-truncated" in err, err
    assert list(tmp_path.iterdir()) == []  # no output, no temporary


def test_accept_truncated_renders_the_frames_that_decode_with_a_note(
    kit: Path, corrupt_mid: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    from flowmark_core.io.video_reader import open_video

    argv = [*_argv("reconstruct", kit, corrupt_mid, tmp_path / "out.mp4"), "--accept-truncated"]
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    assert code == 0, err
    notes = [line for line in err.splitlines() if "corrupt_mid.mp4: using the" in line]
    assert len(notes) == 1 and "of the 30 its header states" in notes[0], err
    decoded = int(notes[0].split("using the ")[1].split()[0])
    assert 0 < decoded < 30
    assert sum(1 for _ in open_video(tmp_path / "out.mp4")) == decoded


def test_the_choice_is_the_readers_and_is_restored(corrupt_mid: Path) -> None:
    """One switch for every reader (so every command and worker), scoped to a block."""
    from flowmark_core.io.video_reader import (
        TruncatedVideoError,
        accepting_truncated_videos,
        open_video,
        truncated_videos_accepted,
    )

    before = truncated_videos_accepted()
    with accepting_truncated_videos():
        assert 0 < sum(1 for _ in open_video(corrupt_mid)) < 30
    assert truncated_videos_accepted() == before
    with accepting_truncated_videos(False), pytest.raises(TruncatedVideoError, match="frame"):
        sum(1 for _ in open_video(corrupt_mid))


def test_a_whole_video_reads_to_its_end(corrupt_mid: Path) -> None:
    from flowmark_core.io.video_reader import open_video

    assert sum(1 for _ in open_video(corrupt_mid.parent / "whole.mp4")) == 30


def _with_edit_list(src: Path, dst: Path, shown_seconds: float) -> None:
    """`src` with its video track's header duration cut to `shown_seconds` (as an edit list
    that presents part of the samples states it), samples untouched."""
    data = bytearray(src.read_bytes())
    moov = data.index(b"moov") - 4
    mvhd = data.index(b"mvhd", moov) + 4
    timescale = struct.unpack_from(">I", data, mvhd + 12)[0]  # version 0
    tkhd = data.index(b"tkhd", moov) + 4
    assert data[tkhd] == 0, "a version-0 tkhd is expected from our writer"
    struct.pack_into(">I", data, tkhd + 20, round(shown_seconds * timescale))
    dst.write_bytes(bytes(data))


def test_the_count_is_what_the_track_presents_not_the_samples_it_stores(
    corrupt_mid: Path, tmp_path: Path
) -> None:
    """The header's sample count (30) is not the count when the track presents 0.4 s."""
    from flowmark_core.io.mp4_header import video_track_seconds
    from flowmark_core.io.video_reader import open_video

    whole = corrupt_mid.parent / "whole.mp4"
    assert video_track_seconds(whole) == pytest.approx(30 / 25, abs=0.05)
    _with_edit_list(whole, tmp_path / "trimmed.mp4", 0.4)
    assert video_track_seconds(tmp_path / "trimmed.mp4") == pytest.approx(0.4)
    assert open_video(tmp_path / "trimmed.mp4").frame_count == 10
    assert video_track_seconds(tmp_path / "missing.mp4") is None
    (tmp_path / "text.mp4").write_text("not a video")
    assert video_track_seconds(tmp_path / "text.mp4") is None


@pytest.mark.skipif(not REAL_CLIP.exists(), reason="real clips not in ../shared/data")
def test_a_real_clip_trimmed_by_an_edit_list_reads_without_a_word(
    capfd: pytest.CaptureFixture,
) -> None:
    from flowmark_core.io.video_reader import accepting_truncated_videos, open_video

    reader = open_video(REAL_CLIP)
    assert reader.frame_count == 55  # 158 samples stored, 2.19 s presented at 25 fps
    capfd.readouterr()
    with accepting_truncated_videos(False):
        assert sum(1 for _ in reader) == 55
    assert capfd.readouterr().err == ""

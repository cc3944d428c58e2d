"""Fault campaign 3, RC13: a video corrupted in the middle rendered short with exit 0 and
no word; now the frames decoded are counted against the container's and the shortfall is
said in a note naming the file (not refused: some real clips' headers over-count)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.io.video_writer import VideoWriter
from tests.core.faults.test_bad_inputs import run_program


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


@pytest.mark.parametrize("command", ["animate", "reconstruct"])
def test_a_video_corrupt_in_the_middle_is_one_line(
    command: str, kit: Path, corrupt_mid: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    inputs = [str(kit / "source.png")] if command == "animate" else []
    argv = [command, *inputs, str(corrupt_mid), "-o", str(tmp_path / "out.mp4"), "--model",
            str(kit / "model.safetensors")]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    assert code == 0, err
    notes = [line for line in err.splitlines() if "corrupt_mid.mp4: only" in line]
    assert len(notes) == 1 and "of its 30 frames" in notes[0] and ": note: " in notes[0], err


def test_a_whole_video_reads_to_its_end(corrupt_mid: Path) -> None:
    from flowmark_core.io.video_reader import open_video

    assert sum(1 for _ in open_video(corrupt_mid.parent / "whole.mp4")) == 30

"""Video round trips (mp4, gif, frame folders), streaming memory and bad inputs."""

from __future__ import annotations

import subprocess
import tracemalloc
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import pytest

from flowmark_core.errors import InputFileError, OutputFileError
from flowmark_core.io.video_reader import is_video_path, open_video
from flowmark_core.io.video_writer import VideoWriter


def moving_frame(t: int, h: int = 48, w: int = 64) -> np.ndarray:
    """A smooth colour pattern drifting one pixel per frame (compresses well, easy to check)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 128 + 100 * np.sin((xs + t) / 9.0)
    g = 128 + 100 * np.cos((ys - t) / 11.0)
    b = 128 + 60 * np.sin((xs + ys) / 13.0)
    return np.stack([r, g, b], -1).astype(np.uint8)


def write_video(path: Path, frames: int, fps: float = 25.0, **kw: object) -> list[np.ndarray]:
    written = [moving_frame(t, **kw) for t in range(frames)]  # type: ignore[arg-type]
    with VideoWriter(path, fps=fps) as writer:
        for frame in written:
            writer.write(frame)
    return written


def test_mp4_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    written = write_video(path, 20, fps=30.0)
    reader = open_video(path)
    assert reader.fps == pytest.approx(30.0)
    assert reader.frame_count == 20 and reader.size == (64, 48)
    frames = list(reader)
    assert len(frames) == 20 and frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    errors = [np.abs(a.astype(int) - b).mean() for a, b in zip(frames, written)]
    assert max(errors) < 5.0  # yuv420p chroma subsampling alone costs ~3 on this pattern
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_mp4_random_access_matches_sequential(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    write_video(path, 40)
    reader = open_video(path)
    sequential = list(reader)
    picked = reader.read_frames([37, 2, 2, 20])
    for frame, index in zip(picked, [37, 2, 2, 20]):
        np.testing.assert_array_equal(frame, sequential[index])


def test_odd_size_mp4_is_padded_to_even(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    written = write_video(path, 5, h=33, w=47)
    reader = open_video(path)
    assert reader.size == (48, 34)
    first = next(iter(reader))
    assert np.abs(first[:33, :47].astype(int) - written[0]).mean() < 5.0


def test_writer_resizes_to_requested_size(tmp_path: Path) -> None:
    path = tmp_path / "small.mp4"
    with VideoWriter(path, fps=10, size=(32, 24)) as writer:
        for t in range(3):
            writer.write(moving_frame(t))
    assert open_video(path).size == (32, 24)


def test_gif_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    written = write_video(path, 12, fps=25.0)
    reader = open_video(path)
    frames = list(reader)
    assert len(frames) == 12 and reader.size == (64, 48)
    assert reader.fps == pytest.approx(25.0)
    errors = [np.abs(a.astype(int) - b).mean() for a, b in zip(frames, written)]
    assert max(errors) < 8.0


def test_frame_folder_is_sorted_naturally(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in (1, 2, 10, 3):
        cv2.imwrite(str(folder / f"f{t}.png"), np.full((16, 24, 3), t * 20, np.uint8))
    (folder / "notes.txt").write_text("ignored")
    reader = open_video(folder)
    assert reader.frame_count == 4 and reader.fps == 25.0 and reader.size == (24, 16)
    assert [int(f[0, 0, 0]) for f in reader] == [20, 40, 60, 200]
    assert [int(f[0, 0, 0]) for f in reader.read_frames([3, 0])] == [200, 20]
    assert is_video_path(folder) and is_video_path("x.webm") and not is_video_path("x.png")


def test_streaming_a_long_video_keeps_memory_bounded(tmp_path: Path) -> None:
    path = tmp_path / "long.mp4"
    frames, side = 3000, 64
    whole_video = frames * side * side * 3  # 36.9 MB if it were held in memory
    base = moving_frame(0, side, side)
    tracemalloc.start()
    try:
        with VideoWriter(path, fps=25) as writer:
            for t in range(frames):
                writer.write(np.roll(base, t, axis=1))
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        count, checksum = 0, 0
        for frame in open_video(path):
            count += 1
            checksum += int(frame[0, 0, 0])
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == frames and checksum > 0
    assert write_peak < whole_video / 10
    assert read_peak < whole_video / 10


def test_bad_video_inputs_name_the_file_and_problem(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nothing\.mp4: no such file"):
        open_video(tmp_path / "nothing.mp4")
    empty_dir = tmp_path / "empty_dir"
    empty_dir.mkdir()
    with pytest.raises(InputFileError, match="holds no frames"):
        open_video(empty_dir)
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"zero\.mp4: file is empty"):
        open_video(tmp_path / "zero.mp4")
    (tmp_path / "text.mp4").write_text("this is not a video\n" * 20)
    with pytest.raises(InputFileError, match=r"text\.mp4: not a video file"):
        open_video(tmp_path / "text.mp4")
    good = tmp_path / "cut.mp4"
    write_video(good, 30)
    good.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputFileError, match=r"cut\.mp4: video file is truncated or corrupt"):
        open_video(good)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputFileError, match=r"notes\.txt: unknown video extension.*\.mp4"):
        open_video(tmp_path / "notes.txt")


def test_video_without_frames_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audio_only.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
           "anullsrc=r=8000:cl=mono", "-t", "0.3", "-c:a", "aac", str(path)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    with pytest.raises(InputFileError, match=r"audio_only\.mp4: .*no video stream"):
        open_video(path)


def test_writer_rejects_unknown_extension_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match=r"\.avi.*allowed video extensions: \.mp4, \.gif"):
        VideoWriter(tmp_path / "out.avi", fps=25)
    with pytest.raises(OutputFileError, match="does not exist"):
        VideoWriter(tmp_path / "missing" / "out.mp4", fps=25)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputFileError, match="not a folder"):
        VideoWriter(blocker / "out.mp4", fps=25)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_interrupted_writer_leaves_nothing_and_keeps_old_file(
    tmp_path: Path, failure: type[BaseException]
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old contents")
    with pytest.raises(failure), VideoWriter(target, fps=25) as writer:
        for t in range(5):
            writer.write(moving_frame(t))
        raise failure("stop")
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_cancel_and_empty_writer_leave_nothing(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "cancelled.gif", fps=10)
    writer.write(moving_frame(0))
    writer.cancel()
    with (
        pytest.raises(OutputFileError, match="no frames were written"),
        VideoWriter(tmp_path / "empty.mp4", fps=10),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "ext,codec",
    [(".webm", "libvpx-vp9"), (".mkv", "libx264"), (".avi", "mjpeg"), (".mov", "libx264")],
)
def test_other_containers_are_read(tmp_path: Path, ext: str, codec: str) -> None:
    path = tmp_path / f"clip{ext}"
    encoder = imageio_ffmpeg.write_frames(str(path), (64, 48), fps=20, codec=codec,
                                          macro_block_size=1, ffmpeg_log_level="error")  # fmt: skip
    encoder.send(None)
    written = [moving_frame(t) for t in range(6)]
    for frame in written:
        encoder.send(frame)
    encoder.close()
    reader = open_video(path)
    frames = list(reader)
    assert reader.size == (64, 48) and reader.fps == pytest.approx(20.0)
    assert len(frames) == 6
    assert np.abs(frames[3].astype(int) - written[3]).mean() < 8.0

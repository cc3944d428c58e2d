"""Writing an animated video: the output checks and the frame loop shared by the commands."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from flowmark_core.cli.common import note, progress_bar
from flowmark_core.errors import OutputFileError

if TYPE_CHECKING:
    from flowmark_core.io.video_base import VideoReader

#: = flowmark_core.io.video_writer.WRITABLE_VIDEO_EXTENSIONS (that module imports OpenCV).
VIDEO_OUTPUT_EXTENSIONS: tuple[str, ...] = (".mp4", ".gif")


def check_video_output(path: str, *inputs: str) -> None:
    """Fail early (before any work) on an unknown extension, an unwritable folder, or an
    output that is one of `inputs` (same file, also through links)."""
    from flowmark_core.io.atomic import check_writable_dir, refuse_output_over_input

    if Path(path).suffix.lower() not in VIDEO_OUTPUT_EXTENSIONS:
        raise OutputFileError(
            f"{path}: unknown output extension; expected one of "
            f"{', '.join(VIDEO_OUTPUT_EXTENSIONS)}"
        )
    check_writable_dir(Path(path))
    refuse_output_over_input(path, *inputs)


def write_outputs(
    stream: Iterable,
    frames_source: VideoReader,
    driving: str,
    output: str,
    fps: float,
    size: int | None,
) -> int:
    """Write every result's `output` frame, with the driving clip's sound; the count."""
    from flowmark_core.io.audio import AudioSource
    from flowmark_core.io.video_writer import VideoWriter

    total = frames_source.frame_count
    out_size = None if size is None else (size, size)
    # Every driving frame is written, from the first: the sound from 0 s, re-timed when
    # --fps plays the frames at another rate than the clip's.
    sound = AudioSource(Path(driving), 0.0, speed=fps / frames_source.fps)
    bar = progress_bar(total, "rendering")
    count = 0
    try:
        with VideoWriter(output, fps=fps, size=out_size, audio=sound) as writer:
            for result in stream:
                writer.write(result.output)
                count += 1
                bar.update(1)
    finally:
        bar.close()
    if writer.audio_note:
        note(writer.audio_note)
    return count

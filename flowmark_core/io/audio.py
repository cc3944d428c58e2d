"""The driving clip's sound under a written video: probe it, trim it, mux it (mp4 only).

Every output that is rendered from a driving file (`flowmark animate`, `reconstruct`, the
app's export and camera recordings of a file) keeps its sound through this one module:
`VideoWriter` encodes the frames first, then `mux_audio` runs the bundled ffmpeg once more
to copy the video stream (`-c:v copy`) and add the clip's first audio stream, cut to the
part the frames show (`AudioSource.start`, the written duration) and re-encoded as AAC. When
the frames play faster or slower than the clip (another `--fps`, a camera that fell behind
a stand-in file) the sound is re-timed by the same factor (`atempo`, pitch kept), so sound
and picture stay together; beyond `MIN_SPEED`..`MAX_SPEED` it is dropped with a note.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

#: Re-timing factors the sound is kept at (beyond them speech is not worth hearing).
MIN_SPEED, MAX_SPEED = 0.5, 2.0
#: Formats that carry sound (GIF has none).
AUDIO_SUFFIXES = (".mp4",)
_AUDIO_STREAM = re.compile(r"Stream #\d+:\d+[^:]*: Audio:")


@dataclass(frozen=True)
class AudioSource:
    """The sound a written video should carry.

    Attributes:
        path: the driving clip whose first audio stream is used.
        start: seconds into the clip where the first written frame was taken.
        speed: clip seconds per written second (1.0: the frames play at the clip's rate).
        loop: the clip was played in a loop (a file standing in for a camera).
    """

    path: Path
    start: float = 0.0
    speed: float = 1.0
    loop: bool = False


def has_audio_stream(path: Path) -> bool:
    """True when `path` is a file with at least one audio stream (ffmpeg's own probe)."""
    if not Path(path).is_file():
        return False
    try:
        probe = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            check=False,
            start_new_session=True,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return _AUDIO_STREAM.search(probe.stderr) is not None


def tempo_filter(speed: float) -> str:
    """An `atempo` chain playing sound `speed` times as fast (each stage within 0.5..2)."""
    stages: list[float] = []
    rest = float(speed)
    while rest > 2.0:
        stages.append(2.0)
        rest /= 2.0
    while rest < 0.5:
        stages.append(0.5)
        rest /= 0.5
    stages.append(rest)
    return ",".join(f"atempo={s:.6f}" for s in stages)


def skip_reason(output: Path, audio: AudioSource) -> str | None:
    """Why the sound of `audio` cannot go into `output`, or None when it can (and exists).

    An empty string means "nothing to say": the clip has no sound.
    """
    if not has_audio_stream(audio.path):
        return ""
    if output.suffix.lower() not in AUDIO_SUFFIXES:
        return f"{output.name}: a {output.suffix.lstrip('.')} has no sound; choose mp4 to keep it"
    if not MIN_SPEED <= audio.speed <= MAX_SPEED:
        return (
            f"{output.name}: silent: its frames play at {audio.speed:.2f}x the speed of "
            f"{audio.path.name}, outside {MIN_SPEED}x..{MAX_SPEED}x where its sound is kept"
        )
    return None


def mux_audio(video: Path, audio: AudioSource, duration: float, output: Path) -> str | None:
    """Write `output`: `video`'s stream copied plus `duration` s of `audio`; None on success,
    else ffmpeg's first error line (the caller keeps the silent video).

    `video` and `output` are file names ffmpeg can write (mp4); `output` must not exist
    or be a temporary the caller owns.
    """
    clip_seconds = duration * audio.speed
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    cmd += ["-i", str(video)]
    if audio.loop:
        cmd += ["-stream_loop", "-1"]
    cmd += [
        "-ss",
        f"{max(audio.start, 0.0):.6f}",
        "-t",
        f"{clip_seconds:.6f}",
        "-i",
        str(audio.path),
    ]
    cmd += ["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy"]
    if abs(audio.speed - 1.0) > 1e-6:
        cmd += ["-filter:a", tempo_filter(audio.speed)]
    cmd += ["-c:a", "aac", "-b:a", "128k", "-t", f"{duration:.6f}"]
    cmd += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", check=False,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        return f"ffmpeg could not start ({exc.strerror})"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        first = lines[0].strip()[:160] if lines else ""
        return f"ffmpeg exit status {done.returncode}" + (f": {first}" if first else "")
    return None

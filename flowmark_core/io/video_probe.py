"""Say precisely why a video file cannot be read (only called once opening has failed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

# Leading bytes of the containers we read, and where in the file they sit.
_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"), (4, b"moov"), (4, b"mdat"), (4, b"free"), (4, b"wide"), (4, b"skip"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska / WebM
    (0, b"RIFF"),  # AVI
    (0, b"GIF87a"), (0, b"GIF89a"),
)  # fmt: skip


def has_video_signature(path: Path) -> bool:
    """True when the file starts like an mp4/mov, mkv/webm, avi or gif file."""
    with open(path, "rb") as f:
        head = f.read(16)
    return any(head[offset : offset + len(sig)] == sig for offset, sig in _SIGNATURES)


def explain_unreadable_video(path: Path) -> str:
    """A short reason, e.g. "truncated or corrupt", for a file OpenCV could not open."""
    if not has_video_signature(path):
        return "not a video file (its contents are not mp4/mov, mkv/webm, avi or gif)"
    try:
        probe = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "cannot be decoded as a video"
    log = probe.stderr
    if "moov atom not found" in log or "Invalid data found" in log or "Error opening" in log:
        return "video file is truncated or corrupt"
    if "Video:" not in log:
        return "file contains no video stream (no frames)"
    return "video has no frames that can be decoded"

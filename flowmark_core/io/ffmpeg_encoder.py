"""One ffmpeg process fed raw RGB frames through a pipe, whose exit status is checked.

imageio-ffmpeg's writer does not report ffmpeg's exit status when it closes, so a full disk
ended in "success" and an unplayable file. This encoder waits for ffmpeg, reads its exit
status and keeps its (short, `-loglevel error`) log in a temporary file for the message.
ffmpeg runs in its own session: a Ctrl-C or a SIGTERM to our process group reaches only us,
and we stop ffmpeg ourselves (so an interrupt is reported as an interrupt, not as a broken
encoder).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import imageio_ffmpeg
import numpy as np


class EncoderFailed(Exception):
    """ffmpeg stopped early or exited with an error; `reason` is its first log line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FfmpegEncoder:
    """Encode (H, W, 3) uint8 RGB frames of one size into `path` with `codec_args`."""

    def __init__(
        self, path: Path, size: tuple[int, int], fps: float, codec_args: list[str]
    ) -> None:
        width, height = size
        rate = Fraction(fps).limit_denominator(1001)
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-r", str(rate), "-i", "pipe:0",
            *codec_args, str(path),
        ]  # fmt: skip
        self.size = (width, height)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as ffmpeg)
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )

    def write(self, frame: np.ndarray) -> None:
        """Send one frame; raises `EncoderFailed` when ffmpeg is gone."""
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).data.cast("B"))
        except (BrokenPipeError, OSError):
            self._proc.wait()
            raise EncoderFailed(self._reason()) from None

    def finish(self) -> None:
        """Close the pipe and wait for ffmpeg; raises `EncoderFailed` unless it exited 0."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError):
            self._proc.stdin.close()
        code = self._proc.wait()
        if code != 0:
            raise EncoderFailed(self._reason())
        self._log.close()

    def kill(self) -> None:
        """Stop ffmpeg at once (the caller removes the partial file)."""
        with contextlib.suppress(OSError):
            self._proc.kill()
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        self._proc.wait()
        self._log.close()

    def _reason(self) -> str:
        code = self._proc.returncode
        try:
            self._log.seek(0)
            lines = self._log.read(4096).decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            lines = []
        first = lines[0].strip()[:160] if lines else ""
        return f"ffmpeg exit status {code}" + (f": {first}" if first else "")

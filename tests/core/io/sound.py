"""Test helpers for sound: a clip with a tone made by ffmpeg, and the decoded audio of a file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

RATE = 8000  # samples per second of the decoded audio


def tone_clip(path: Path, seconds: float, fps: float = 25.0, silent_first: float = 0.0) -> Path:
    """An mp4 of a moving test pattern with a 440 Hz tone, silent for `silent_first` s."""
    tone = f"aevalsrc=if(lt(t\\,{silent_first})\\,0\\,0.5*sin(2*PI*440*t)):s=44100:d={seconds}"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size=64x64:rate={fps}:duration={seconds}",
            "-f", "lavfi", "-i", tone,
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def decoded_audio(path: Path) -> np.ndarray | None:
    """The first audio stream of `path` as mono float samples at `RATE`, None without one."""
    done = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
            "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-",
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    return np.frombuffer(done.stdout, np.int16).astype(np.float32) / 32768.0


def loudness(samples: np.ndarray, start_s: float, end_s: float) -> float:
    """Root mean square of the samples between two times."""
    part = samples[int(start_s * RATE) : int(end_s * RATE)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0

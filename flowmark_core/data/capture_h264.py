"""H.264 at webcam bitrates: a clip-level capture stage (test splits, not training samples).

A whole clip is encoded with ffmpeg's libx264 as a low-latency webcam stream would be
(`-preset veryfast -tune zerolatency`: no B-frames, no look-ahead; constant bitrate through
-b:v = -maxrate and a half-second buffer; 4:2:0 chroma; a keyframe every `gop` frames, no
scene-cut keyframes; QP at most 51, so a starved frame is coarse rather than blank, and the
rate overshoots on tiny clips) and decoded back to RGB, all through pipes in memory. The
bitrate is given for a 640x480 frame and scaled by the clip's pixel count (the same bits per
pixel), at the clip's own frame rate. One encoder thread and fixed settings make the result
depend on the input frames only. Odd sizes are padded to even by repeating the edge and cropped back,
so frame count and size are kept exactly.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Sequence
from fractions import Fraction

import imageio_ffmpeg
import numpy as np

from flowmark_core.errors import ConfigError

#: The frame size `CaptureParams.h264_kbps` refers to.
REFERENCE_PIXELS = 640 * 480


def h264_bitrate(kbps: float, width: int, height: int) -> int:
    """Bits per second for a `width` x `height` clip: `kbps` at 640x480, scaled by pixels.

    Rounded to whole kbit/s (x264 takes kbit/s), at least 1 kbit/s.
    """
    return max(1, round(kbps * width * height / REFERENCE_PIXELS)) * 1000


@functools.lru_cache(maxsize=4)
def _has_libx264(exe: str) -> bool:
    try:
        listing = subprocess.run(
            [exe, "-hide_banner", "-nostdin", "-encoders"],
            capture_output=True,
            check=False,
            start_new_session=True,
        )
    except OSError:  # not there, not executable
        return False
    return any(line.split()[1:2] == [b"libx264"] for line in listing.stdout.splitlines())


def check_h264() -> str:
    """The ffmpeg executable, if it has libx264; else a one-line `ConfigError`."""
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    if not _has_libx264(exe):
        raise ConfigError(
            f"capture h264: ffmpeg {exe} has no libx264 encoder; expected an ffmpeg built with "
            "libx264 (set IMAGEIO_FFMPEG_EXE to one)"
        )
    return exe


def _run(cmd: list[str], data: bytes) -> bytes:
    """Run one ffmpeg on `data` (stdin) and return its stdout; RuntimeError if it fails."""
    done = subprocess.run(cmd, input=data, capture_output=True, check=False,
                          start_new_session=True)  # fmt: skip
    if done.returncode != 0:
        log = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"ffmpeg exit status {done.returncode}: {log[0] if log else ''}")
    return done.stdout


def h264_roundtrip(
    frames: Sequence[np.ndarray], kbps: float, gop: int, fps: float
) -> list[np.ndarray]:
    """Encode a clip as a webcam's H.264 stream at `kbps` (640x480-equivalent) and decode it.

    Shape:
        frames: T x (H, W, 3) uint8 RGB, one size; output: the same.
    """
    if not frames:
        return []
    exe = check_h264()
    h, w = frames[0].shape[:2]
    ph, pw = h + h % 2, w + w % 2
    clip = np.stack(frames)
    if (ph, pw) != (h, w):
        clip = np.pad(clip, ((0, 0), (0, ph - h), (0, pw - w), (0, 0)), mode="edge")
    rate = h264_bitrate(kbps, w, h)
    # Exact rounding in the RGB <-> YUV conversions (the default darkens by one level).
    scale = ["-sws_flags", "bicubic+accurate_rnd+full_chroma_int+bitexact"]
    quiet = [exe, "-hide_banner", "-nostdin", "-loglevel", "error"]
    encode = [
        *quiet, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{pw}x{ph}",
        "-r", str(Fraction(fps).limit_denominator(1001)), "-i", "pipe:0", *scale,
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-threads", "1",
        # Constant bitrate, half a second of buffer.
        "-b:v", str(rate), "-maxrate", str(rate), "-bufsize", str(max(1, rate // 2)),
        # Keyframes every `gop` frames only; QP capped at H.264's 51 as real-time encoders
        # do (x264 allows 69, where a starved frame comes out flat grey).
        "-g", str(gop), "-sc_threshold", "0", "-qmax", "51",
        "-pix_fmt", "yuv420p", "-f", "h264", "pipe:1",
    ]  # fmt: skip
    decode = [
        *quiet, "-threads", "1", "-f", "h264", "-i", "pipe:0", *scale, "-fps_mode", "passthrough",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip
    raw = _run(decode, _run(encode, np.ascontiguousarray(clip).tobytes()))
    if len(raw) != clip.nbytes:
        raise RuntimeError(
            f"H.264 round trip returned {len(raw) // (ph * pw * 3)} frames, expected {len(frames)}"
        )
    out = np.frombuffer(raw, np.uint8).reshape(clip.shape)[:, :h, :w]
    return [np.array(f) for f in out]

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

import contextlib
import functools
import itertools
import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
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


def _commands(exe: str, width: int, height: int, kbps: float, gop: int, fps: float
              ) -> tuple[list[str], list[str]]:  # fmt: skip
    """The encoder and decoder command lines for frames of (even) `width` x `height`."""
    rate = h264_bitrate(kbps, width, height)
    # Exact rounding in the RGB <-> YUV conversions (the default darkens by one level).
    scale = ["-sws_flags", "bicubic+accurate_rnd+full_chroma_int+bitexact"]
    quiet = [exe, "-hide_banner", "-nostdin", "-loglevel", "error"]
    encode = [
        *quiet, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
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
    return encode, decode


def _padded(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    h, w = frame.shape[:2]
    if (h, w) == (height, width):
        return np.ascontiguousarray(frame)
    return np.pad(frame, ((0, height - h), (0, width - w), (0, 0)), mode="edge")


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
    clip = np.stack([_padded(f, ph, pw) for f in frames])
    encode, decode = _commands(exe, pw, ph, kbps, gop, fps)
    raw = _run(decode, _run(encode, np.ascontiguousarray(clip).tobytes()))
    if len(raw) != clip.nbytes:
        raise RuntimeError(
            f"H.264 round trip returned {len(raw) // (ph * pw * 3)} frames, expected {len(frames)}"
        )
    out = np.frombuffer(raw, np.uint8).reshape(clip.shape)[:, :h, :w]
    return [np.array(f) for f in out]


def h264_stream(
    frames: Iterable[np.ndarray], kbps: float, gop: int, fps: float
) -> Iterator[np.ndarray]:
    """`h264_roundtrip` one frame at a time: the same frames, without holding the clip.

    The frames go to one encoder through a pipe (from a thread, so that a decoder holding
    frames back cannot stall the writer), its H.264 stream straight into one decoder, whose
    frames come out as they are decoded. An error of the input iterator is raised here
    once the frames before it are out; leaving early stops both processes.

    Shape:
        frames: T x (H, W, 3) uint8 RGB, one size; output: the same.
    """
    source = iter(frames)
    first = next(source, None)
    if first is None:
        return
    exe = check_h264()
    h, w = first.shape[:2]
    ph, pw = h + h % 2, w + w % 2
    encode_cmd, decode_cmd = _commands(exe, pw, ph, kbps, gop, fps)
    encoder = subprocess.Popen(encode_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    decoder = subprocess.Popen(decode_cmd, stdin=encoder.stdout, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    assert encoder.stdin is not None and encoder.stdout is not None
    assert decoder.stdout is not None
    encoder.stdout.close()  # the decoder holds it now
    written = [0]
    failure: list[BaseException] = []

    def feed() -> None:
        stdin = encoder.stdin
        assert stdin is not None
        try:
            for frame in itertools.chain([first], source):
                if frame.shape[:2] != (h, w):
                    raise ValueError(f"frame {written[0]} is {frame.shape[:2]}, not {(h, w)}")
                stdin.write(_padded(frame, ph, pw).tobytes())
                written[0] += 1
        except BrokenPipeError:  # the encoder stopped (or was stopped): said below
            pass
        except BaseException as exc:  # the input's own error, raised by the reader side
            failure.append(exc)
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    feeder = threading.Thread(target=feed, name="h264-feed", daemon=True)
    feeder.start()
    size = ph * pw * 3
    read = 0
    try:
        while True:
            raw = decoder.stdout.read(size)
            if len(raw) < size:
                break
            read += 1
            yield np.frombuffer(raw, np.uint8).reshape(ph, pw, 3)[:h, :w].copy()
        feeder.join()
        if failure:
            raise failure[0]
        codes = encoder.wait(), decoder.wait()
        if any(codes):
            proc = encoder if codes[0] else decoder
            assert proc.stderr is not None
            log = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"ffmpeg exit status {max(codes)}: {log[0] if log else ''}")
        if read != written[0]:
            raise RuntimeError(f"H.264 round trip returned {read} frames, expected {written[0]}")
    finally:
        for proc in (encoder, decoder):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        feeder.join(timeout=5)

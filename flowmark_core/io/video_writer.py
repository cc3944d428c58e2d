"""Streaming, atomic video output: H.264 mp4 (yuv420p) or GIF through ffmpeg.

Frames go straight to an ffmpeg process as they come. The file is written under a temporary
name beside the target and renamed only when `close()` succeeds and ffmpeg exited with
status 0; an exception, Ctrl-C or `cancel()` removes it, and an existing file at the target
is left untouched. A full disk is reported as "no space left on <folder>".

GIFs are streamed with bounded memory: each frame gets its own palette
(`palettegen=stats_mode=single` + `paletteuse=new=1`) instead of one palette computed from
all frames, which made ffmpeg buffer every frame (about 1.5 MB a frame at 512 px).

With `audio` (set at construction or before `close()`), an mp4 also gets the driving
clip's sound, cut to the written frames (`flowmark_core.io.audio`); `audio_note` then says
what happened to it when there is something to say (no sound in a gif, dropped, failed).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import cv2
import numpy as np

from flowmark_core.errors import Cancelled, OutputFileError
from flowmark_core.io.atomic import atomic_output, is_out_of_space, no_space_error
from flowmark_core.io.audio import AudioSource, mux_audio, skip_reason
from flowmark_core.io.ffmpeg_encoder import EncoderFailed, FfmpegEncoder
from flowmark_core.io.process_guard import stop_signals_blocked

if TYPE_CHECKING:
    from flowmark_core.io.output_set import OutputSet

WRITABLE_VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".gif")
#: Largest side of a written video, in pixels.
MAX_VIDEO_SIDE = 4096
# A palette per frame: streams with bounded memory (a palette from all frames buffers them).
_GIF_FILTER = (
    "split[a][b];[a]palettegen=stats_mode=single[p];[b][p]paletteuse=new=1:dither=sierra2_4a"
)


class _SoundFailed(Exception):
    """ffmpeg could not add the sound (the silent video is kept)."""


class VideoWriter:
    """Context manager writing uint8 RGB frames to an mp4 or gif file.

    Args:
        path: target file; its extension picks the format (`WRITABLE_VIDEO_EXTENSIONS`).
        fps: frames per second (> 0).
        size: (width, height) of the video; frames of another size are resized to it.
            None takes the size of the first frame. mp4 needs even sides: odd sizes are
            padded by one edge pixel on the right / bottom.
        crf: H.264 quality (0 lossless .. 51 worst; 18 looks lossless to most eyes).
        audio: the driving clip's sound to put under the frames (mp4 only; see above).
        group: an `OutputSet` that renames this file together with the others of a set.

    Example:
        >>> with VideoWriter("out.mp4", fps=25) as writer:  # doctest: +SKIP
        ...     for frame in frames:
        ...         writer.write(frame)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float,
        size: tuple[int, int] | None = None,
        crf: int = 18,
        audio: AudioSource | None = None,
        group: OutputSet | None = None,
    ) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in WRITABLE_VIDEO_EXTENSIONS:
            raise OutputFileError(
                f"{self.path}: cannot write {suffix or 'files without an extension'!s}; "
                f"allowed video extensions: {', '.join(WRITABLE_VIDEO_EXTENSIONS)}"
            )
        if not (fps > 0 and np.isfinite(fps)):
            raise OutputFileError(f"{self.path}: frame rate must be positive, got {fps}")
        if size is not None and (min(size) < 1 or max(size) > MAX_VIDEO_SIDE):
            raise OutputFileError(
                f"{self.path}: invalid video size {size} (each side 1..{MAX_VIDEO_SIDE} px)"
            )
        self.fps = float(fps)
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.crf = int(crf)
        self.frames_written = 0
        self.audio = audio
        self.audio_note = ""  # what became of `audio`, when there is something to say
        self._atomic: contextlib.AbstractContextManager[Path] | None = atomic_output(
            self.path, group=group
        )
        self._tmp: Path = self._atomic.__enter__()
        self._encoder: FfmpegEncoder | None = None
        self._closed = False

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abort(exc)

    def _encoded_size(self) -> tuple[int, int]:
        assert self.size is not None
        width, height = self.size
        if self.path.suffix.lower() == ".mp4":
            return width + width % 2, height + height % 2
        return width, height

    def _start(self) -> FfmpegEncoder:
        if self.path.suffix.lower() == ".mp4":
            codec = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", str(self.crf),
                     "-preset", "veryfast", "-f", "mp4"]  # fmt: skip
        else:
            codec = ["-filter_complex", _GIF_FILTER, "-loop", "0", "-f", "gif"]
        return FfmpegEncoder(self._tmp, self._encoded_size(), self.fps, codec)

    def _failure(self, exc: EncoderFailed) -> OutputFileError:
        if is_out_of_space(self._tmp.parent):
            return no_space_error(self.path)
        return OutputFileError(f"{self.path}: video encoder failed ({exc.reason})")

    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        arr = np.asarray(frame)
        if arr.dtype != np.uint8:
            raise ValueError(f"video frames must be uint8, got {arr.dtype}")
        if arr.ndim == 2:
            arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB)
        if arr.ndim != 3 or arr.shape[2] != 3:
            raise ValueError(f"video frames must be (H, W, 3) or (H, W), got {arr.shape}")
        if self.size is None:
            self.size = (int(arr.shape[1]), int(arr.shape[0]))
        width, height = self.size
        if (arr.shape[1], arr.shape[0]) != (width, height):
            shrink = arr.shape[1] > width or arr.shape[0] > height
            arr = cv2.resize(
                arr, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
            )
        out_w, out_h = self._encoded_size()
        if (out_w, out_h) != (width, height):
            arr = cv2.copyMakeBorder(arr, 0, out_h - height, 0, out_w - width, cv2.BORDER_REPLICATE)
        return np.ascontiguousarray(arr)

    def write(self, frame: np.ndarray) -> None:
        """Append one frame.

        Shape:
            frame: (H, W, 3) or (H, W) uint8 RGB.
        """
        if self._closed:
            raise OutputFileError(f"{self.path}: writer is already closed")
        try:
            prepared = self._prepare(frame)
            if self._encoder is None:
                # Ctrl-C/SIGTERM is held until we hold ffmpeg's handle: acted on while the
                # Popen runs, it would leave ffmpeg (own session) unkilled, free to recreate
                # the temporary file after its removal.
                with stop_signals_blocked():
                    self._encoder = self._start()
            self._encoder.write(prepared)
        except EncoderFailed as exc:
            error = self._failure(exc)
            self._abort(error)
            raise error from None
        except BaseException as exc:
            self._abort(exc)
            raise
        self.frames_written += 1

    def close(self) -> None:
        """Finish encoding (ffmpeg must exit 0) and move the file to its final name."""
        if self._closed:
            return
        if self.frames_written == 0:
            self._abort(None)
            raise OutputFileError(f"{self.path}: no frames were written; nothing saved")
        assert self._encoder is not None
        try:
            self._encoder.finish()  # waits for ffmpeg to finish the file
            self._add_sound()
        except EncoderFailed as exc:
            error = self._failure(exc)
            self._abort(error)
            raise error from None
        except BaseException as exc:  # Ctrl-C while ffmpeg finishes: stays an interrupt
            self._abort(exc)
            raise
        self._encoder = None
        self._closed = True
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            atomic.__exit__(None, None, None)

    def _add_sound(self) -> None:
        """Mux `audio` into the finished temporary file (a failure keeps it silent)."""
        if self.audio is None:
            return
        reason = skip_reason(self.path, self.audio)
        if reason is not None:
            self.audio_note = reason
            return
        try:  # the sound goes into a temporary beside ours, renamed over it when muxed
            with atomic_output(self._tmp) as muxed:
                error = mux_audio(self._tmp, self.audio, self.frames_written / self.fps, muxed)
                if error is not None:
                    raise _SoundFailed(error)
        except _SoundFailed as exc:
            self.audio_note = (
                f"{self.path.name}: silent: the sound of {self.audio.path.name} could not "
                f"be added ({exc})"
            )

    def cancel(self) -> None:
        """Stop writing and remove the partial file; the target is left as it was."""
        self._abort(Cancelled(f"{self.path}: writing cancelled"))

    def _abort(self, exc: BaseException | None) -> None:
        self._closed = True
        encoder, self._encoder = self._encoder, None
        if encoder is not None:
            encoder.kill()
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            reason = exc if exc is not None else Cancelled(f"{self.path}: nothing written")
            # The atomic context removes its temporary file and hands `reason` back; the
            # caller's own exception (if any) is what propagates.
            try:
                atomic.__exit__(type(reason), reason, reason.__traceback__)
            except BaseException as raised:
                if raised is not reason and not isinstance(raised, OutputFileError):
                    raise

    def __del__(self) -> None:
        if not getattr(self, "_closed", True) and getattr(self, "_atomic", None) is not None:
            with contextlib.suppress(Exception):
                self._abort(None)

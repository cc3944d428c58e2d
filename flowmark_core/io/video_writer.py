"""Streaming, atomic video output: H.264 mp4 (yuv420p) or GIF through imageio-ffmpeg.

Frames go straight to an ffmpeg process as they come. The file is written under a temporary
name beside the target and renamed only when `close()` succeeds; an exception, Ctrl-C or
`cancel()` removes it, and an existing file at the target is left untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import imageio_ffmpeg
import numpy as np

from flowmark_core.errors import Cancelled, OutputFileError
from flowmark_core.io.atomic import atomic_output
from flowmark_core.io.file_mode import apply_default_mode

WRITABLE_VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".gif")
# One palette for the whole GIF, computed by ffmpeg from all frames (ffmpeg buffers them).
_GIF_FILTER = "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a"


class _Abort(BaseException):
    """Thrown into the ffmpeg generator so that it kills ffmpeg at once."""


class VideoWriter:
    """Context manager writing uint8 RGB frames to an mp4 or gif file.

    Args:
        path: target file; its extension picks the format (`WRITABLE_VIDEO_EXTENSIONS`).
        fps: frames per second (> 0).
        size: (width, height) of the video; frames of another size are resized to it.
            None takes the size of the first frame. mp4 needs even sides: odd sizes are
            padded by one edge pixel on the right / bottom.
        crf: H.264 quality (0 lossless .. 51 worst; 18 looks lossless to most eyes).

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
        if size is not None and min(size) < 1:
            raise OutputFileError(f"{self.path}: invalid video size {size}")
        self.fps = float(fps)
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.crf = int(crf)
        self.frames_written = 0
        self._atomic: contextlib.AbstractContextManager[Path] | None = atomic_output(self.path)
        self._tmp: Path = self._atomic.__enter__()
        self._encoder: Generator[None, Any, None] | None = None
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

    def _start(self) -> Generator[None, Any, None]:
        out_size = self._encoded_size()
        if self.path.suffix.lower() == ".mp4":
            options: dict[str, Any] = {
                "codec": "libx264",
                "pix_fmt_out": "yuv420p",
                "output_params": ["-crf", str(self.crf), "-preset", "veryfast"],
            }
        else:
            options = {
                "codec": "gif",
                "pix_fmt_out": "pal8",
                "output_params": ["-filter_complex", _GIF_FILTER, "-loop", "0"],
            }
        encoder = imageio_ffmpeg.write_frames(
            str(self._tmp),
            out_size,
            fps=self.fps,
            quality=None,
            macro_block_size=1,
            ffmpeg_log_level="error",
            **options,
        )
        encoder.send(None)
        return encoder

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
                self._encoder = self._start()
            self._encoder.send(prepared)
        except OSError as exc:
            self._abort(exc)
            raise OutputFileError(f"{self.path}: video encoder failed ({exc})") from exc
        except BaseException as exc:
            self._abort(exc)
            raise
        self.frames_written += 1

    def close(self) -> None:
        """Finish encoding and move the file to its final name."""
        if self._closed:
            return
        if self.frames_written == 0:
            self._abort(None)
            raise OutputFileError(f"{self.path}: no frames were written; nothing saved")
        try:
            assert self._encoder is not None
            self._encoder.close()  # waits for ffmpeg to finish the file
        except BaseException as exc:
            self._abort(exc)
            raise OutputFileError(f"{self.path}: video encoder failed ({exc})") from exc
        self._encoder = None
        self._closed = True
        apply_default_mode(self._tmp)
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            atomic.__exit__(None, None, None)

    def cancel(self) -> None:
        """Stop writing and remove the partial file; the target is left as it was."""
        self._abort(Cancelled(f"{self.path}: writing cancelled"))

    def _abort(self, exc: BaseException | None) -> None:
        self._closed = True
        encoder, self._encoder = self._encoder, None
        if encoder is not None:
            with contextlib.suppress(_Abort, StopIteration):
                encoder.throw(_Abort())
            encoder.close()
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            reason = exc if exc is not None else Cancelled(f"{self.path}: nothing written")
            # The atomic context removes its temporary file and hands `reason` back; the
            # caller's own exception (if any) is what propagates.
            try:
                atomic.__exit__(type(reason), reason, reason.__traceback__)
            except BaseException as raised:
                if raised is not reason:
                    raise

    def __del__(self) -> None:
        if not getattr(self, "_closed", True) and getattr(self, "_atomic", None) is not None:
            with contextlib.suppress(Exception):
                self._abort(None)

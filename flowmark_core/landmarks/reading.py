"""Helpers every landmark reader shares: options, one-line errors, numbers, file names."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowmark_core.errors import InputFileError


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need from the video the track belongs to.

    Attributes:
        frame_size: (width, height) px of the video; needed for normalised coordinates
            (MediaPipe) when the file does not say.
        fps: the video's frame rate (a track without one takes it).
    """

    frame_size: tuple[int, int] | None = None
    fps: float | None = None


def bad(path: Path, message: str) -> InputFileError:
    """The one-line error for a track file: `PATH: message`."""
    return InputFileError(f"{path}: {message}")


def number(text: str, path: Path, where: str) -> float:
    """A float from a cell; empty or 'nan' is NaN; anything else non-numeric is an error."""
    cell = text.strip()
    if cell == "" or cell.lower() in ("nan", "none", "null"):
        return math.nan
    try:
        return float(cell)
    except ValueError:
        raise bad(path, f"{where}: expected a number, got {cell!r}") from None


def read_text(path: Path) -> str:
    """The text of a track file (UTF-8, BOM tolerated), with a one-line error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise bad(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise bad(path, f"cannot be read as text ({exc})") from None


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> list[object]:
    """Sort key putting frame2 before frame10."""
    return [int(part) if part.isdigit() else part for part in _DIGITS.split(name)]


def frame_numbers(names: list[str], suffix: str) -> np.ndarray:
    """The last number in each file name (minus `suffix`), or 0..N-1 when they do not increase.

    `clip_000000000012_keypoints.json` -> 12 (OpenPose); `frame_0007.pts` -> 7.
    """
    numbers: list[int] = []
    for name in names:
        stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
        found = _DIGITS.findall(stem)
        if not found:
            return np.arange(len(names), dtype=np.int64)
        numbers.append(int(found[-1]))
    out = np.array(numbers, dtype=np.int64)
    if len(out) > 1 and np.any(np.diff(out) <= 0):
        return np.arange(len(names), dtype=np.int64)
    return out


def check_points(path: Path, points: np.ndarray) -> None:
    """Refuse a track without a single found point, or a point with only one coordinate."""
    finite = np.isfinite(points)
    half = finite[..., 0] != finite[..., 1]
    if np.any(half):
        t, k = (int(v) for v in np.argwhere(half)[0])
        raise bad(path, f"frame row {t}, point {k}: has x or y but not both")
    if points.size == 0 or not finite.any():
        raise bad(path, "no landmark in any frame (every row is missing or NaN)")


def normalised_to_pixels(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """MediaPipe-style 0..1 image coordinates (edges at 0 and 1) to pixel centres."""
    return values * np.asarray(size, dtype=np.float64) - 0.5


def pixels_to_normalised(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Inverse of `normalised_to_pixels`."""
    return (values + 0.5) / np.asarray(size, dtype=np.float64)


def require_size(path: Path, size: tuple[int, int] | None, what: str) -> tuple[int, int]:
    """The frame size, or an error saying the video's size is needed for `what`."""
    if size is None:
        raise bad(
            path,
            f"{what} coordinates are normalised (0..1) and the file does not give the image "
            "size; give the video so its frame size can be used",
        )
    return size

"""`DetectorTrack`: the landmarks one detector found over a video, in flowmark's pixel convention.

Coordinates are pixels with x = column, y = row and (0, 0) the centre of the top-left pixel
(as `flowmark_core.geometry` and `flowmark_core.stabilize.base` state); a point a detector did
not find in a frame is NaN. Each reader converts its format's convention to this one (e.g.
MediaPipe's normalised 0..1 image coordinates, iBUG's 1-based `.pts`) and records in
`source` what its writer needs to give the file back in the same layout.

Not to be confused with `flowmark_core.data.video_folder.LandmarkTrack`, the exact landmarks
of a synthetic clip.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SourceLayout:
    """How a track was stored: the format name and the details its writer needs.

    Attributes:
        format: a name of `flowmark_core.landmarks.formats.FORMATS` (e.g. "openface").
        details: format-specific layout (key names, extra columns, raw rows); opaque to
            everything but that format's writer.
    """

    format: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class DetectorTrack:
    """A detector's landmark track: T frames x K points x (x, y) pixels, NaN where missing.

    Attributes:
        points: (T, K, 2) float64 pixel coordinates.
        confidence: (T, K) float64 confidence / visibility / likelihood, or None.
        names: K point names.
        groups: region name -> point indices (e.g. "lips", "left_eye", "torso").
        detector: detector name ("mediapipe-face", "openface", "dlib-68", ...).
        fps: frames per second of the track, or None when the file does not say.
        frame_size: (width, height) px of the frames the track was made on, or None.
        frame_indices: (T,) int64 video frame index of each row (increasing); empty on
            construction means 0..T-1.
        timestamps: (T,) float64 seconds of each row, or None.
        source: the layout the track was read from (None: made by flowmark).
    """

    points: np.ndarray
    names: tuple[str, ...]
    confidence: np.ndarray | None = None
    groups: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    detector: str = "unknown"
    fps: float | None = None
    frame_size: tuple[int, int] | None = None
    frame_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    timestamps: np.ndarray | None = None
    source: SourceLayout | None = None

    def __post_init__(self) -> None:
        pts = np.asarray(self.points, dtype=np.float64)
        if pts.ndim != 3 or pts.shape[2] != 2:
            raise ValueError(f"points must be (T, K, 2), got {pts.shape}")
        t, k = pts.shape[:2]
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "names", tuple(str(n) for n in self.names))
        if len(self.names) != k:
            raise ValueError(f"{len(self.names)} names for {k} points")
        if self.confidence is not None:
            conf = np.asarray(self.confidence, dtype=np.float64)
            if conf.shape != (t, k):
                raise ValueError(f"confidence must be {(t, k)}, got {conf.shape}")
            object.__setattr__(self, "confidence", conf)
        given = self.frame_indices
        indices = np.asarray([] if given is None else given, dtype=np.int64)
        if indices.size == 0:  # not given (None accepted too): 0..T-1
            indices = np.arange(t, dtype=np.int64)
        if indices.shape != (t,):
            raise ValueError(f"frame_indices must be ({t},), got {indices.shape}")
        if t > 1 and np.any(np.diff(indices) <= 0):
            raise ValueError("frame_indices must increase")
        object.__setattr__(self, "frame_indices", indices)
        if self.timestamps is not None:
            stamps = np.asarray(self.timestamps, dtype=np.float64)
            if stamps.shape != (t,):
                raise ValueError(f"timestamps must be ({t},), got {stamps.shape}")
            object.__setattr__(self, "timestamps", stamps)
        groups = {str(g): tuple(int(i) for i in idx) for g, idx in self.groups.items()}
        for g, idx in groups.items():
            if any(i < 0 or i >= k for i in idx):
                raise ValueError(f"group {g!r} has an index outside 0..{k - 1}")
        object.__setattr__(self, "groups", groups)
        if self.frame_size is not None:
            w, h = (int(v) for v in self.frame_size)
            object.__setattr__(self, "frame_size", (w, h))

    @property
    def num_frames(self) -> int:
        """T, the number of rows (frames) of the track."""
        return int(self.points.shape[0])

    @property
    def num_points(self) -> int:
        """K, the number of points per frame."""
        return int(self.points.shape[1])

    @property
    def format(self) -> str | None:
        """The format the track was read from, or None."""
        return None if self.source is None else self.source.format

    def found(self) -> np.ndarray:
        """(T, K) bool: True where the point has finite coordinates."""
        return np.isfinite(self.points).all(axis=2)

    def with_points(self, points: np.ndarray) -> DetectorTrack:
        """The same track (names, frames, layout) with other coordinates, e.g. smoothed ones.

        Shape:
            points: (T, K, 2), as `self.points`.
        """
        pts = np.asarray(points, dtype=np.float64)
        if pts.shape != self.points.shape:
            raise ValueError(f"expected points of shape {self.points.shape}, got {pts.shape}")
        return dataclasses.replace(self, points=pts)

    def replace(self, **changes: Any) -> DetectorTrack:
        """A copy with some fields changed (checked like a new track)."""
        return dataclasses.replace(self, **changes)

    def group_points(self, names: Sequence[str]) -> tuple[int, ...]:
        """The sorted point indices of the union of `names` groups (KeyError names one)."""
        out: set[int] = set()
        for name in names:
            out.update(self.groups[name])
        return tuple(sorted(out))

"""What the Jitter Lab works on, without Qt: a video paired with a landmark track, the
filtered versions of that track and their metrics. Every function here runs on a worker
thread (they decode video, run detectors, smooth and score).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.io.video_base import VideoReader
from flowmark_core.io.video_reader import open_video
from flowmark_core.landmarks.track import DetectorTrack
from flowmark_core.landmarks.video_match import MatchedTrack, match_to_video

#: (done, total) progress callback; it may raise `Cancelled`.
Progress = Callable[[int, int], None]
#: A filter and its parameters, as the cache keys results.
FilterKey = tuple[str, tuple[tuple[str, object], ...]]
RAW: FilterKey = ("none", ())


def filter_key(name: str, params: Mapping[str, object] | None = None) -> FilterKey:
    """The cache key of `name` with `params` (order-free)."""
    return name, tuple(sorted((params or {}).items()))


def key_label(key: FilterKey) -> str:
    """`savgol (window=9)`, or the bare name without parameters; `none` is "raw"."""
    name, params = key
    if name == "none":
        return "raw (none)"
    shown = ", ".join(f"{k}={v}" for k, v in params)
    return f"{name} ({shown})" if shown else name


@dataclass(frozen=True)
class LabData:
    """A video and a track matched to it.

    Attributes:
        video_path, track_path: the files (track_path None: a built-in detector's track).
        matched: the track paired with the video's frames (`MatchedTrack`).
        frame_count: the video's frames (None when the container does not say).
        raw: (span, K, 2) the track over every video frame of its span, NaN between rows.
        acceleration: (K,) each point's raw mean acceleration, px/frame².
    """

    video_path: Path
    track_path: Path | None
    matched: MatchedTrack
    frame_count: int | None
    fps: float
    raw: np.ndarray
    acceleration: np.ndarray

    @property
    def track(self) -> DetectorTrack:
        return self.matched.track

    @property
    def first(self) -> int:
        """The video frame of the track's first row."""
        return self.matched.first

    def points_at(self, frame: int, dense: np.ndarray | None = None) -> np.ndarray | None:
        """(K, 2) points of `dense` (default: raw) at video frame `frame`, None outside."""
        values = self.raw if dense is None else dense
        row = frame - self.first
        if not 0 <= row < len(values):
            return None
        return values[row]


@dataclass(frozen=True)
class FilterResult:
    """One filter's smoothed track and its metrics (region -> metric -> value)."""

    key: FilterKey
    rows: np.ndarray
    dense: np.ndarray
    metrics: dict[str, dict[str, float | str | None]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return key_label(self.key)


class CheckedVideo(VideoReader):
    """A video whose frame stream reports progress (and may be cancelled) each frame."""

    def __init__(self, video: VideoReader, progress: Progress, total: int) -> None:
        self._video = video
        self._progress = progress
        self._total = total
        self.path, self.fps = video.path, video.fps
        self.frame_count, self.size = video.frame_count, video.size

    def __iter__(self) -> Iterator[np.ndarray]:
        for done, frame in enumerate(self._video, start=1):
            self._progress(min(done, self._total), self._total)
            yield frame

    def read_frames(self, indices: Sequence[int]) -> list[np.ndarray]:
        return self._video.read_frames(indices)


def summarise(video_path: Path, track_path: Path | None, matched: MatchedTrack,
              video: VideoReader) -> LabData:  # fmt: skip
    """The `LabData` of a matched track (its dense view and per-point raw acceleration)."""
    from flowmark_core.landmarks.jitter_report import point_acceleration

    raw = matched.dense(matched.track.points)
    return LabData(
        video_path=video_path,
        track_path=track_path,
        matched=matched,
        frame_count=video.frame_count,
        fps=video.fps,
        raw=raw,
        acceleration=point_acceleration(raw),
    )


def measure_jitter(data: LabData) -> np.ndarray:
    """Each point's raw jitter: the RMS of its track minus a 9-frame quadratic low-pass (px),
    as `flowmark jitter` ranks points (`flowmark_core.landmarks.jitter_report`).

    Shape:
        output: (K,), NaN for a point never found.
    """
    from flowmark_core.landmarks.jitter_report import high_frequency, point_jitter

    return point_jitter(high_frequency(data.raw, data.fps))


def load_lab(video_path: Path, track_path: Path) -> LabData:
    """Read the video and the track (any format the readers accept) and match them.

    Raises:
        InputFileError: an unreadable video or track, or a track that does not fit the video
            (its one line names the file and what is wrong).
    """
    from flowmark_core.landmarks.smoothing import load_matched

    video = open_video(video_path)
    matched = load_matched(track_path, video)
    return summarise(Path(video_path), Path(track_path), matched, video)


def detect_lab(video_path: Path, detector: str, progress: Progress) -> LabData:
    """Run a built-in detector over the video (`flowmark_core.landmarks.tracking`)."""
    from flowmark_core.landmarks.tracking import track_video

    video = open_video(video_path)
    total = video.frame_count or 0
    animator = None
    if detector == "flowmark":
        from flowmark_core.animate import Animator

        animator = Animator.from_checkpoint(None, face_crop=True)
    track = track_video(video, detector, lambda done, _t: progress(done, total), animator)
    matched = match_to_video(track, video, label=f"{detector} track")
    return summarise(Path(video_path), None, matched, video)


def run_filters(
    data: LabData,
    keys: Sequence[FilterKey],
    progress: Callable[[str, int, int], None],
) -> list[FilterResult]:
    """Smooth with each filter of `keys` and score them all in one pass over the video.

    Args:
        progress: (what, done, total), called per frame of each pass; may raise Cancelled.
    """
    from flowmark_core.landmarks.smoothing import smooth_matched
    from flowmark_core.metrics.track_quality import compare_tracks

    video = open_video(data.video_path)
    span = data.matched.span
    smoothed: dict[FilterKey, tuple[np.ndarray, np.ndarray]] = {}
    for key in keys:
        name, params = key
        step = CheckedVideo(video, lambda d, t, n=name: progress(f"smoothing ({n})", d, t), span)
        rows, _ = smooth_matched(data.matched, step, name, dict(params))
        smoothed[key] = (rows, data.matched.dense(rows))
    labels = {key_label(k): k for k in smoothed}
    scoring = CheckedVideo(video, lambda d, t: progress("scoring", d, t), span)
    metrics = compare_tracks(
        data.raw,
        {label: smoothed[key][1] for label, key in labels.items()},
        data.matched.frames(scoring),
        data.fps,
        groups=data.track.groups,
    )
    return [FilterResult(k, *smoothed[k], metrics=metrics[lb]) for lb, k in labels.items()]


def parse_params(text: str, name: str) -> dict[str, object]:
    """`window=9, order=2` as a dict of numbers/booleans, checked against the filter's.

    Raises:
        ConfigError: a malformed item, or a parameter the filter does not have.
    """
    from flowmark_core.landmarks.smoothing import check_params

    out: dict[str, object] = {}
    for item in (p.strip() for p in text.replace(";", ",").split(",")):
        if not item:
            continue
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not key or not value:
            raise ConfigError(f"filter parameter {item!r}: expected KEY=VALUE")
        out[key] = _value(value)
    check_params(name, out)
    return out


def _value(text: str) -> object:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"filter parameter value {text!r}: expected a number") from None


def export_track(data: LabData, result: FilterResult, path: Path) -> Path:
    """Write `result` in the track's own format to `path`, atomically, never over an input.

    Raises:
        OutputFileError: a wrong extension, an existing folder, or `path` is the input.
    """
    from flowmark_core.io.atomic import refuse_output_over_input
    from flowmark_core.landmarks.formats import check_output, output_format, write_track

    track = data.track
    fmt = track.format or output_format(path)
    check_output(path, fmt)
    refuse_output_over_input(path, data.track_path, data.video_path)
    write_track(track.with_points(result.rows), path, format=fmt)
    return path


def default_export_path(data: LabData, key: FilterKey) -> Path:
    """`<track stem>.<filter>.<ext>` beside the track (or the video for a detector's)."""
    from flowmark_core.landmarks.formats import EXTENSIONS

    source = data.track_path or data.video_path
    ext = EXTENSIONS.get(data.track.format or "", ".csv")
    if data.track.format in ("openpose", "pts"):
        ext = ""
    return source.with_name(f"{source.stem}.{key[0]}{ext}")

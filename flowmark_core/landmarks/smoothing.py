"""Smooth a track read from a file over its video: read, match to the video, filter.

The filters are `flowmark_core.stabilize.track_smoothing.smooth_track`'s (and "auto",
`flowmark_core.stabilize.auto.choose_filter`). The filter runs on the video's frames from
the track's first row to its last (rows the track lacks are NaN and filled by the filter
where it can); the result is taken back at the track's own rows, and a point the detector
did not give stays missing, so the written file keeps its own gaps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.landmarks.formats import read_track
from flowmark_core.landmarks.video_match import MatchedTrack, match_to_video

if TYPE_CHECKING:
    from flowmark_core.io.video_base import VideoReader

AUTO = "auto"


@dataclass(frozen=True)
class Applied:
    """The filter that ran, with its parameters and, for "auto", why it was chosen."""

    name: str
    params: dict[str, object] = field(default_factory=dict)
    reason: str = ""


def load_matched(
    path: str | Path, video: VideoReader, format: str | None = None, match: str = "index"
) -> MatchedTrack:
    """Read the track at `path` for `video` and pair its rows with the video's frames."""
    track = read_track(path, format=format, frame_size=video.size, fps=video.fps)
    return match_to_video(track, video, by=match, label=str(path))


def dense_confidence(matched: MatchedTrack) -> np.ndarray | None:
    """The track's confidence in [0, 1] over the dense span (1 where a found point has none).

    Shape:
        output: (span, K) or None.
    """
    track = matched.track
    if track.confidence is None:
        return None
    conf = np.clip(track.confidence, 0.0, 1.0)
    conf = np.where(np.isnan(conf), np.where(track.found(), 1.0, 0.0), conf)
    return matched.dense(conf)


def check_params(filter_name: str, params: Mapping[str, object]) -> None:
    """Refuse a parameter the filter does not have, naming the ones it has.

    Raises:
        ConfigError: unknown filter or parameter.
    """
    from flowmark_core.stabilize.track_smoothing import filter_params

    allowed = filter_params(filter_name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        names = ", ".join(allowed) or "none"
        raise ConfigError(
            f"--param {unknown[0]!r}: filter {filter_name!r} has no parameter {unknown[0]!r}; "
            f"its parameters: {names}"
        )


def choose(matched: MatchedTrack, video: VideoReader) -> Applied:
    """The "auto" choice for this track (filter, parameters, one-line reason)."""
    from flowmark_core.stabilize.auto import choose_filter

    values = matched.dense(matched.track.points)
    picked = choose_filter(values, matched.frames(video), video.fps, dense_confidence(matched))
    return Applied(picked.name, dict(picked.params), picked.reason)


def smooth_matched(
    matched: MatchedTrack,
    video: VideoReader,
    filter_name: str,
    params: Mapping[str, object] | None = None,
    region_strength: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, Applied]:
    """The smoothed points at the track's rows (NaN where the track has none), and the filter.

    Raises:
        ConfigError: unknown filter, parameter or region.

    Shape:
        output: (T, K, 2), as `matched.track.points`.
    """
    from flowmark_core.stabilize.track_smoothing import NEEDS_FRAMES, smooth_track

    applied = Applied(filter_name, dict(params or {}))
    if filter_name == AUTO:
        applied = choose(matched, video)
        applied = Applied(applied.name, {**applied.params, **(params or {})}, applied.reason)
    check_params(applied.name, applied.params)
    track = matched.track
    frames = matched.frames(video) if applied.name in NEEDS_FRAMES else None
    width, height = video.size
    dense = smooth_track(
        matched.dense(track.points),
        frames,
        applied.name,
        applied.params,
        video.fps,
        confidence=dense_confidence(matched),
        groups=track.groups,
        region_strength=region_strength,
        image_size=(height, width),
    )
    smoothed = dense[matched.rows]
    smoothed[~track.found()] = np.nan
    return smoothed, applied

"""The jitter report of a track: filters side by side (NMJ, acceleration, lag, flow residual
per region, `flowmark_core.metrics.track_quality`) and the points that shake the most.

Metrics are computed over the video frames from the track's first row to its last (rows the
track lacks are NaN and left out); "none" (the raw track) is always the first row. A
point's jitter is the RMS of its raw track minus a 9-frame quadratic Savitzky-Golay
low-pass: smooth motion (speech, head turns) passes the low-pass, detector noise does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from flowmark_core.landmarks.smoothing import Applied, smooth_matched
from flowmark_core.landmarks.video_match import MatchedTrack

if TYPE_CHECKING:
    from flowmark_core.io.video_base import VideoReader

WORST_POINTS = 6


def point_acceleration(points: np.ndarray) -> np.ndarray:
    """Each point's mean |x_{t+1} - 2 x_t + x_{t-1}| (px/frame²), NaN-safe.

    Shape:
        points: (T, K, 2); output: (K,) (NaN for a point with no three rows in a row).
    """
    second = np.linalg.norm(points[2:] - 2 * points[1:-1] + points[:-2], axis=-1)
    out = np.full(points.shape[1], np.nan)
    seen = np.isfinite(second).any(axis=0)
    out[seen] = np.nanmean(second[:, seen], axis=0)
    return out


def high_frequency(points: np.ndarray, fps: float) -> np.ndarray:
    """The track minus its Savitzky-Golay low-pass (9 frames, quadratic): the jitter part.

    A quadratic motion passes the low-pass unchanged, so a point that moves smoothly (a
    talking mouth, a turning head) has little of it; detector noise is what is left.

    Shape:
        points: (T, K, 2); output: (T, K, 2), NaN where the point is missing.
    """
    from flowmark_core.stabilize.track_smoothing import smooth_track

    low = smooth_track(points, None, "savgol", {"window": 9, "order": 2}, fps)
    return np.where(np.isfinite(points), points - low, np.nan)


def point_jitter(residual: np.ndarray) -> np.ndarray:
    """Each point's RMS high-frequency residual (px), NaN for a point never found.

    Shape:
        residual: (T, K, 2) from `high_frequency`; output: (K,).
    """
    sq = np.sum(residual**2, axis=-1)
    out = np.full(sq.shape[1], np.nan)
    seen = np.isfinite(sq).any(axis=0)
    out[seen] = np.sqrt(np.nanmean(sq[:, seen], axis=0))
    return out


def worst_points(jitter: np.ndarray, count: int = WORST_POINTS) -> list[int]:
    """The indices of the `count` points with the most jitter, worst first."""
    order = np.argsort(np.where(np.isfinite(jitter), -jitter, np.inf), kind="stable")
    return [int(k) for k in order[: min(count, int(np.isfinite(jitter).sum()))]]


def peak_frames(residual: np.ndarray, points: list[int]) -> list[int]:
    """For each point, the dense row where its high-frequency residual is largest."""
    size = np.linalg.norm(residual, axis=-1)
    return [int(np.nanargmax(size[:, k])) for k in points]


def finite_or_none(value: Any) -> Any:
    """JSON-safe: NaN/inf floats become None, containers are walked."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    if isinstance(value, np.generic):
        return finite_or_none(value.item())
    return value


def compare_filters(
    matched: MatchedTrack,
    video: VideoReader,
    filters: Sequence[str],
    params: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Smooth with each filter and score every result against the raw track.

    Args:
        filters: filter names (and "auto"); "none" is added first when missing.
        params: filter name -> its parameters.

    Returns:
        (report, dense tracks by filter label), the report JSON-ready.
    """
    from flowmark_core.metrics.track_quality import compare_tracks
    from flowmark_core.stabilize.track_smoothing import filter_params

    track = matched.track
    raw = matched.dense(track.points)
    names = ["none", *[f for f in filters if f != "none"]]
    dense: dict[str, np.ndarray] = {}
    applied: dict[str, Applied] = {}
    for name in names:
        rows, used = smooth_matched(matched, video, name, (params or {}).get(name))
        label = name if name != "auto" else f"auto ({used.name})"
        dense[label], applied[label] = matched.dense(rows), used
    metrics = compare_tracks(raw, dense, matched.frames(video), video.fps, groups=track.groups)
    residual = high_frequency(raw, video.fps)
    jitter = point_jitter(residual)
    worst = worst_points(jitter)
    accel = point_acceleration(raw)
    peaks = peak_frames(residual, worst)
    report = {
        "detector": track.detector,
        "format": track.format,
        "fps": video.fps,
        "frame_size": list(video.size),
        "rows": track.num_frames,
        "video_frames": [matched.first, matched.first + matched.span - 1],
        "points": track.num_points,
        "filters": {
            label: {
                "filter": applied[label].name,
                "params": {**filter_params(applied[label].name), **applied[label].params},
                **({"reason": applied[label].reason} if applied[label].reason else {}),
                "metrics": metrics[label],
            }
            for label in dense
        },
        "worst_points": [
            {
                "index": k,
                "name": track.names[k],
                "jitter_px": float(jitter[k]),
                "acceleration": float(accel[k]),
                "peak_frame": matched.first + peak,
            }
            for k, peak in zip(worst, peaks)
        ],
    }
    return finite_or_none(report), dense

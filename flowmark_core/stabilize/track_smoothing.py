"""Smooth any detector's landmark track with one of the filters, per region and per confidence.

`smooth_track(values, frames, "flow", params, fps, confidence, groups, region_strength)`
takes a (T, K, 2) pixel track (NaN = missing) from any detector. Every filter gets a
per-sample measurement noise scale m = strength(k) / sqrt(confidence(t, k)):

- `region_strength` maps a group name to a strength multiplier (1 = the filter as set,
  0 = raw, 2 = twice the noise std assumed): lips and eyelids need less smoothing than the
  jaw contour. A point in several groups takes the smallest strength.
- `confidence` in [0, 1] scales the detector noise variance by 1/confidence: where the
  detector is unsure the filter leans on its prediction (the flow for "flow" and
  "flow-offline", constant velocity for "kalman", the last output for "one-euro", the
  neighbouring samples for "savgol", whose fits are weighted by confidence); confidence 0
  or a NaN sample is missing.

Savitzky–Golay has no noise model: its strength scales the window instead, to the odd
window nearest 1 + strength · (window - 1) (strength 0: raw).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize import make_stabilizer, stabilizer_params
from flowmark_core.stabilize.flow_offline import FlowOfflineStabilizer
from flowmark_core.stabilize.savgol import SavGolStabilizer


@runtime_checkable
class PointScaled(Protocol):
    """A causal filter whose measurement noise can be scaled per point and step."""

    def reset(self) -> None: ...

    def set_point_scale(self, scale: np.ndarray | None) -> None: ...

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]: ...


FILTERS: tuple[str, ...] = ("none", "one-euro", "kalman", "savgol", "flow", "flow-offline")
CAUSAL_FILTERS: tuple[str, ...] = ("none", "one-euro", "kalman", "flow")
NEEDS_FRAMES: tuple[str, ...] = ("flow", "flow-offline")


def filter_params(name: str) -> dict[str, object]:
    """The parameters of a filter with their defaults (`fps` comes from the video)."""
    if name not in FILTERS:
        raise ConfigError(f"filter {name!r} is not known; allowed: {', '.join(FILTERS)}")
    return {k: v for k, v in stabilizer_params(name).items() if k != "fps"}


def point_strength(
    num_points: int,
    groups: Mapping[str, Sequence[int]] | None,
    region_strength: Mapping[str, float] | None,
) -> np.ndarray:
    """Each point's strength multiplier: the smallest of its groups' strengths, else 1.

    Raises:
        ConfigError: a strength names an unknown group, is negative, or an index is out
            of range.

    Shape:
        output: (K,).
    """
    strength = np.full(num_points, np.inf)
    groups = groups or {}
    for name, value in (region_strength or {}).items():
        if name not in groups:
            known = ", ".join(groups) or "none"
            raise ConfigError(f"region strength for {name!r}: no such group (groups: {known})")
        if not float(value) >= 0:
            raise ConfigError(f"region strength for {name!r} must be >= 0, got {value!r}")
        index = np.asarray(groups[name], dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= num_points):
            raise ConfigError(f"group {name!r} has a point index outside 0..{num_points - 1}")
        strength[index] = np.minimum(strength[index], float(value))
    return np.where(np.isfinite(strength), strength, 1.0)


def noise_scale(
    values: np.ndarray, confidence: np.ndarray | None, strength: np.ndarray
) -> np.ndarray:
    """m = strength / sqrt(confidence) per sample; inf where missing (NaN, confidence <= 0).

    Shape:
        values: (T, K, 2); confidence: (T, K) or None; strength: (K,); output: (T, K).
    """
    seen = np.all(np.isfinite(values), axis=-1)
    if confidence is None:
        conf = np.ones(seen.shape)
    else:
        conf = np.asarray(confidence, dtype=np.float64)
        if conf.shape != seen.shape:
            raise ConfigError(f"confidence must have shape {seen.shape}, got {conf.shape}")
        conf = np.clip(np.nan_to_num(conf, nan=0.0), 0.0, 1.0)
    seen &= conf > 0
    with np.errstate(divide="ignore"):
        scale = strength[None, :] / np.sqrt(np.where(seen, conf, 1.0))
    return np.where(seen, scale, np.inf)


def _frames_and_size(
    frames: Iterable[np.ndarray] | None, values: np.ndarray, image_size: tuple[int, int] | None
) -> tuple[Iterator[np.ndarray] | None, tuple[int, int]]:
    """The frames as an iterator (first frame peeked) and the image size to state params at."""
    if frames is None:
        if image_size is not None:
            return None, image_size
        extent = np.nanmax(values, axis=(0, 1)) if np.isfinite(values).any() else [1.0, 1.0]
        return None, (max(2, int(np.ceil(extent[1])) + 1), max(2, int(np.ceil(extent[0])) + 1))
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise ConfigError("the frames are empty")
    size = image_size or (int(first.shape[0]), int(first.shape[1]))
    return itertools.chain([first], it), size


def _savgol(
    values: np.ndarray, params: dict, scale: np.ndarray, strength: np.ndarray
) -> np.ndarray:
    """Savitzky–Golay per strength level (the window scaled), confidence-weighted fits."""
    base = SavGolStabilizer(2, **params)
    out = np.array(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(np.isfinite(scale), (strength[None, :] / scale) ** 2, 0.0)
    weights = np.where(strength[None, :] > 0, weights, np.isfinite(scale).astype(float))
    for level in np.unique(strength):
        cols = np.flatnonzero(strength == level)
        window = 1 + 2 * round(level * (base.window - 1) / 2)
        if window < 3:
            continue  # strength 0: raw
        order = min(base.order, window - 1)
        smooth, _ = SavGolStabilizer(2, window, order).run(
            values[:, cols], None, None, weights[:, cols]
        )
        out[:, cols] = smooth
    return out


def smooth_track(
    values: np.ndarray,
    frames: Iterable[np.ndarray] | None,
    filter_name: str,
    params: Mapping[str, object] | None,
    fps: float,
    confidence: np.ndarray | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
    region_strength: Mapping[str, float] | None = None,
    image_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Smooth a landmark track with the filter `filter_name`.

    Args:
        values: the detector's landmarks over time, px (x, y); NaN = missing.
        frames: the video's T frames, uint8 RGB, streamed (required by "flow" and
            "flow-offline"; the causal filters read one frame at a time, "flow-offline"
            keeps flow samples at the points only); None for the others.
        filter_name: one of `FILTERS`.
        params: the filter's parameters (`filter_params(name)`); pixel-valued ones are
            stated at a 256 px image and scaled to the frame size.
        fps: the video's frame rate.
        confidence: per-sample detector confidence in [0, 1], or None.
        groups: region name -> point indices.
        region_strength: region name -> strength multiplier (see the module docstring).
        image_size: (height, width) of the frames; default: the first frame's, else the
            track's extent.

    Returns:
        The smoothed track; missing samples are filled where the filter can (prediction,
        flow or fit), NaN where it cannot (before a causal filter's first detection).

    Raises:
        ConfigError: unknown filter or parameter, bad confidence or region settings, or
            frames missing for a flow filter.

    Shape:
        values: (T, K, 2); confidence: (T, K); output: (T, K, 2).
    """
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim != 3 or vals.shape[2] != 2:
        raise ConfigError(f"a track must have shape (T, K, 2), got {vals.shape}")
    if filter_name not in FILTERS:
        raise ConfigError(f"filter {filter_name!r} is not known; allowed: {', '.join(FILTERS)}")
    if not fps > 0:
        raise ConfigError(f"fps must be > 0, got {fps!r}")
    if filter_name in NEEDS_FRAMES and frames is None:
        raise ConfigError(f"filter {filter_name!r} needs the video's frames")
    params = dict(params or {})
    strength = point_strength(vals.shape[1], groups, region_strength)
    scale = noise_scale(vals, confidence, strength)
    if filter_name == "none" or len(vals) == 0:
        return vals.copy()
    if filter_name == "savgol":
        return _savgol(vals, params, scale, strength)
    frame_iter, size = _frames_and_size(frames, vals, image_size)
    if filter_name not in NEEDS_FRAMES:
        frame_iter = None  # only the first frame was read, for its size
    stabilizer = make_stabilizer(filter_name, size, fps=fps, **params)
    if isinstance(stabilizer, FlowOfflineStabilizer):
        return stabilizer.run(vals, None, frame_iter, scale=scale)[0]
    if not isinstance(stabilizer, PointScaled):
        raise ConfigError(f"filter {filter_name!r} cannot take per-point noise scales")
    return _run_causal(stabilizer, vals, frame_iter, scale)


def _run_causal(
    stabilizer: PointScaled,
    values: np.ndarray,
    frames: Iterator[np.ndarray] | None,
    scale: np.ndarray,
) -> np.ndarray:
    """Step a causal filter through the track, one frame at a time, with its noise scales."""
    stabilizer.reset()
    out = np.empty_like(values)
    for t in range(len(values)):
        frame = None
        if frames is not None:
            frame = next(frames, None)
            if frame is None:
                raise ConfigError(f"the frames ended after {t} of {len(values)} track frames")
        stabilizer.set_point_scale(scale[t])
        out[t] = stabilizer.update(values[t], None, frame)[0]
    return out

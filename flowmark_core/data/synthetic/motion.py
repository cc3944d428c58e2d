"""Smooth random motion tracks: eased keyframes with occasional fast moves, and blinks."""

from __future__ import annotations

import numpy as np


def _ease(s: np.ndarray) -> np.ndarray:
    return s * s * (3.0 - 2.0 * s)


def keyframe_track(
    rng: np.random.Generator,
    frames: int,
    low: float,
    high: float,
    hold: tuple[int, int] = (10, 30),
    fast_prob: float = 0.1,
    fast_frames: tuple[int, int] = (2, 4),
    start: float | None = None,
    rest: float | None = None,
    rest_prob: float = 0.0,
) -> np.ndarray:
    """A value that glides between random keyframes with ease-in/ease-out.

    Args:
        low, high: range of keyframe values.
        hold: frames between ordinary keyframes.
        fast_prob: chance that a segment is a quick move lasting `fast_frames`.
        start: first value (random if None).
        rest, rest_prob: chance that a keyframe returns to the value `rest` (e.g. neutral).

    Shape:
        output: (frames,) float32.
    """
    out = np.empty(frames, np.float32)
    value = rng.uniform(low, high) if start is None else start
    t = 0
    while t < frames:
        fast = rng.random() < fast_prob
        length = int(
            rng.integers(fast_frames[0], fast_frames[1] + 1)
            if fast
            else rng.integers(hold[0], hold[1] + 1)
        )
        to_rest = rest is not None and rng.random() < rest_prob
        target = rest if rest is not None and to_rest else rng.uniform(low, high)
        s = _ease(np.arange(1, length + 1, dtype=np.float32) / length)
        seg = value + (target - value) * s
        n = min(length, frames - t)
        out[t : t + n] = seg[:n]
        value = target
        t += n
    return out


def blink_track(
    rng: np.random.Generator,
    frames: int,
    mean_gap: float = 60.0,
    duration: tuple[int, int] = (4, 7),
) -> np.ndarray:
    """Eye openness in [0, 1]: 1 open, dipping to 0 in quick blinks (close fast, open slower).

    Shape:
        output: (frames,) float32.
    """
    out = np.ones(frames, np.float32)
    t = int(rng.integers(3, max(4, int(mean_gap))))
    while t < frames:
        length = int(rng.integers(duration[0], duration[1] + 1))
        closing = max(1, length // 3)
        shape = np.concatenate(
            [
                np.linspace(1, 0, closing + 1)[1:],
                np.linspace(0, 1, length - closing + 1)[1:],
            ]
        )
        n = min(length, frames - t)
        out[t : t + n] = shape[:n]
        t += length + int(rng.exponential(mean_gap)) + 2
    return out

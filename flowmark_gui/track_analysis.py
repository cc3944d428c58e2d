"""Per-keypoint jitter numbers of a tracked video, measured against optical flow.

While `Animator.track` streams the driving video, `GreyFrameRecorder` keeps each frame at
model size in grey (S*S bytes a frame, never the colour video); afterwards
`jitter_reports` runs DIS optical flow over consecutive pairs and feeds
`flowmark_core.metrics.jitter.jitter_report` for the raw and the stabilised track.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from flowmark_core.animate import KeypointTrack
from flowmark_core.flow import FlowEstimator, to_gray_u8
from flowmark_core.metrics.jitter import JitterReport, jitter_report

Check = Callable[[], None]


class GreyFrameRecorder:
    """Passes frames through unchanged and remembers them prepared, in grey."""

    def __init__(self, prepare: Callable[[np.ndarray], np.ndarray]) -> None:
        self._prepare = prepare
        self.frames: list[np.ndarray] = []

    def wrap(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Yield `frames`, recording each one."""
        for frame in frames:
            self.frames.append(to_gray_u8(self._prepare(frame)))
            yield frame


def _flow_pairs(
    greys: list[np.ndarray], check: Check | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    estimator = FlowEstimator("dis", "ultrafast")
    for g0, g1 in itertools.pairwise(greys):
        if check is not None:
            check()
        pair = estimator.pair(g0, g1)
        yield pair.forward, pair.error


def _report(track: np.ndarray, greys: list[np.ndarray], check: Check | None) -> JitterReport:
    flows, errors = itertools.tee(_flow_pairs(greys, check))
    return jitter_report(track, (f for f, _ in flows), (e for _, e in errors))


def jitter_reports(
    track: KeypointTrack, greys: list[np.ndarray], check: Check | None = None
) -> tuple[JitterReport, JitterReport] | None:
    """(raw, stabilised) jitter reports, or None when the frames do not match the track.

    Args:
        check: called before each flow pair; raise from it to cancel.
    """
    if len(greys) != track.raw.shape[0] or len(greys) < 2:
        return None
    raw = _report(track.raw, greys, check)
    if np.array_equal(track.raw, track.stable):
        return raw, raw
    return raw, _report(track.stable, greys, check)

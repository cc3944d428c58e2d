"""Per-keypoint jitter numbers of a tracked video, measured against optical flow.

While `Animator.track` streams the driving video, the engine keeps each frame as the model
saw it, in grey (`on_prepared`: S*S bytes a frame, never the colour video); afterwards
`jitter_reports` runs DIS optical flow over consecutive pairs and feeds
`flowmark_core.metrics.jitter.jitter_report` for the raw and the stabilised track.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from flowmark_core.animate import KeypointTrack
from flowmark_core.flow import FlowEstimator
from flowmark_core.metrics.jitter import JitterReport, jitter_report

Check = Callable[[], None]


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

"""A KeypointTrack recorded frame by frame and read back frame by frame (known arrays)."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.animate.results import DetectedKeypoints
from flowmark_core.animate.track_frames import TrackRecorder, keypoints_at, raw_at
from flowmark_core.errors import FlowmarkError


def _frame(t: float, jacobian: bool, heatmap: bool) -> DetectedKeypoints:
    value = np.full((2, 2), t, np.float32)
    jac = np.full((2, 2, 2), t + 0.5, np.float32) if jacobian else None
    heat = np.full((2, 3, 3), t / 10, np.float32) if heatmap else None
    return DetectedKeypoints(value, jac, heat)


def test_recorded_frames_read_back_raw_and_stable() -> None:
    recorder = TrackRecorder()
    for t in range(3):
        raw = _frame(t, jacobian=True, heatmap=True)
        recorder.add(raw, raw.value + 100, raw.jacobian + 100)
    track = recorder.finish(image_size=64, fps=30.0, stabilizer="one-euro")

    assert track.raw.shape == (3, 2, 2) and track.stable.shape == (3, 2, 2)
    assert (track.image_size, track.fps, track.stabilizer) == (64, 30.0, "one-euro")
    assert track.heatmaps is not None and track.heatmaps.dtype == np.float16
    value, jac = keypoints_at(track, 2)
    assert value[0, 0] == 102 and jac is not None and jac[0, 0, 0] == 102.5
    value, jac = keypoints_at(track, 1, stabilized=False)
    assert value[0, 0] == 1 and jac is not None and jac[0, 0, 0] == 1.5
    heat = np.zeros((2, 3, 3), np.float32)
    raw = raw_at(track, 1, heat)
    assert raw.value[0, 0] == 1 and raw.jacobian[0, 0, 0] == 1.5 and raw.heatmap is heat


def test_track_without_jacobians_or_heatmaps_keeps_none() -> None:
    recorder = TrackRecorder()
    raw = _frame(4, jacobian=False, heatmap=False)
    recorder.add(raw, raw.value, None)
    track = recorder.finish(image_size=32, fps=25.0, stabilizer="none")

    assert track.jacobian_raw is None and track.jacobian_stable is None and track.heatmaps is None
    assert keypoints_at(track, 0)[1] is None and raw_at(track, 0, None).jacobian is None


def test_raw_jacobians_without_stable_ones_keep_only_the_raw() -> None:
    recorder = TrackRecorder()
    raw = _frame(1, jacobian=True, heatmap=False)
    recorder.add(raw, raw.value, None)
    track = recorder.finish(image_size=32, fps=25.0, stabilizer="flow")

    assert track.jacobian_raw is not None and track.jacobian_stable is None


def test_no_frames_is_one_error_naming_the_driving_video() -> None:
    with pytest.raises(FlowmarkError, match="the driving video has no frames"):
        TrackRecorder().finish(image_size=32, fps=25.0, stabilizer="none")

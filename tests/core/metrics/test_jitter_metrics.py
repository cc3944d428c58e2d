"""Known-answer tests of `nmj`, `keypoint_acceleration`, `flow_residual`, `jitter_report`."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics import flow_residual, jitter_report, keypoint_acceleration, nmj


def box_track(frames: int) -> np.ndarray:
    """A still (frames, 4, 2) landmark set with a 30 x 30 px box."""
    corners = np.array([[10.0, 10.0], [40.0, 10.0], [10.0, 40.0], [40.0, 40.0]])
    return np.repeat(corners[None], frames, axis=0)


def test_constant_track_has_no_jitter_and_no_acceleration() -> None:
    gt = box_track(10)
    assert nmj(gt + 2.0, gt) == 0.0  # a constant bias is not jitter
    assert keypoint_acceleration(gt) == 0.0


def test_constant_velocity_has_zero_acceleration_and_known_quadratic_value() -> None:
    t = np.arange(12, dtype=np.float64)[:, None, None]
    assert keypoint_acceleration(box_track(12) + t * np.array([1.5, -2.0])) == pytest.approx(0)
    quadratic = box_track(12) + t**2 * np.array([1.0, 0.0])  # second difference 2 px/frame²
    assert keypoint_acceleration(quadratic) == pytest.approx(2.0)


def test_nmj_of_alternating_error() -> None:
    gt = box_track(9)
    sign = np.where(np.arange(9) % 2 == 0, 1.0, -1.0)[:, None, None]
    pred = gt + sign * np.array([1.5, 0.0])  # error flips by 3 px per frame, box 30 px
    assert nmj(pred, gt) == pytest.approx(0.1)


def uniform_flows(steps: int, motion: tuple[float, float], size: int = 32) -> np.ndarray:
    flows = np.zeros((steps, size, size, 2), np.float32)
    flows[...] = motion
    return flows


def test_flow_residual_zero_with_and_known_against_the_flow() -> None:
    steps, motion = 5, np.array([2.0, -1.0])
    start = np.array([[8.0, 8.0], [20.0, 12.5]])
    t = np.arange(steps + 1, dtype=np.float64)[:, None, None]
    flows = uniform_flows(steps, (2.0, -1.0))
    with_flow = start + t * motion
    against = start - t * motion
    assert flow_residual(with_flow, flows) == pytest.approx(0.0, abs=1e-6)
    assert flow_residual(against, iter(flows)) == pytest.approx(2 * np.hypot(2.0, 1.0))


def test_flow_residual_skips_points_failing_forward_backward() -> None:
    flows = uniform_flows(1, (1.0, 0.0))
    track = np.array([[[5.0, 5.0], [20.0, 20.0]], [[6.0, 5.0], [30.0, 20.0]]])  # kp 1 is off
    fb = np.zeros((1, 32, 32), np.float32)
    fb[0, 15:, 15:] = 5.0  # occlusion around keypoint 1
    assert flow_residual(track, flows) == pytest.approx(4.5)
    assert flow_residual(track, flows, fb_errors=fb) == pytest.approx(0.0)
    assert np.isnan(flow_residual(track, flows, fb_errors=fb + 5.0))


def test_flow_residual_needs_one_flow_per_transition() -> None:
    with pytest.raises(ValueError, match="flows"):
        flow_residual(box_track(4), uniform_flows(2, (0.0, 0.0), size=64))


def test_jitter_report_gives_per_keypoint_numbers() -> None:
    steps = 4
    flows = uniform_flows(steps, (1.0, 0.0), size=64)
    track = box_track(steps + 1)
    track[:, 0, 0] += np.arange(steps + 1)  # keypoint 0 moves with the flow
    track[:, 1, 0] += np.arange(steps + 1) ** 2  # keypoint 1 accelerates
    report = jitter_report(track, flows)
    assert report.flow_residual.shape == (4,)
    assert report.flow_residual[0] == pytest.approx(0.0, abs=1e-6)
    assert report.flow_residual[2] == pytest.approx(1.0)  # still while the image moves by 1
    np.testing.assert_allclose(report.acceleration, [0.0, 2.0, 0.0, 0.0])

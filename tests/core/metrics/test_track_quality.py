"""Known-answer tests of the per-filter, per-region track metrics."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics.landmarks import box_size
from flowmark_core.metrics.track_quality import (
    ClipFlow,
    compare_tracks,
    track_metrics,
    velocity_lag,
)
from tests.core.stabilize.frames import moving_frames, points_on

BASE = np.array([[30.0, 40.0], [60.0, 50.0], [45.0, 65.0], [40.0, 30.0]])


def smooth_motion(steps: int, seed: int = 0) -> np.ndarray:
    """A smooth random (T, 3, 2) track: sums of slow sinusoids."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)[:, None, None]
    out = np.zeros((steps, 3, 2))
    for _ in range(4):
        period = rng.uniform(15, 40)
        out += rng.normal(0, 3, (1, 3, 2)) * np.sin(2 * np.pi * t / period + rng.uniform(0, 6))
    return out


@pytest.mark.parametrize("delay", [0, 1, 3])
def test_lag_of_a_delayed_track_is_its_delay(delay: int) -> None:
    ref = smooth_motion(200)
    late = np.concatenate([np.repeat(ref[:1], delay, axis=0), ref[: len(ref) - delay]])
    assert velocity_lag(late, ref) == pytest.approx(delay, abs=0.05)
    assert velocity_lag(ref, late) == pytest.approx(-delay, abs=0.05)


def test_sub_frame_lag_from_the_parabola() -> None:
    t = np.arange(300, dtype=np.float64)
    period = 40.0
    ref = np.sin(2 * np.pi * t / period)[:, None, None] * np.ones((1, 1, 2))
    late = np.sin(2 * np.pi * (t - 0.5) / period)[:, None, None] * np.ones((1, 1, 2))
    assert velocity_lag(late, ref) == pytest.approx(0.5, abs=0.05)


def test_truth_scores_zero_and_a_fixed_offset_only_in_nme() -> None:
    truth = 100.0 + smooth_motion(50)
    scale = box_size(truth)
    shifted = truth + np.array([2.0, 0.0])
    res = track_metrics(truth, shifted, None, 25.0, truth=truth)["all"]
    assert res["nmj"] == pytest.approx(0.0, abs=1e-12)
    assert res["nme"] == pytest.approx(np.mean(2.0 / scale), rel=1e-9)
    assert res["nmj_basis"] == "truth"
    assert res["lag"] == pytest.approx(0.0, abs=0.05)


def test_nmj_of_white_noise_is_sqrt_two_sigma_over_the_box() -> None:
    rng = np.random.default_rng(5)
    truth = np.tile(BASE[None] * 2.0, (4000, 1, 1))
    noisy = truth + rng.normal(0, 0.5, truth.shape)
    res = track_metrics(noisy, noisy, None, 30.0, truth=truth)["all"]
    expected = np.sqrt(2.0) * 0.5 * np.sqrt(2.0) / box_size(truth)[0]  # |d|² = 2 axes x 2σ²
    assert res["nmj"] == pytest.approx(expected, rel=0.03)


def test_flow_residual_is_zero_on_the_content_and_the_motion_when_still() -> None:
    offsets = np.stack([np.arange(20) * 1.0, np.zeros(20)], axis=-1)
    on_content = points_on(offsets, BASE)
    still = points_on(np.zeros((20, 2)), BASE)
    res = compare_tracks(on_content, {"with": on_content, "still": still},
                         moving_frames(offsets), 30.0)  # fmt: skip
    assert res["with"]["all"]["flow_residual"] < 0.1
    assert res["still"]["all"]["flow_residual"] == pytest.approx(1.0, abs=0.1)
    # Without truth, NMJ measures motion unlike the content's, over the track's own box.
    assert res["with"]["all"]["nmj_basis"] == "flow"
    assert res["with"]["all"]["nmj"] < 0.1 * res["still"]["all"]["nmj"]
    assert res["still"]["all"]["nmj"] == pytest.approx(1.0 / box_size(on_content)[0], rel=0.1)


def test_regions_are_scored_separately() -> None:
    truth = 100.0 + smooth_motion(60)
    pred = truth.copy()
    pred[:, 2] += np.random.default_rng(1).normal(0, 1.0, (60, 2))  # only point 2 jitters
    res = track_metrics(pred, pred, None, 30.0, truth=truth, groups={"a": [0, 1], "b": [2]})
    assert res["a"]["nmj"] == pytest.approx(0.0, abs=1e-12)
    assert res["b"]["nmj"] > 0 and res["all"]["nmj"] > 0
    assert res["b"]["nmj"] > res["all"]["nmj"]


def test_the_metric_flow_on_downscaled_frames_is_in_image_pixels() -> None:
    offsets = np.stack([np.arange(12) * 2.0, np.arange(12) * -1.0], axis=-1)
    track = points_on(offsets, BASE)
    flow = ClipFlow({"t": track}, moving_frames(offsets), max_side=48).motion["t"]
    assert np.isfinite(flow).mean() > 0.9
    np.testing.assert_allclose(np.nanmedian(flow, axis=(0, 1)), [2.0, -1.0], atol=0.15)

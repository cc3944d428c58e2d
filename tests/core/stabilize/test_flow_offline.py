"""Known-answer tests of the offline flow-guided (RTS) smoother, on frames of known motion."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.stabilize import make_stabilizer
from flowmark_core.stabilize.flow_samples import fill_gaps
from tests.core.stabilize.frames import moving_frames, points_on

BASE = np.array([[30.0, 40.0], [60.0, 50.0], [45.0, 65.0]])


def test_a_constant_stays_constant_on_still_frames() -> None:
    offsets = np.zeros((20, 2))
    track = points_on(offsets, BASE)
    out, _ = make_stabilizer("flow-offline", 96).run(track, None, moving_frames(offsets))
    np.testing.assert_allclose(out, track, atol=1e-3)


def test_noise_on_a_moving_texture_drops_below_a_third_and_the_motion_is_kept() -> None:
    offsets = np.stack([np.linspace(0, 12, 40), 3 * np.sin(np.arange(40) / 6)], axis=-1)
    truth = points_on(offsets, BASE)
    rng = np.random.default_rng(1)
    noisy = truth + rng.normal(0, 1.0, truth.shape)
    # Noise of 1 px at 96 px is 2.67 px at the 256 px the parameters are stated at; with a
    # trusted flow (0.04 px per frame) and no gate the smoother averages over ~27 frames
    # (sqrt(R / Q)), of 40: the error falls toward 1/sqrt(27) = 0.19 of the noise.
    stab = make_stabilizer("flow-offline", 96, measurement_noise=2.67, process_noise=0.1,
                           gate=100.0, min_gain=0.0)  # fmt: skip
    out, _ = stab.run(noisy, None, moving_frames(offsets))
    raw_err = np.sqrt(np.mean((noisy - truth) ** 2))
    err = np.sqrt(np.mean((out - truth) ** 2))
    assert err < 0.3 * raw_err


def test_a_step_the_content_made_is_followed_at_once() -> None:
    offsets = np.zeros((30, 2))
    offsets[15:] = [6.0, 0.0]
    truth = points_on(offsets, BASE)
    out, _ = make_stabilizer("flow-offline", 96).run(truth, None, moving_frames(offsets))
    np.testing.assert_allclose(out, truth, atol=0.3)


def test_missing_detections_are_carried_by_the_flow_from_both_sides() -> None:
    offsets = np.stack([np.arange(30) * 0.8, np.zeros(30)], axis=-1)
    truth = points_on(offsets, BASE)
    holes = truth.copy()
    holes[10:20, 0] = np.nan  # point 0 unseen for ten frames
    holes[:5, 1] = np.nan  # point 1 unseen at the start
    out, _ = make_stabilizer("flow-offline", 96).run(holes, None, moving_frames(offsets))
    np.testing.assert_allclose(out, truth, atol=0.5)


def test_fill_gaps_takes_the_nearest_earlier_else_later_detection() -> None:
    track = np.array([[[np.nan, np.nan]], [[1.0, 1.0]], [[np.nan, np.nan]], [[3.0, 3.0]]])
    filled, never = fill_gaps(track)
    np.testing.assert_array_equal(filled[:, 0, 0], [1.0, 1.0, 1.0, 3.0])
    assert not never.any()


def test_online_update_is_refused_clearly() -> None:
    stab = make_stabilizer("flow-offline", 96)
    assert stab.causal is False
    with pytest.raises(ValueError, match="offline only"):
        stab.update(np.zeros((2, 2)), None, np.zeros((96, 96, 3), np.uint8))

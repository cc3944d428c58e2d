"""Known-answer tests of the constant-velocity Kalman filter."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize import make_stabilizer
from flowmark_core.stabilize.kalman import KalmanStabilizer


def steady_state_variance(r: float, accel: float, fps: float) -> float:
    """Output variance of the steady-state filter fed white noise of variance r on a constant.

    The Riccati recursion gives the steady gain k; the closed loop x' = (I - k h) F x + k z
    is then a linear filter of the noise, whose output variance solves S = A S Aᵀ + k kᵀ r.
    """
    dt = 1.0 / fps
    f = np.array([[1.0, dt], [0.0, 1.0]])
    q = accel**2 * np.array([[dt**4 / 4, dt**3 / 2], [dt**3 / 2, dt**2]])
    p = np.eye(2) * 1e6
    for _ in range(5000):
        prior = f @ p @ f.T + q
        k = prior[:, :1] / (prior[0, 0] + r)
        p = prior - k @ prior[:1, :]
    a = (np.eye(2) - k @ np.array([[1.0, 0.0]])) @ f
    s = np.zeros((2, 2))
    for _ in range(5000):
        s = a @ s @ a.T + k @ k.T * r
    return float(s[0, 0])


def test_a_constant_stays_constant() -> None:
    track = np.tile(np.array([[10.0, 20.0], [30.5, 40.25]]), (50, 1, 1))
    out, _ = make_stabilizer("kalman", 256).run(track, None, None)
    np.testing.assert_allclose(out, track, atol=1e-9)


def test_white_noise_variance_drops_to_the_steady_state_ratio() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(0.0, 1.0, (6000, 8, 2))
    stab = KalmanStabilizer(256, measurement_noise=1.0, process_noise=300.0, fps=30.0)
    out, _ = stab.run(noise, None, None)
    measured = out[200:].var()
    expected = steady_state_variance(1.0, 300.0, 30.0)
    assert expected < 0.5  # it does smooth
    assert measured == pytest.approx(expected, rel=0.05)


def test_a_step_settles_within_twelve_frames_at_the_defaults() -> None:
    track = np.zeros((60, 1, 2))
    track[20:] = 20.0
    out, _ = make_stabilizer("kalman", 256, fps=30.0).run(track, None, None)
    error = np.abs(out[:, 0, 0] - track[:, 0, 0])
    assert error[20 + 12 :].max() <= 0.05 * 20.0
    assert error[20 + 2] > 0.05 * 20.0  # it does smooth the step (not a pass-through)


def test_constant_velocity_is_followed_without_lag() -> None:
    t = np.arange(80, dtype=np.float64)
    track = np.stack([2.0 * t, -1.0 * t], axis=-1)[:, None, :]
    out, _ = make_stabilizer("kalman", 256).run(track, None, None)
    np.testing.assert_allclose(out[30:], track[30:], atol=1e-3)


def test_missing_samples_are_predicted_at_constant_velocity() -> None:
    t = np.arange(40, dtype=np.float64)
    track = np.stack([3.0 * t, 5.0 + 0 * t], axis=-1)[:, None, :]
    holes = track.copy()
    holes[25:30] = np.nan
    out, _ = make_stabilizer("kalman", 256).run(holes, None, None)
    np.testing.assert_allclose(out[25:30], track[25:30], atol=1e-3)


def test_zero_noise_scale_passes_the_detection_and_inf_ignores_it() -> None:
    stab = KalmanStabilizer(256)
    stab.update(np.array([[0.0, 0.0], [0.0, 0.0]]), None)
    stab.set_point_scale(np.array([0.0, np.inf]))
    out, _ = stab.update(np.array([[7.0, 7.0], [7.0, 7.0]]), None)
    np.testing.assert_allclose(out[0], [7.0, 7.0])
    np.testing.assert_allclose(out[1], [0.0, 0.0])


def test_bad_parameters_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="process_noise"):
        make_stabilizer("kalman", 256, process_noise=0.0)

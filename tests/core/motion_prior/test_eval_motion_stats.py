"""Motion statistics on tracks with known speeds, accelerations and spreads."""

import numpy as np
import pytest

from flowmark_core.evaluation import motion_stats as ms


def test_speed_and_acceleration_of_a_uniformly_accelerating_point() -> None:
    t = np.arange(6, dtype=float)
    track = np.stack([0.5 * t**2, 3 * t], -1)[:, None]  # x'' = 1, y' = 3
    np.testing.assert_allclose(ms.accelerations(track)[:, 0], 1.0)
    np.testing.assert_allclose(ms.speeds(track)[:, 0], np.hypot(t[:-1] + 0.5, 3.0))
    summary = ms.motion_summary([track])
    assert summary["accel_mean"] == pytest.approx(1.0) and summary["accel_std"] == pytest.approx(
        0.0
    )


def test_constant_velocity_extrapolation() -> None:
    first, second = np.array([[0.0, 1.0]]), np.array([[2.0, 0.0]])
    out = ms.constant_velocity(first, second, 4)
    np.testing.assert_allclose(out[:, 0], [[0, 1], [2, 0], [4, -1], [6, -2]])


def test_diversity_and_track_error() -> None:
    a = np.zeros((3, 2, 2))
    b = a.copy()
    b[..., 0] = 3.0  # 3 px apart everywhere
    assert ms.diversity(np.stack([a, b])) == pytest.approx(3.0)
    assert ms.track_error(b, a) == pytest.approx(3.0)
    assert np.isnan(ms.diversity(a[None]))


def test_mmd_is_zero_in_expectation_for_one_distribution_and_grows_with_a_shift() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    same = ms.mmd_rbf(x, y, bandwidth=1.0)
    shifted = ms.mmd_rbf(x, y + 2.0, bandwidth=1.0)
    assert abs(same) < 0.01 and shifted > 0.2


def test_histogram_distance_bounds() -> None:
    a = np.full(100, 1.0)
    assert ms.histogram_distance(a, a) == pytest.approx(0.0)
    assert ms.histogram_distance(np.zeros(100), np.full(100, 5.0)) == pytest.approx(1.0)

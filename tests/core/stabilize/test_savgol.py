"""Known-answer tests of the Savitzky–Golay filter (offline only)."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize import make_stabilizer
from flowmark_core.stabilize.savgol import SavGolStabilizer


def test_a_constant_stays_constant() -> None:
    track = np.tile(np.array([[3.0, -4.0]]), (30, 1, 1))
    out, _ = SavGolStabilizer(64, 7, 2).run(track, None, None)
    np.testing.assert_allclose(out, track, atol=1e-9)


def test_polynomials_up_to_the_order_pass_unchanged_including_the_ends() -> None:
    t = np.arange(40, dtype=np.float64)
    track = np.stack([0.05 * t**2 - t, 2.0 + 0.5 * t], axis=-1)[:, None, :]
    out, _ = SavGolStabilizer(64, 9, 2).run(track, None, None)
    np.testing.assert_allclose(out, track, atol=1e-8)


@pytest.mark.parametrize(
    ("window", "order", "ratio"),
    [(7, 2, 1.0 / 3.0), (5, 2, 17.0 / 35.0), (9, 1, 1.0 / 9.0), (11, 0, 1.0 / 11.0)],
)
def test_white_noise_variance_drops_by_the_centre_tap(
    window: int, order: int, ratio: float
) -> None:
    # The variance ratio of a least-squares smoother is its centre tap: 1/window for a line,
    # 3(3m²+3m-1)/((2m-1)(2m+1)(2m+3)) for a parabola over 2m+1 samples.
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 1.0, (5000, 4, 2))
    out, _ = SavGolStabilizer(64, window, order).run(noise, None, None)
    assert out[window:-window].var() == pytest.approx(ratio, rel=0.05)


def test_a_step_is_followed_exactly_half_a_window_after_it() -> None:
    track = np.zeros((40, 1, 2))
    track[20:] = 10.0
    out, _ = SavGolStabilizer(64, 7, 2).run(track, None, None)
    np.testing.assert_allclose(out[23:], 10.0, atol=1e-9)
    np.testing.assert_allclose(out[:17], 0.0, atol=1e-9)
    assert not np.allclose(out[18:23], track[18:23])


def test_gaps_are_bridged_by_the_fit_and_zero_weight_samples_ignored() -> None:
    t = np.arange(30, dtype=np.float64)
    track = np.stack([t, 2 * t], axis=-1)[:, None, :]
    holes = track.copy()
    holes[10:12] = np.nan
    out, _ = SavGolStabilizer(64, 7, 1).run(holes, None, None)
    np.testing.assert_allclose(out, track, atol=1e-9)
    bad = track.copy()
    bad[15] += 50.0
    weights = np.ones((30, 1))
    weights[15] = 0.0
    out, _ = SavGolStabilizer(64, 7, 1).run(bad, None, None, weights)
    np.testing.assert_allclose(out, track, atol=1e-9)


def test_online_update_is_refused_clearly() -> None:
    stab = make_stabilizer("savgol", 64)
    assert stab.causal is False
    with pytest.raises(ValueError, match="offline only"):
        stab.update(np.zeros((2, 2)), None, None)


def test_even_windows_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="odd"):
        make_stabilizer("savgol", 64, window=8)

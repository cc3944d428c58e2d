"""Per-region follow signals and scores on landmarks whose geometry is known."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics.reference_mesh import REFERENCE_NAMES
from flowmark_core.metrics.region_follow import region_follow, region_signals, signal_follow

# A frontal face in units of the inter-ocular distance (outer eye corners 1 apart), x right,
# y down; the subject's right eye is on the image's left.
FACE = {
    "right_eye_outer": (-0.5, 0.0),
    "right_eye_inner": (-0.2, 0.0),
    "left_eye_inner": (0.2, 0.0),
    "left_eye_outer": (0.5, 0.0),
    "right_eye_upper_lid": (-0.35, -0.06),
    "right_eye_lower_lid": (-0.35, 0.06),
    "left_eye_upper_lid": (0.35, -0.04),
    "left_eye_lower_lid": (0.35, 0.04),
    "right_brow_outer": (-0.55, -0.3),
    "right_brow_inner": (-0.15, -0.3),
    "left_brow_inner": (0.15, -0.3),
    "left_brow_outer": (0.55, -0.3),
    "nose_tip": (0.1, 0.45),
    "nose_base": (0.1, 0.55),
    "mouth_right": (-0.25, 0.8),
    "mouth_left": (0.25, 0.8),
    "upper_lip_top": (0.0, 0.72),
    "lower_lip_bottom": (0.0, 0.95),
    "upper_lip_inner": (0.0, 0.78),
    "lower_lip_inner": (0.0, 1.08),
    "chin": (0.0, 1.4),
    "right_cheek": (-0.7, 0.3),
    "left_cheek": (0.7, 0.3),
}


def _face() -> np.ndarray:
    return np.array([FACE[name] for name in REFERENCE_NAMES], dtype=np.float64)


def _similar(points: np.ndarray, angle: float, scale: float, shift: tuple[float, float]):
    c, s = np.cos(angle), np.sin(angle)
    return points @ np.array([[c, s], [-s, c]]) * scale + np.array(shift)


def test_signals_read_the_known_geometry_whatever_the_size_position_and_roll() -> None:
    angles = np.array([0.0, 0.2, -0.35])
    track = np.stack(
        [_similar(_face(), a, k, (100.0 + 7 * k, 60.0)) for a, k in zip(angles, (80, 140, 33))]
    )
    signals = region_signals(track)
    np.testing.assert_allclose(signals["mouth"], 0.30, atol=1e-9)  # inner lips 0.30 apart
    np.testing.assert_allclose(signals["eyes"], 0.10, atol=1e-9)  # lids 0.12 and 0.08
    np.testing.assert_allclose(signals["yaw"], -0.10, atol=1e-9)  # nose 0.1 right of cheeks
    np.testing.assert_allclose(signals["pitch"], 0.45, atol=1e-9)  # nose 0.45 below the eyes
    np.testing.assert_allclose(signals["roll"], angles, atol=1e-9)


def test_a_frame_without_a_face_gives_nan_signals_and_counts_as_not_found() -> None:
    track = np.stack([_face() * 50, np.full_like(_face(), np.nan), _face() * 60])
    signals = region_signals(track)
    assert all(np.isnan(s[1]) and np.isfinite(s[0]) for s in signals.values())
    follow = region_follow(track, track)
    assert follow.face_found == pytest.approx(2 / 3)
    assert follow.regions["mouth"].frames == 2


def test_a_scaled_and_shifted_copy_correlates_fully_at_the_scale() -> None:
    driver = np.sin(2 * np.pi * np.arange(40) / 20)
    score = signal_follow(driver, 0.5 * driver + 3.0)
    assert score.r == pytest.approx(1.0)
    assert score.range_ratio == pytest.approx(0.5)
    assert score.std_ratio == pytest.approx(0.5)
    assert score.frames == 40


@pytest.mark.parametrize("delay", [2, 5, 10])
def test_a_delayed_sinusoid_correlates_at_the_cosine_of_its_phase_lag(delay: int) -> None:
    period = 20
    driver = np.sin(2 * np.pi * np.arange(2 * period) / period)
    score = signal_follow(driver, np.roll(driver, delay))  # whole periods: a circular lag
    assert score.r == pytest.approx(np.cos(2 * np.pi * delay / period), abs=1e-9)
    assert score.range_ratio == pytest.approx(1.0)


def test_a_still_generated_face_has_no_correlation_and_no_range() -> None:
    driver = np.sin(np.arange(30) / 3.0)
    score = signal_follow(driver, np.full(30, 0.2))
    assert np.isnan(score.r)
    assert score.range_ratio == 0.0


def test_too_few_common_frames_give_nan() -> None:
    driver = np.array([0.1, 0.2, np.nan, np.nan])
    score = signal_follow(driver, np.array([0.1, np.nan, 0.3, 0.4]))
    assert score.frames == 1 and np.isnan(score.r) and np.isnan(score.range_ratio)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        signal_follow(np.zeros(3), np.zeros(4))

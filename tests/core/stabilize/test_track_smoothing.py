"""Known-answer tests of `smooth_track`: every filter, region strength and confidence."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.track_smoothing import FILTERS, filter_params, smooth_track
from tests.core.stabilize.frames import moving_frames, points_on

BASE = np.array([[30.0, 40.0], [60.0, 50.0], [45.0, 65.0], [40.0, 30.0]])
FPS = 30.0


def needs_frames(name: str) -> bool:
    return name.startswith("flow")


@pytest.mark.parametrize("name", FILTERS)
def test_a_constant_stays_constant_with_every_filter(name: str) -> None:
    offsets = np.zeros((24, 2))
    track = points_on(offsets, BASE)
    frames = (f for f in moving_frames(offsets)) if needs_frames(name) else None
    out = smooth_track(track, frames, name, {}, FPS)
    np.testing.assert_allclose(out, track, atol=1e-3)


@pytest.mark.parametrize("name", ["one-euro", "kalman", "savgol", "flow", "flow-offline"])
def test_a_weaker_region_stays_closer_to_raw_and_strength_zero_is_raw(name: str) -> None:
    offsets = np.stack([np.linspace(0, 6, 40), np.zeros(40)], axis=-1)
    truth = points_on(offsets, BASE)
    rng = np.random.default_rng(2)
    noisy = truth + rng.normal(0, 0.8, truth.shape)
    groups = {"lips": [0], "eyelids": [1], "jaw": [2, 3]}
    strength = {"lips": 0.0, "eyelids": 0.4, "jaw": 1.0}
    frames = moving_frames(offsets) if needs_frames(name) else None
    out = smooth_track(noisy, frames, name, {}, FPS, groups=groups, region_strength=strength)
    change = np.sqrt(np.mean((out - noisy) ** 2, axis=(0, 2)))  # per point
    np.testing.assert_allclose(out[:, 0], noisy[:, 0], atol=1e-9)  # strength 0: raw
    assert change[1] < change[2] and change[1] < change[3]
    assert change[1] > 0


@pytest.mark.parametrize("name", ["flow", "flow-offline"])
def test_a_low_confidence_point_leans_on_the_flow(name: str) -> None:
    offsets = np.stack([np.arange(40) * 0.7, np.zeros(40)], axis=-1)
    truth = points_on(offsets, np.array([[40.0, 45.0], [40.0, 45.0]]))
    rng = np.random.default_rng(4)
    noise = rng.normal(0, 1.5, (40, 1, 2))
    noise[0] = 0.0  # both start right
    noisy = truth + noise  # both points: the same detections
    conf = np.ones((40, 2))
    conf[1:, 0] = 0.02  # point 0: the detector is unsure after the first frame
    out = smooth_track(noisy, moving_frames(offsets), name, {}, FPS, confidence=conf)
    err = np.sqrt(np.mean((out - truth) ** 2, axis=(0, 2)))
    # Point 0 follows the content's motion from its first detection; point 1 keeps much of
    # the detector noise.
    assert err[0] < 0.6 * err[1]
    wobble = np.sqrt(np.mean((np.diff(out, axis=0) - [0.7, 0.0]) ** 2, axis=(0, 2)))
    assert wobble[0] < 0.5 * wobble[1]  # it moves with the content, 0.7 px per frame


def test_a_missing_point_is_carried_by_the_causal_flow() -> None:
    offsets = np.stack([np.arange(30) * 1.0, np.arange(30) * 0.5], axis=-1)
    truth = points_on(offsets, BASE)
    holes = truth.copy()
    holes[8:, 2] = np.nan
    out = smooth_track(holes, moving_frames(offsets), "flow", {}, FPS)
    np.testing.assert_allclose(out[:, 2], truth[:, 2], atol=0.5)


def test_confidence_weighs_the_one_euro_and_savgol_outputs() -> None:
    track = np.zeros((30, 1, 2))
    track[15] = 20.0  # a single wild detection
    conf = np.ones((30, 1))
    conf[15] = 0.001
    for name in ("one-euro", "savgol"):
        trusted = smooth_track(track, None, name, {}, FPS)
        unsure = smooth_track(track, None, name, {}, FPS, confidence=conf)
        assert np.abs(unsure).max() < 0.1 * np.abs(trusted).max()


def test_bad_settings_are_one_config_error_each() -> None:
    track = np.zeros((5, 2, 2))
    with pytest.raises(ConfigError, match="not known"):
        smooth_track(track, None, "median", {}, FPS)
    with pytest.raises(ConfigError, match="needs the video's frames"):
        smooth_track(track, None, "flow", {}, FPS)
    with pytest.raises(ConfigError, match="no such group"):
        smooth_track(track, None, "kalman", {}, FPS, groups={"a": [0]}, region_strength={"b": 1})
    with pytest.raises(ConfigError, match="confidence must have shape"):
        smooth_track(track, None, "kalman", {}, FPS, confidence=np.ones((5, 3)))
    with pytest.raises(ConfigError, match="no parameter"):
        smooth_track(track, None, "kalman", {"window": 3}, FPS)


def test_filter_params_leave_fps_to_the_video() -> None:
    assert filter_params("kalman") == {"measurement_noise": 1.0, "process_noise": 300.0}
    assert "window" in filter_params("savgol")


def test_parameters_are_stated_at_the_frame_size_whichever_filter() -> None:
    rng = np.random.default_rng(7)
    track = BASE[None] + rng.normal(0, 1.0, (30, len(BASE), 2))
    frames = (np.zeros((192, 160, 3), np.uint8) for _ in range(30))
    from_frames = smooth_track(track, frames, "one-euro", {}, FPS)
    stated = smooth_track(track, None, "one-euro", {}, FPS, image_size=(192, 160))
    from_extent = smooth_track(track, None, "one-euro", {}, FPS)
    np.testing.assert_allclose(from_frames, stated)
    assert not np.allclose(from_frames, from_extent)


def test_one_euro_holds_its_output_over_a_gap_and_starts_late_points_at_their_detection() -> None:
    track = np.tile(np.array([[5.0, 5.0], [9.0, 9.0]]), (20, 1, 1))
    track[8:12, 0] = np.nan  # a gap
    track[:6, 1] = np.nan  # seen only from frame 6
    out = smooth_track(track, None, "one-euro", {}, FPS)
    np.testing.assert_allclose(out[:, 0], 5.0)
    assert np.isnan(out[:6, 1]).all()
    np.testing.assert_allclose(out[6:, 1], 9.0)

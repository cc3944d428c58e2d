"""Known-answer tests of the keypoint stabilisers in `flowmark_core.stabilize`."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize import (
    ALL_STABILIZERS,
    STABILIZERS,
    FlowStabilizer,
    Stabilizer,
    make_stabilizer,
    stabilizer_params,
)

K = 6


def textured_canvas(size: int, seed: int = 0) -> np.ndarray:
    """Smooth random RGB texture with detail at several scales, uint8 (size, size, 3)."""
    rng = np.random.default_rng(seed)
    img = np.zeros((size, size, 3), np.float32)
    for sigma, weight in ((1.5, 0.3), (4.0, 0.5), (12.0, 1.0)):
        layer = cv2.GaussianBlur(rng.random((size, size, 3)).astype(np.float32), (0, 0), sigma)
        img += weight * (layer - layer.mean()) / layer.std()
    img = (img - img.min()) / (img.max() - img.min())
    return (img * 255).astype(np.uint8)


def shifted_frames(canvas: np.ndarray, offsets: np.ndarray, size: int) -> list[np.ndarray]:
    """Frames of `size` px showing the canvas moved right/down by each (dx, dy) offset."""
    frames = []
    margin = (canvas.shape[0] - size) / 2
    for dx, dy in offsets:
        mat = np.array([[1.0, 0.0, dx - margin], [0.0, 1.0, dy - margin]])
        frames.append(cv2.warpAffine(canvas, mat, (size, size), flags=cv2.INTER_LINEAR))
    return frames


def jitter(track: np.ndarray) -> float:
    """RMS frame-to-frame change of a (T, K, 2) track."""
    return float(np.sqrt(np.mean(np.sum(np.diff(track, axis=0) ** 2, axis=-1))))


def interior_points(size: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.3 * size, 0.7 * size, (K, 2))


def test_factory_builds_every_strategy() -> None:
    assert STABILIZERS == ("none", "one-euro", "flow")
    assert (*STABILIZERS, "kalman", "savgol", "flow-offline") == ALL_STABILIZERS
    for name in ALL_STABILIZERS:
        stab = make_stabilizer(name, 64)
        assert isinstance(stab, Stabilizer)
        assert stab.name == name


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("wiener", {}, "allowed: none, one-euro, flow, kalman, savgol, flow-offline"),
        ("one-euro", {"alpha": 0.5}, "allowed: min_cutoff, beta, d_cutoff, fps"),
        ("none", {"beta": 1.0}, "no parameter .beta.; it takes no parameters"),
        ("one-euro", {"beta": -1.0}, "beta"),
        ("flow", {"min_gain": 2.0}, "min_gain"),
        ("flow", {"preset": "warp"}, "ultrafast"),
        ("flow", {"gate": "wide"}, "flow"),
    ],
)
def test_bad_names_and_params_raise_config_error(name: str, params: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        make_stabilizer(name, 128, **params)


def test_stabilizer_params_lists_defaults() -> None:
    params = stabilizer_params("one-euro")
    assert params == {"min_cutoff": 0.5, "beta": 50.0, "d_cutoff": 1.0, "fps": 30.0}
    assert "process_noise" in stabilizer_params("flow")


def test_none_is_identity() -> None:
    values = np.random.default_rng(0).normal(50, 5, (10, K, 2))
    out, jac = make_stabilizer("none", 128).run(values, None, None)
    np.testing.assert_array_equal(out, values)
    assert jac is None


def test_one_euro_cuts_jitter_of_still_point_fivefold_at_any_image_size() -> None:
    noise = np.random.default_rng(0).normal(0.0, 1.0, (300, K, 2))
    ratios = []
    for size in (128, 512):
        # 0.3 px noise at 256 px, scaled with the image like everything else.
        values = interior_points(size) + noise * 0.3 * size / 256
        out, _ = make_stabilizer("one-euro", size).run(values, None, None)
        ratios.append(jitter(values) / jitter(out))
    assert ratios[0] >= 5.0
    assert ratios[0] == pytest.approx(ratios[1], rel=1e-9)


def test_one_euro_follows_constant_motion_without_drift() -> None:
    # Constant velocity is tracked with a small, constant lag set by beta.
    t = np.arange(90, dtype=np.float64)[:, None, None]
    values = np.broadcast_to(interior_points(256) + t * np.array([4.0, 0.0]), (90, K, 2))
    out, _ = make_stabilizer("one-euro", 256).run(values, None, None)
    lag = np.abs(out[-30:, :, 0] - values[-30:, :, 0])
    assert lag.max() < 2.5
    assert np.ptp(lag) < 1e-3


NOISY_DETECTOR = {"process_noise": 0.15}
"""For a detector with 1 px or more of white noise the flow deserves more trust than the
default (tuned on the trained default model, whose detections are far steadier)."""


def test_flow_default_follows_the_detector_more_than_a_noisy_setting() -> None:
    size = 128
    frame = textured_canvas(size)
    noise = np.random.default_rng(0).normal(0.0, 1.0 * size / 256, (120, K, 2))
    values = interior_points(size) + noise
    default, _ = make_stabilizer("flow", size).run(values, None, [frame] * len(values))
    noisy, _ = make_stabilizer("flow", size, **NOISY_DETECTOR).run(
        values, None, [frame] * len(values)
    )
    # Both smooth a still point on texture; the default (more process noise) less so.
    assert jitter(values) > jitter(default) > jitter(noisy)


def test_flow_cuts_jitter_of_still_point_on_static_texture_fivefold() -> None:
    size = 128
    frame = textured_canvas(size)
    noise = np.random.default_rng(0).normal(0.0, 1.0 * size / 256, (120, K, 2))
    values = interior_points(size) + noise
    out, _ = make_stabilizer("flow", size, **NOISY_DETECTOR).run(
        values, None, [frame] * len(values)
    )
    assert jitter(values) / jitter(out) >= 5.0


def test_flow_follows_step_within_two_frames() -> None:
    size, jump_at, steps = 128, 15, 30
    offsets = np.zeros((steps, 2))
    offsets[jump_at:, 0] = 30.0
    frames = shifted_frames(textured_canvas(224), offsets, size)
    truth = interior_points(size) + offsets[:, None, :]
    values = truth + np.random.default_rng(2).normal(0.0, 0.3, truth.shape)
    out, _ = make_stabilizer("flow", size).run(values, None, frames)
    err = np.linalg.norm(out - truth, axis=-1)
    assert err[jump_at + 1 :].max() <= 2.0
    assert err[jump_at - 5 : jump_at].max() <= 1.0


@pytest.mark.parametrize(("size", "kp_size"), [(256, 256), (512, 512), (256, 128)])
def test_flow_beats_raw_detector_on_translating_texture(size: int, kp_size: int) -> None:
    # 1.5 px/frame at 256 px; detector noise sigma 1.5 px. At 512 px frames are downscaled
    # to 256 px for the flow; with kp_size 128 keypoints live in a smaller image than the
    # frames. Both check the mapping of points and flow between resolutions.
    steps = 50
    speed = 1.5 * size / 256
    offsets = np.stack([np.arange(steps) * speed, np.arange(steps) * speed * 0.5], axis=-1)
    frames = shifted_frames(textured_canvas(size + 2 * int(steps * speed) + 16), offsets, size)
    truth = interior_points(size) + offsets[:, None, :]
    truth = (truth + 0.5) * kp_size / size - 0.5  # pixel centres scale like cv2.resize
    noise = np.random.default_rng(3).normal(0.0, 1.5 * kp_size / 256, truth.shape)
    values = truth + noise
    out, _ = make_stabilizer("flow", kp_size, **NOISY_DETECTOR).run(values, None, frames)
    raw_rms = np.sqrt(np.mean(np.sum((values - truth) ** 2, axis=-1)))
    flow_rms = np.sqrt(np.mean(np.sum((out - truth) ** 2, axis=-1)))
    assert flow_rms < 0.6 * raw_rms


def test_flow_follows_detector_where_image_has_no_texture() -> None:
    # On a flat image the flow says nothing: the gain must stay near 1 (no false smoothing).
    size = 128
    flat = np.full((size, size, 3), 128, np.uint8)
    values = interior_points(size) + np.random.default_rng(5).normal(0, 0.5, (20, K, 2))
    stab = FlowStabilizer(size)
    for value in values:
        stab.update(value, None, flat)
    assert stab.last_gain is not None
    assert stab.last_gain.min() > 0.85


def test_flow_keeps_identity_jacobians_under_translation() -> None:
    size, steps = 256, 25
    offsets = np.stack([np.arange(steps) * 1.5, np.zeros(steps)], axis=-1)
    frames = shifted_frames(textured_canvas(320), offsets, size)
    values = interior_points(size) + offsets[:, None, :]
    eye = np.broadcast_to(np.eye(2), (steps, K, 2, 2))
    _, jac = make_stabilizer("flow", size).run(values, eye, frames)
    assert jac is not None
    np.testing.assert_allclose(jac, eye, atol=0.03)


@pytest.mark.parametrize("name", STABILIZERS)
def test_online_update_loop_equals_offline_run(name: str) -> None:
    size, steps = 96, 20
    rng = np.random.default_rng(4)
    offsets = np.stack([np.arange(steps) * 1.0, np.arange(steps) * -0.5], axis=-1)
    frames = shifted_frames(textured_canvas(160), offsets, size)
    values = interior_points(size) + offsets[:, None, :] + rng.normal(0, 0.5, (steps, K, 2))
    jacs = np.eye(2) + rng.normal(0, 0.05, (steps, K, 2, 2))
    stab = make_stabilizer(name, size)
    offline_v, offline_j = stab.run(values, jacs, iter(frames))
    stab.reset()
    online = [stab.update(values[t], jacs[t], frames[t]) for t in range(steps)]
    np.testing.assert_array_equal(offline_v, np.stack([v for v, _ in online]))
    np.testing.assert_array_equal(offline_j, np.stack([j for _, j in online]))


def test_flow_needs_frames() -> None:
    stab = FlowStabilizer(64)
    with pytest.raises(ValueError, match="frame"):
        stab.update(np.zeros((K, 2)), None, None)
    with pytest.raises(ValueError, match="frames ended"):
        stab.run(np.zeros((3, K, 2)), None, [np.zeros((64, 64, 3), np.uint8)])


HOLD = {"hold_gate": 2.0}
"""Holding detector jumps to the flow is opt-in (it raised NMJ on occlusions and real clips)."""


def _jump_scene(size: int = 128, steps: int = 40) -> tuple[list[np.ndarray], np.ndarray]:
    """Texture drifting 0.5 px/frame right (ground truth) for the detector-jump tests."""
    offsets = np.stack([np.arange(steps) * 0.5, np.arange(steps) * 0.2], axis=-1)
    frames = shifted_frames(textured_canvas(224, seed=3), offsets, size)
    return frames, interior_points(size, seed=4) + offsets[:, None, :]


def test_flow_holds_keypoints_through_detector_jumps_the_content_did_not_make() -> None:
    # The seed's failure case: the detector jumps 6 px for three frames while the content
    # (and reliable flow) moves 0.5 px/frame. The redesigned gate holds the keypoint to the
    # flow; the default gate (hold_gate=0) hands it to the detector.
    frames, truth = _jump_scene()
    values = truth + np.random.default_rng(6).normal(0.0, 0.2, truth.shape)
    jumps = [(12, 15, np.array([6.0, 0.0])), (26, 28, np.array([-3.0, 5.0]))]
    for start, stop, shift in jumps:
        values[start:stop, :3] += shift
    held, _ = make_stabilizer("flow", 128, **HOLD).run(values, None, frames)
    former, _ = make_stabilizer("flow", 128).run(values, None, frames)  # default: no hold
    in_jump = np.zeros(len(truth), bool)
    for start, stop, _ in jumps:
        in_jump[start:stop] = True
    err_held = np.linalg.norm(held - truth, axis=-1)[in_jump, :3]
    err_former = np.linalg.norm(former - truth, axis=-1)[in_jump, :3]
    raw = np.linalg.norm(values - truth, axis=-1)[in_jump, :3]
    assert err_held.max() < 1.5 < 3.0 < err_former.max()
    assert err_held.mean() < 0.2 * raw.mean()
    # Keypoints that did not jump, and the frames after the jumps, stay on the truth.
    assert np.linalg.norm(held - truth, axis=-1)[~in_jump].max() < 1.5


def test_flow_follows_a_detection_the_content_moved_with_even_if_the_flow_missed_it() -> None:
    # A texture repeating every 8 px steps by one period: the frames look alike, so the flow
    # says "no motion" and passes its forward-backward check, yet the detector (the truth
    # here) moved 8 px. The image shows the content at the detection as well as at the
    # prediction: no reason to hold, and the step is followed within two frames (held to
    # the flow it would stay ~8 px off).
    rng = np.random.default_rng(0)
    canvas = cv2.GaussianBlur(np.tile(rng.random((8, 8, 3)).astype(np.float32), (28, 28, 1)),
                              (0, 0), 0.8)  # fmt: skip
    canvas = ((canvas - canvas.min()) / (canvas.max() - canvas.min()) * 255).astype(np.uint8)
    size, jump_at, steps = 128, 10, 20
    offsets = np.zeros((steps, 2))
    offsets[:, 0] = np.arange(steps) * 0.3
    offsets[jump_at:, 0] += 8.0
    frames = shifted_frames(canvas, offsets, size)
    truth = interior_points(size) + offsets[:, None, :]
    out, _ = make_stabilizer("flow", size, **HOLD).run(truth, None, frames)
    err = np.linalg.norm(out - truth, axis=-1)
    assert err[jump_at + 1 :].max() <= 2.0
    assert err[jump_at + 3 :].max() <= 0.5


def test_flow_releases_a_hold_after_max_hold_frames() -> None:
    # A detection that stays put elsewhere for good (a slow semantic change the flow cannot
    # see) is let back in after max_hold frames and then followed.
    frames, truth = _jump_scene(steps=30)
    values = truth.copy()
    values[5:, 0] += np.array([5.0, 0.0])
    out, _ = make_stabilizer("flow", 128, hold_gate=2.0, max_hold=4).run(values, None, frames)
    err = np.linalg.norm(out[:, 0] - values[:, 0], axis=-1)
    assert err[6] > 3.0  # held at first
    assert err[-5:].max() < 0.5  # then following the detector


def test_common_motion_keeps_a_hold_off_an_occluder_crossing_still_keypoints() -> None:
    # A textured "hand" slides 3 px/frame over three still keypoints; the detector rightly
    # stays put. Holding to the flow drags those keypoints along with the hand; the
    # common-motion cue sees their flow unlike the others' (still) and does not hold.
    size, steps = 128, 24
    background = textured_canvas(size, seed=7)
    hand = textured_canvas(40, seed=8)
    truth = np.array([[40.0, 60], [50, 62], [45, 70], [90, 40], [95, 90], [30, 100]])
    frames = []
    for t in range(steps):
        frame = background.copy()
        x = 10 + 3 * t
        if x + 40 <= size:
            frame[45:85, x : x + 40] = hand
        frames.append(frame)
    values = np.repeat(truth[None], steps, axis=0)
    dragged, _ = make_stabilizer("flow", size, **HOLD).run(values, None, frames)
    cued, _ = make_stabilizer("flow", size, **HOLD, common_motion=2.0).run(values, None, frames)
    err_dragged = np.linalg.norm(dragged - values, axis=-1)[:, :3].max()
    err_cued = np.linalg.norm(cued - values, axis=-1)[:, :3].max()
    assert err_dragged > 8.0  # held to the hand for max_hold frames, twice
    assert err_cued < 0.4 * err_dragged  # measured: 3.0 px (the default, no hold: 1.8 px)

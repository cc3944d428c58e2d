"""Known-answer tests of optical flow and the point helpers in `flowmark_core.flow`."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest

from flowmark_core.errors import ConfigError
from flowmark_core.flow import (
    FlowEstimator,
    compute_flow,
    flow_jacobian_at,
    forward_backward_error,
    propagate_points,
    sample_at,
    texture_strength,
)

SIZE = 256


def smooth_texture(size: int = SIZE, seed: int = 0) -> np.ndarray:
    """Smooth random RGB texture (cubic-upsampled noise), uint8 (size, size, 3)."""
    rng = np.random.default_rng(seed)
    noise = rng.random((size // 8 + 3, size // 8 + 3, 3)).astype(np.float32)
    img = cv2.resize(noise, (size, size), interpolation=cv2.INTER_CUBIC)
    img = cv2.GaussianBlur(img, (0, 0), 1.5)
    img = (img - img.min()) / (img.max() - img.min())
    return (img * 255).astype(np.uint8)


def shifted(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """`img` translated by (dx, dy) pixels with bilinear interpolation."""
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    h, w = img.shape[:2]
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def constant_flow(dx: float, dy: float, size: int = SIZE) -> np.ndarray:
    flow = np.empty((size, size, 2), np.float32)
    flow[..., 0] = dx
    flow[..., 1] = dy
    return flow


@pytest.mark.parametrize("shift", [(0.3, -0.7), (1.6, 2.4), (-3.25, 0.5)])
@pytest.mark.parametrize(
    "method,preset", [("dis", "fast"), ("dis", "ultrafast"), ("farneback", "")]
)
def test_subpixel_translation_is_recovered(
    shift: tuple[float, float], method: str, preset: str
) -> None:
    img = smooth_texture()
    flow = compute_flow(img, shifted(img, *shift), method=method, preset=preset or "fast")
    assert flow.shape == (SIZE, SIZE, 2) and flow.dtype == np.float32
    interior = flow[32:-32, 32:-32] - np.array(shift, np.float32)
    assert np.abs(interior.mean(axis=(0, 1))).max() < 0.03
    assert np.median(np.abs(interior)) < 0.05
    limit = 0.1 if preset == "fast" else 0.15
    assert np.percentile(np.abs(interior), 95) < limit


def test_gray_and_rgb_frames_give_the_same_flow() -> None:
    img = smooth_texture()
    moved = shifted(img, 1.0, 0.5)
    est = FlowEstimator("dis", "fast")
    rgb = est(img, moved)
    gray = est(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.cvtColor(moved, cv2.COLOR_RGB2GRAY))
    np.testing.assert_allclose(rgb, gray, atol=1e-6)


def test_propagate_points_moves_by_the_shift() -> None:
    img = smooth_texture()
    flow = FlowEstimator("dis", "fast")(img, shifted(img, 2.3, -1.2))
    points = np.array([[60.5, 70.25], [128.0, 128.0], [190.7, 150.3]], np.float32)
    moved = propagate_points(points, flow)
    np.testing.assert_allclose(moved - points, [[2.3, -1.2]] * 3, atol=0.1)


def test_forward_backward_error_zero_when_consistent_large_when_broken() -> None:
    fw = constant_flow(3.0, -2.0)
    bw = constant_flow(-3.0, 2.0)
    err = forward_backward_error(fw, bw)
    assert err.shape == (SIZE, SIZE) and err.dtype == np.float32
    assert err.max() < 1e-5
    bw[100:120, 50:70] = (5.0, 5.0)  # broken spot in the backward flow
    err = forward_backward_error(fw, bw)
    # (55, 110) lands on (58, 108) inside the spot: (3, -2) + (5, 5) = (8, 3)
    assert err[110, 55] == pytest.approx(np.hypot(8.0, 3.0), abs=1e-4)
    assert err[110, 45] < 1e-5  # lands on (48, 108), outside the spot
    assert err[10, 10] < 1e-5


def test_forward_backward_error_on_real_flow_pair() -> None:
    img = smooth_texture()
    pair = FlowEstimator("dis", "fast").pair(img, shifted(img, 1.5, 0.5))
    assert np.median(pair.error[32:-32, 32:-32]) < 0.05


def test_sample_at_is_exact_on_linear_field() -> None:
    ys, xs = np.mgrid[0:40, 0:50].astype(np.float32)
    field = np.stack([2.0 * xs - 0.5 * ys + 3.0, 0.25 * xs + ys], axis=-1)
    pts = np.array([[0.0, 0.0], [3.3, 7.7], [48.9, 38.2], [49.0, 39.0], [12.5, 0.5]])
    expected = np.stack([2 * pts[:, 0] - 0.5 * pts[:, 1] + 3, 0.25 * pts[:, 0] + pts[:, 1]], 1)
    np.testing.assert_allclose(sample_at(field, pts), expected, atol=1e-4)
    np.testing.assert_allclose(sample_at(field[..., 0], pts), expected[:, 0], atol=1e-4)


def test_sample_at_clamps_at_the_border() -> None:
    ys, xs = np.mgrid[0:10, 0:10].astype(np.float32)
    values = sample_at(xs + 10 * ys, np.array([[-5.0, 4.0], [20.0, 4.0], [3.0, 50.0]]))
    np.testing.assert_allclose(values, [40.0, 49.0, 93.0], atol=1e-5)


def test_flow_jacobian_of_affine_flow() -> None:
    ys, xs = np.mgrid[0:64, 0:64].astype(np.float32)
    a = np.array([[0.1, -0.2], [0.05, 0.3]], np.float32)
    flow = np.stack([a[0, 0] * xs + a[0, 1] * ys, a[1, 0] * xs + a[1, 1] * ys], -1)
    jac = flow_jacobian_at(flow, np.array([[20.3, 30.6], [40.0, 10.0]]))
    assert jac.shape == (2, 2, 2)
    np.testing.assert_allclose(jac, np.broadcast_to(np.eye(2) + a, (2, 2, 2)), atol=1e-4)


def test_texture_strength_ranks_flat_edge_and_texture() -> None:
    img = np.full((64, 192), 128, np.uint8)
    img[:, 64:128] = np.where(np.arange(64) < 32, 40, 220)[None, :]  # vertical edge only
    img[:, 128:] = (smooth_texture(64, seed=3)[..., 0]).astype(np.uint8)
    flat, edge, textured = texture_strength(img, np.array([[32, 32], [96, 32], [160, 32]]))
    assert flat == pytest.approx(0.0, abs=1e-7)
    assert edge < 1e-6  # aperture problem: one gradient direction only
    assert textured > 1e-4


def test_bad_method_or_preset_names_the_allowed_values() -> None:
    with pytest.raises(ConfigError, match="dis, farneback"):
        FlowEstimator("lucas")
    with pytest.raises(ConfigError, match="ultrafast, fast, medium"):
        FlowEstimator("dis", "turbo")


def test_estimator_pickles_and_batch_matches_single_pairs() -> None:
    img = smooth_texture(64)
    est = FlowEstimator("dis", "ultrafast")
    single = est(img, shifted(img, 1.0, 1.0))
    clone = pickle.loads(pickle.dumps(est))
    flows, errors = clone.batch(np.stack([img, img]), np.stack([shifted(img, 1.0, 1.0), img]))
    assert flows.shape == (2, 64, 64, 2) and errors is not None and errors.shape == (2, 64, 64)
    np.testing.assert_allclose(flows[0], single, atol=1e-5)
    assert np.abs(flows[1]).max() < 1e-3

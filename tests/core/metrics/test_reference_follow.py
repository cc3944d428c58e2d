"""Landmark-follow NME/NMJ against a reference, and the warped-still noise floor: known answers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from flowmark_core.metrics.reference_follow import (
    apply_affine,
    landmark_follow,
    reference_noise_floor,
    split_blocks,
    warped_still_path,
)
from flowmark_core.metrics.reference_mesh import EYE_OUTER


def _track(frames: int = 40, points: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.uniform(20, 100, size=(points, 2))
    t = np.arange(frames)[:, None, None]
    motion = np.stack([5 * np.sin(t / 6.0), 3 * np.cos(t / 9.0)], axis=-1)[..., 0, :]
    wiggle = rng.normal(0, 2, size=(frames, points, 2))  # per-point motion: a full-rank fit
    return base[None] + motion + wiggle


def _eye_distance(ref: np.ndarray) -> np.ndarray:
    return np.linalg.norm(ref[:, EYE_OUTER[0]] - ref[:, EYE_OUTER[1]], axis=-1)


def test_split_blocks_alternates() -> None:
    np.testing.assert_array_equal(split_blocks(7, 2), [1, 1, 0, 0, 1, 1, 0])


def test_a_linear_image_of_the_keypoints_follows_perfectly() -> None:
    kp = _track()
    a = np.array([[1.2, 0.3], [-0.2, 0.9]])
    ref = kp @ a.T + np.array([7.0, -3.0])
    exact = landmark_follow(kp, ref, block=5, ridge=0.0)
    assert exact.nme < 1e-9 and exact.nmj < 1e-9
    assert exact.fit_frames == 20 and exact.scored_frames == 20
    shrunk = landmark_follow(kp, ref, block=5)  # the default ridge barely shrinks the map
    assert shrunk.nme < 0.01 and shrunk.nmj < 0.01


def test_jitter_of_the_reference_on_scored_frames_gives_the_known_nmj() -> None:
    kp = _track(points=4)
    ref = kp.copy()
    d = 0.5
    scored = ~split_blocks(len(kp), 5)
    sign = np.where(np.arange(len(kp)) % 2 == 0, 1.0, -1.0)
    ref[scored, :, 0] += (d * sign[scored])[:, None]
    score = landmark_follow(kp, ref, block=5, ridge=0.0)
    # Each scored transition changes every landmark's error by 2d in x.
    expected_nmj = np.sqrt(np.mean((2 * d / _eye_distance(ref)[scored]) ** 2))
    assert score.nmj == pytest.approx(expected_nmj, rel=0.02)
    assert score.nme == pytest.approx(np.mean(d / _eye_distance(ref)[scored]), rel=0.02)


def test_frames_without_a_reference_are_left_out() -> None:
    kp = _track()
    ref = kp * 1.1
    ref[3] = np.nan
    ref[7] = np.nan  # frame 3 is in a fit block, frame 7 in a scored one
    score = landmark_follow(kp, ref, block=5, ridge=0.0)
    assert score.fit_frames == 19 and score.scored_frames == 19
    assert score.nme < 1e-9


def _blob_image(points: np.ndarray, size: int = 160) -> np.ndarray:
    """Black image with a white Gaussian blob at each point (subpixel)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    img = np.zeros((size, size))
    for x, y in points:
        img += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 2.5**2))
    return np.repeat((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)[..., None], 3, axis=2)


def _blob_detector(noise: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)

    def detect(image: np.ndarray) -> np.ndarray:
        gray = image[..., 0].astype(np.float64)
        count, labels = cv2.connectedComponents((gray > 20).astype(np.uint8))
        centres = []
        for label in range(1, count):
            ys, xs = np.nonzero(labels == label)
            w = gray[ys, xs]
            centres.append((np.sum(xs * w) / w.sum(), np.sum(ys * w) / w.sum()))
        pts = np.array(sorted(centres))  # left to right: matches the blob order below
        return pts + rng.normal(0, noise, size=pts.shape)

    return detect


BLOBS = np.array([[40.0, 60.0], [60.0, 100.0], [80.0, 75.0], [120.0, 62.0]])
# EYE_OUTER = (0, 3): the outermost blobs stand for the eye corners (distance ~80 px).


def test_noise_floor_of_an_exact_detector_is_near_zero() -> None:
    floor = reference_noise_floor(_blob_image(BLOBS), _blob_detector(), frames=16)
    assert floor.frames_found == 16
    assert floor.nmj < 0.003  # only interpolation blur of the warp: < 0.25 px
    assert floor.iod_px == pytest.approx(80.0, rel=0.05)


def test_noise_floor_measures_the_detector_noise() -> None:
    sigma = 1.0
    floor = reference_noise_floor(_blob_image(BLOBS), _blob_detector(sigma, seed=3), frames=48)
    # Independent noise per frame: the error changes by sqrt(2)·sigma per axis.
    expected = np.sqrt(2 * 2) * sigma / floor.iod_px
    assert floor.nmj == pytest.approx(expected, rel=0.25)


def test_warped_still_path_is_smooth_and_seeded() -> None:
    a, b = warped_still_path(30, (100, 120), seed=4), warped_still_path(30, (100, 120), seed=4)
    np.testing.assert_array_equal(a, b)
    pts = np.stack([apply_affine(m, np.array([[60.0, 50.0]])) for m in a])[:, 0]
    second = np.linalg.norm(pts[2:] - 2 * pts[1:-1] + pts[:-2], axis=-1)
    assert second.max() < 0.2

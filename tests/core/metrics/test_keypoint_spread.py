"""Keypoint spread and region NME: known answers."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics.keypoint_spread import keypoint_spread, region_mask, region_nme


def test_spread_of_two_points_is_their_distance_over_the_face_size() -> None:
    track = np.array([[[0.0, 0.0], [30.0, 40.0]]] * 3)
    assert keypoint_spread(track, 100.0) == pytest.approx(0.5)


def test_spread_of_piled_up_points_is_zero_and_scales_with_the_face() -> None:
    piled = np.zeros((4, 10, 2))
    assert keypoint_spread(piled, 50.0) == 0.0
    square = np.array([[[0, 0], [10, 0], [0, 10], [10, 10]]], dtype=float)
    # pairs: four sides of 10 and two diagonals of 10·√2 -> mean (40 + 20√2) / 6
    expected = (40 + 20 * np.sqrt(2)) / 6 / 20.0
    assert keypoint_spread(square, np.array([20.0])) == pytest.approx(expected)


def test_region_nme_counts_only_that_regions_landmarks() -> None:
    names = ["right_eye_outer", "left_pupil", "mouth_left", "upper_lip", "chin"]
    np.testing.assert_array_equal(region_mask(names, "eyes"), [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(region_mask(names, "mouth"), [0, 0, 1, 1, 0])
    gt = np.array([[[0, 0], [10, 0], [0, 10], [10, 10], [5, 5]]], dtype=float)  # box 10x10
    pred = gt.copy()
    pred[0, 2] += [2.0, 0.0]  # mouth_left off by 2 px
    assert region_nme(pred, gt, None, names, "eyes") == 0.0
    assert region_nme(pred, gt, None, names, "mouth") == pytest.approx(0.1)  # mean(0.2, 0)

"""Keypoint colours tell the first ten keypoints apart (keypoints 2 and 8
were yellow and lime, 28 apart in CIELAB)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from flowmark_core.drawing import KEYPOINT_COLOURS, keypoint_colour


def _lab(rgb: tuple[int, int, int]) -> np.ndarray:
    lab = cv2.cvtColor(np.uint8([[rgb]]), cv2.COLOR_RGB2LAB)[0, 0].astype(np.float64)
    return lab * np.array([100 / 255, 1.0, 1.0])  # OpenCV scales L to 0..255


def test_the_first_ten_keypoints_have_distinct_colours() -> None:
    colours = [keypoint_colour(k) for k in range(10)]
    distances = {
        (i, j): float(np.linalg.norm(_lab(a) - _lab(b)))
        for (i, a), (j, b) in itertools.combinations(enumerate(colours), 2)
    }
    assert min(distances.values()) > 29.0, min(distances.items(), key=lambda kv: kv[1])
    assert distances[(2, 8)] > 60.0


def test_every_colour_is_used_once() -> None:
    assert len(set(KEYPOINT_COLOURS)) == len(KEYPOINT_COLOURS)

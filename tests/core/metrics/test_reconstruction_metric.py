"""Known-answer tests of `reconstruction_l1`."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics import reconstruction_l1


def test_identical_videos_give_zero() -> None:
    video = np.random.default_rng(0).integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    assert reconstruction_l1(video, video.copy()) == 0.0


def test_uint8_and_float_inputs_share_one_scale() -> None:
    real = np.full((4, 4, 3), 255, np.uint8)
    assert reconstruction_l1(real, np.ones((4, 4, 3), np.float32)) == pytest.approx(0.0)
    assert reconstruction_l1(real, np.full((4, 4, 3), 0.75)) == pytest.approx(0.25)


def test_known_difference() -> None:
    real = np.zeros((2, 4, 4, 3))
    generated = real.copy()
    generated[0] = 0.5  # half the frames off by 0.5 -> mean 0.25
    assert reconstruction_l1(real, generated) == pytest.approx(0.25)


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="shape"):
        reconstruction_l1(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))

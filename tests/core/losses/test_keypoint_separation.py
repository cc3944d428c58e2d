"""The keypoint separation prior on hand-made keypoints with known answers."""

import math

import pytest
import torch

from flowmark_core.config import LossConfig
from flowmark_core.errors import ConfigError
from flowmark_core.losses.keypoint_separation import keypoint_separation_loss


def test_coincident_keypoints_give_one() -> None:
    values = torch.zeros(2, 5, 2)
    assert float(keypoint_separation_loss(values, sigma=0.1)) == pytest.approx(1.0)


def test_two_keypoints_at_a_known_distance() -> None:
    values = torch.tensor([[[0.0, 0.0], [0.3, 0.4]]])  # distance 0.5
    expected = math.exp(-0.25 / (2 * 0.2**2))
    assert float(keypoint_separation_loss(values, sigma=0.2)) == pytest.approx(expected, rel=1e-6)


def test_far_apart_keypoints_give_almost_nothing_and_one_keypoint_gives_zero() -> None:
    corners = torch.tensor([[[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]])
    assert float(keypoint_separation_loss(corners, sigma=0.1)) < 1e-40
    assert float(keypoint_separation_loss(torch.zeros(3, 1, 2), sigma=0.1)) == 0.0


def test_mean_over_pairs_of_three_keypoints() -> None:
    # Two coincide (pair kernel 1, counted twice as ordered pairs); the third is far away.
    values = torch.tensor([[[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]])
    assert float(keypoint_separation_loss(values, sigma=0.05)) == pytest.approx(2 / 6, abs=1e-6)


def test_gradient_pushes_close_keypoints_apart() -> None:
    values = torch.tensor([[[0.0, 0.0], [0.05, 0.0]]], requires_grad=True)
    keypoint_separation_loss(values, sigma=0.1).backward()
    grad = values.grad[0]
    assert grad[0, 0] > 0 > grad[1, 0]  # descent moves the left one left, the right one right
    assert torch.allclose(grad[:, 1], torch.zeros(2))


def test_sigma_must_be_positive() -> None:
    with pytest.raises(ValueError, match="sigma"):
        keypoint_separation_loss(torch.zeros(1, 2, 2), sigma=0.0)
    with pytest.raises(ConfigError, match="keypoint_separation_sigma"):
        LossConfig(keypoint_separation_sigma=-1.0)

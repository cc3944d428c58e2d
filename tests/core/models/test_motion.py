"""Sparse motions, Gaussians and the anti-alias downsampler against hand-computed answers."""

import torch

from flowmark_core.geometry import keypoint_gaussians, make_coordinate_grid
from flowmark_core.models.blocks import AntiAliasDownsample
from flowmark_core.models.keypoints import Keypoints
from flowmark_core.models.motion import sparse_motions


def test_identity_keypoints_give_identity_sparse_motions() -> None:
    kp_value = torch.rand(2, 4, 2) * 2 - 1
    eye = torch.eye(2).expand(2, 4, 2, 2)
    kp = Keypoints(kp_value, eye)
    motions = sparse_motions(16, 12, kp, Keypoints(kp_value.clone(), eye.clone()))
    grid = make_coordinate_grid(16, 12)
    assert motions.shape == (2, 5, 16, 12, 2)
    assert torch.allclose(motions, grid.expand_as(motions), atol=1e-6)


def test_sparse_motion_is_first_order_formula() -> None:
    kp_s = Keypoints(torch.tensor([[[0.2, -0.1]]]), torch.tensor([[[[1.2, 0.1], [0.0, 0.9]]]]))
    kp_d = Keypoints(torch.tensor([[[-0.3, 0.4]]]), torch.tensor([[[[0.8, 0.0], [0.2, 1.1]]]]))
    motions = sparse_motions(5, 5, kp_s, kp_d)
    z = make_coordinate_grid(5, 5)[3, 1]
    jac = kp_s.jacobian[0, 0] @ torch.inverse(kp_d.jacobian[0, 0])
    expected = kp_s.value[0, 0] + jac @ (z - kp_d.value[0, 0])
    assert torch.allclose(motions[0, 1, 3, 1], expected, atol=1e-6)


def test_coordinate_grid_convention() -> None:
    grid = make_coordinate_grid(3, 5)
    assert torch.allclose(grid[0, 0], torch.tensor([-1.0, -1.0]))
    assert torch.allclose(grid[2, 4], torch.tensor([1.0, 1.0]))
    assert torch.allclose(grid[1, 1], torch.tensor([-0.5, 0.0]))


def test_gaussian_peaks_at_keypoint_with_published_variance() -> None:
    g = keypoint_gaussians(torch.tensor([[[0.0, 0.0]]]), 5, 5)
    assert float(g[0, 0, 2, 2]) == 1.0
    assert abs(float(g[0, 0, 2, 3]) - float(torch.exp(torch.tensor(-0.5 * 0.25 / 0.01)))) < 1e-7


def test_anti_alias_kernel_matches_published_size() -> None:
    down = AntiAliasDownsample(3, 0.25)
    assert tuple(down.weight.shape) == (3, 1, 13, 13)
    assert torch.allclose(down.weight.sum(dim=(2, 3)), torch.ones(3, 1))
    x = torch.rand(1, 3, 64, 64)
    assert down(x).shape == (1, 3, 16, 16)
    const = torch.full((1, 3, 64, 64), 0.5)
    assert torch.allclose(down(const)[..., 4:-4, 4:-4], torch.full((1, 3, 8, 8), 0.5), atol=1e-6)
    assert torch.equal(AntiAliasDownsample(3, 1.0)(x), x)

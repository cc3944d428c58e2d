"""Reconstruction and equivariance losses on known answers."""

import torch

from flowmark_core.losses.equivariance import RandomWarp, equivariance_losses
from flowmark_core.losses.reconstruction import ReconstructionLoss
from flowmark_core.losses.ssim import ssim
from flowmark_core.models.keypoints import Keypoints


def test_reconstruction_is_zero_for_identical_images_and_positive_otherwise() -> None:
    loss = ReconstructionLoss((1.0, 0.5, 0.25, 0.125), None, (10.0,) * 5, 10.0, 5.0)
    x = torch.rand(2, 3, 64, 64)
    assert float(loss(x, x)) < 1e-5
    assert float(loss(x, 1 - x)) > 1.0
    assert loss.kind == "L1 + SSIM pyramid"


def test_ssim_of_identical_images_is_one() -> None:
    x = torch.rand(1, 3, 32, 32)
    assert abs(float(ssim(x, x)) - 1.0) < 1e-5
    assert float(ssim(x, torch.rand(1, 3, 32, 32))) < 0.5


def test_identity_warp_gives_zero_equivariance_loss() -> None:
    warp = RandomWarp(torch.tensor([1, 2]), sigma_affine=0.0, sigma_tps=0.0, points_tps=5)
    kp = Keypoints(torch.rand(2, 4, 2) * 2 - 1, torch.eye(2).expand(2, 4, 2, 2).clone())
    value, jac = equivariance_losses(kp, kp, warp)
    assert float(value.detach()) < 1e-6 and jac is not None and float(jac.detach()) < 1e-5


def test_warp_of_points_matches_warp_of_image() -> None:
    warp = RandomWarp(torch.tensor([7]), sigma_affine=0.05, sigma_tps=0.005, points_tps=5)
    # A bright dot at warp(p) in the original shows up at p in the warped image.
    p = torch.tensor([[[0.1, -0.2]]])
    q = warp.warp_coordinates(p)[0, 0]
    s = 65
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, s), torch.linspace(-1, 1, s), indexing="ij")
    img = torch.exp(-((xs - q[0]) ** 2 + (ys - q[1]) ** 2) / 0.002)[None, None].expand(1, 3, s, s)
    warped = warp.warp_image(img.contiguous())[0, 0]
    idx = int(torch.argmax(warped))
    y, x = divmod(idx, s)
    found = torch.tensor([x, y], dtype=torch.float32) * 2 / (s - 1) - 1
    assert torch.allclose(found, p[0, 0], atol=2.5 / s)


def test_per_sample_seeds_make_warps_independent_of_batch_layout() -> None:
    a = RandomWarp(torch.tensor([5, 9]), 0.05, 0.005, 5)
    b = RandomWarp(torch.tensor([9]), 0.05, 0.005, 5)
    assert torch.equal(a.theta[1], b.theta[0])

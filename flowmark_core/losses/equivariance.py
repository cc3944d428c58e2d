"""Equivariance of keypoints under random affine + thin-plate-spline warps.

A random warp g maps coordinates of the warped image to coordinates of the original. For a
frame D and D' = D∘g, keypoints must satisfy kp(D) ≈ g(kp(D')) and, for Jacobians,
J(D) ≈ (∂g/∂z at kp(D')) · J(D').
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from flowmark_core.geometry import make_coordinate_grid
from flowmark_core.models.keypoints import Keypoints


class RandomWarp:
    """A batch of random affine + TPS warps, drawn per sample from per-sample seeds.

    Args:
        seeds: (B,) integer seeds (so the warp of a sample does not depend on batch layout).
    """

    def __init__(
        self,
        seeds: torch.Tensor,
        sigma_affine: float,
        sigma_tps: float,
        points_tps: int,
        device: torch.device | str = "cpu",
    ) -> None:
        thetas, params = [], []
        n = points_tps * points_tps
        for seed in seeds.tolist():
            gen = torch.Generator().manual_seed(int(seed))
            thetas.append(torch.randn(2, 3, generator=gen) * sigma_affine)
            params.append(torch.randn(1, n, generator=gen) * sigma_tps)
        eye = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        self.theta = (torch.stack(thetas) + eye).to(device)  # (B, 2, 3)
        self.control_params = torch.stack(params).to(device)  # (B, 1, n)
        self.control_points = make_coordinate_grid(points_tps, points_tps, device=device).view(
            1, 1, n, 2
        )

    def warp_coordinates(self, coords: torch.Tensor) -> torch.Tensor:
        """Apply the warp to points.

        Shape:
            coords: (B, N, 2) -> (B, N, 2).
        """
        theta = self.theta.to(coords.dtype)
        out = torch.einsum("bij,bnj->bni", theta[:, :, :2], coords) + theta[:, None, :, 2]
        dist = (coords.unsqueeze(2) - self.control_points.to(coords.dtype)).abs().sum(-1)
        radial = dist**2 * torch.log(dist + 1e-6)
        tps = (radial * self.control_params.to(coords.dtype)).sum(-1, keepdim=True)
        return out + tps

    def jacobian(self, coords: torch.Tensor) -> torch.Tensor:
        """d warp / d coords at each point, by autograd (differentiable).

        Shape:
            coords: (B, N, 2) -> (B, N, 2, 2).
        """
        with torch.enable_grad():
            c = coords if coords.requires_grad else coords.detach().requires_grad_(True)
            warped = self.warp_coordinates(c)
            gx = torch.autograd.grad(warped[..., 0].sum(), c, create_graph=True)[0]
            gy = torch.autograd.grad(warped[..., 1].sum(), c, create_graph=True)[0]
        return torch.stack([gx, gy], dim=-2)

    def warp_image(self, image: torch.Tensor) -> torch.Tensor:
        """The image seen through the warp (reflection padding).

        Shape:
            image: (B, C, H, W) -> same.
        """
        b, _, h, w = image.shape
        grid = (
            make_coordinate_grid(h, w, image.dtype, image.device)
            .view(1, h * w, 2)
            .expand(b, -1, -1)
        )
        grid = self.warp_coordinates(grid).view(b, h, w, 2)
        return F.grid_sample(
            image, grid, mode="bilinear", padding_mode="reflection", align_corners=True
        )


def equivariance_losses(
    kp: Keypoints, kp_warped: Keypoints, warp: RandomWarp
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(value loss, jacobian loss): L1 of kp - g(kp'), and of I - J^-1 (∂g · J')."""
    value_loss = (kp.value - warp.warp_coordinates(kp_warped.value)).abs().mean()
    jac_loss = None
    if kp.jacobian is not None and kp_warped.jacobian is not None:
        jac_warped = torch.matmul(warp.jacobian(kp_warped.value), kp_warped.jacobian)
        product = torch.matmul(torch.inverse(kp.jacobian), jac_warped)
        eye = torch.eye(2, dtype=product.dtype, device=product.device)
        jac_loss = (eye - product).abs().mean()
    return value_loss, jac_loss

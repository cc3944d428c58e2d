"""Dense motion network: from keypoints to a dense backward deformation and an occlusion map.

For K keypoints, K+1 sparse motions are built (background identity first):
T_{S<-D}(z) = kp_S + J_S J_D^{-1} (z - kp_D). The source is warped by each, stacked with the
Gaussian heatmap differences, and an hourglass predicts softmax masks that blend the sparse
motions into one dense field, plus an occlusion map.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from flowmark_core.config import ModelConfig
from flowmark_core.geometry import inverse_2x2, keypoint_gaussians, make_coordinate_grid
from flowmark_core.models.blocks import AntiAliasDownsample, Hourglass, is_unit_scale
from flowmark_core.models.keypoints import Keypoints


@dataclass(frozen=True)
class MotionField:
    """Output of the dense motion network.

    Shape:
        deformation: (B, h, w, 2) normalised sampling grid (where each output pixel comes from
        in the source); occlusion: (B, 1, h, w) in [0, 1] or None; mask: (B, K+1, h, w).
    """

    deformation: torch.Tensor
    occlusion: torch.Tensor | None
    mask: torch.Tensor


def sparse_motions(
    height: int, width: int, kp_source: Keypoints, kp_driving: Keypoints
) -> torch.Tensor:
    """K+1 sparse backward motions, the identity (background) first.

    Shape:
        output: (B, K+1, height, width, 2).
    """
    vs, vd = kp_source.value, kp_driving.value
    b, k, _ = vd.shape
    grid = make_coordinate_grid(height, width, vs.dtype, vs.device).view(1, 1, height, width, 2)
    coords = grid - vd.view(b, k, 1, 1, 2)
    if kp_source.jacobian is not None and kp_driving.jacobian is not None:
        jac = torch.matmul(kp_source.jacobian, inverse_2x2(kp_driving.jacobian))
        coords = torch.einsum("bkij,bkhwj->bkhwi", jac, coords)
    motions = coords + vs.view(b, k, 1, 1, 2)
    return torch.cat([grid.expand(b, 1, height, width, 2), motions], dim=1)


def heatmap_differences(
    height: int, width: int, kp_source: Keypoints, kp_driving: Keypoints, variance: float
) -> torch.Tensor:
    """Gaussian(kp_driving) - Gaussian(kp_source), a zero map prepended for the background.

    Shape:
        output: (B, K+1, 1, height, width).
    """
    diff = keypoint_gaussians(kp_driving.value, height, width, variance) - keypoint_gaussians(
        kp_source.value, height, width, variance
    )
    zeros = torch.zeros_like(diff[:, :1])
    return torch.cat([zeros, diff], dim=1).unsqueeze(2)


class DenseMotionNetwork(nn.Module):
    """Predicts the dense deformation and occlusion from keypoints and the source image."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        dc = config.generator.dense_motion
        k, c = config.num_kp, config.num_channels
        self.num_kp = k
        self.variance = config.kp_variance
        self.align_corners = config.align_corners
        self.hourglass = Hourglass(
            dc.block_expansion, (k + 1) * (c + 1), dc.num_blocks, dc.max_features
        )
        self.mask = nn.Conv2d(self.hourglass.out_filters, k + 1, kernel_size=7, padding=3)
        self.occlusion = (
            nn.Conv2d(self.hourglass.out_filters, 1, kernel_size=7, padding=3)
            if config.generator.estimate_occlusion_map
            else None
        )
        self.down = (
            None if is_unit_scale(dc.scale_factor) else AntiAliasDownsample(c, dc.scale_factor)
        )

    def downsample(self, source: torch.Tensor) -> torch.Tensor:
        """The source at this network's working resolution (cacheable per source)."""
        return source if self.down is None else self.down(source)

    def forward(
        self, source_small: torch.Tensor, kp_source: Keypoints, kp_driving: Keypoints
    ) -> MotionField:
        """Dense motion from the downsampled source (see `downsample`) and both keypoint sets.

        Shape:
            source_small: (B, C, h, w).
        """
        b, c, h, w = source_small.shape
        k1 = self.num_kp + 1
        heat = heatmap_differences(h, w, kp_source, kp_driving, self.variance)
        motions = sparse_motions(h, w, kp_source, kp_driving)
        repeated = source_small.unsqueeze(1).expand(b, k1, c, h, w).reshape(b * k1, c, h, w)
        deformed = F.grid_sample(
            repeated,
            motions.reshape(b * k1, h, w, 2).to(repeated.dtype),
            mode="bilinear",
            padding_mode="zeros",
            align_corners=self.align_corners,
        ).view(b, k1, c, h, w)
        x = torch.cat([heat.to(deformed.dtype), deformed], dim=2).view(b, k1 * (c + 1), h, w)
        features = self.hourglass(x)
        mask = F.softmax(self.mask(features).float(), dim=1)
        deformation = torch.einsum("bkhw,bkhwc->bhwc", mask, motions.float())
        occlusion = None
        if self.occlusion is not None:
            occlusion = torch.sigmoid(self.occlusion(features).float())
        return MotionField(deformation=deformation, occlusion=occlusion, mask=mask)

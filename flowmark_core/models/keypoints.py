"""Keypoint detector: hourglass -> softmax heatmaps -> soft-argmax keypoints + 2x2 Jacobians."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from flowmark_core.config import ModelConfig
from flowmark_core.geometry import soft_argmax, spatial_softmax
from flowmark_core.models.blocks import AntiAliasDownsample, Hourglass, is_unit_scale


@dataclass(frozen=True)
class Keypoints:
    """Keypoints of a batch of images.

    Shape:
        value: (B, K, 2) normalised (x, y) in [-1, 1]; jacobian: (B, K, 2, 2) or None;
        heatmap: (B, K, h, w) softmax maps (each sums to 1) or None.
    """

    value: torch.Tensor
    jacobian: torch.Tensor | None = None
    heatmap: torch.Tensor | None = None

    def detach(self) -> Keypoints:
        """A copy cut from the autograd graph."""
        return Keypoints(
            self.value.detach(),
            None if self.jacobian is None else self.jacobian.detach(),
            None if self.heatmap is None else self.heatmap.detach(),
        )


class KeypointDetector(nn.Module):
    """Detects `num_kp` keypoints (and local affine Jacobians) in an image in [0, 1]."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        kc = config.kp_detector
        self.num_kp = config.num_kp
        self.temperature = kc.temperature
        self.predictor = Hourglass(
            kc.block_expansion, config.num_channels, kc.num_blocks, kc.max_features
        )
        self.kp = nn.Conv2d(
            self.predictor.out_filters, config.num_kp, kernel_size=7, padding=kc.pad
        )
        self.num_jacobian_maps = 0
        self.jacobian: nn.Conv2d | None = None
        if config.estimate_jacobian:
            self.num_jacobian_maps = 1 if kc.single_jacobian_map else config.num_kp
            jacobian = nn.Conv2d(
                self.predictor.out_filters,
                4 * self.num_jacobian_maps,
                kernel_size=7,
                padding=kc.pad,
            )
            with torch.no_grad():
                jacobian.weight.zero_()
                ident = torch.tensor([1.0, 0.0, 0.0, 1.0]).repeat(self.num_jacobian_maps)
                jacobian.bias.copy_(ident)  # type: ignore[union-attr]  # bias=True: never None
            self.jacobian = jacobian
        self.down = (
            None
            if is_unit_scale(kc.scale_factor)
            else AntiAliasDownsample(config.num_channels, kc.scale_factor)
        )

    def forward(self, image: torch.Tensor) -> Keypoints:
        """Detect keypoints.

        Shape:
            image: (B, C, H, W) in [0, 1]; returns Keypoints with value (B, K, 2).
        """
        x = image if self.down is None else self.down(image)
        features = self.predictor(x)
        heatmap = spatial_softmax(self.kp(features).float(), self.temperature)
        value = soft_argmax(heatmap)
        jacobian = None
        if self.jacobian is not None:
            b, k, h, w = heatmap.shape
            jmap = self.jacobian(features).float().view(b, self.num_jacobian_maps, 4, h, w)
            if self.num_jacobian_maps == 1:
                jmap = jmap.expand(b, k, 4, h, w)
            jacobian = torch.einsum("bkhw,bkchw->bkc", heatmap, jmap).view(b, k, 2, 2)
        return Keypoints(value=value, jacobian=jacobian, heatmap=heatmap)

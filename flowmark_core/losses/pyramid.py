"""Anti-aliased image pyramid for multi-scale losses."""

from __future__ import annotations

import torch
from torch import nn

from flowmark_core.models.blocks import AntiAliasDownsample


class ImagePyramid(nn.Module):
    """Returns the image at each scale (1, 1/2, 1/4, ...), anti-aliased before subsampling."""

    def __init__(self, scales: tuple[float, ...], channels: int = 3) -> None:
        super().__init__()
        self.scales = tuple(scales)
        self.downs = nn.ModuleList([AntiAliasDownsample(channels, s) for s in self.scales])

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """Shape: image (B, C, H, W) -> list of (B, C, H*s, W*s)."""
        return [down(image) for down in self.downs]

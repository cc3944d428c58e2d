"""Occlusion-aware generator with a cached source encoding.

`encode(source, kp_source)` computes everything that depends on the source only
(`SourceState`); `render(state, kp_driving)` computes one output frame. A video of N frames
therefore encodes the source once, not N times.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from flowmark_core.config import ModelConfig
from flowmark_core.geometry import warp
from flowmark_core.models.blocks import DownBlock2d, ResBlock2d, SameBlock2d, UpBlock2d
from flowmark_core.models.keypoints import Keypoints
from flowmark_core.models.motion import DenseMotionNetwork, MotionField

SKIP_MASK_INIT_BIAS = -2.0
"""A fresh image-skip mask starts at sigmoid(-2) = 0.12: mostly the decoded image, so adding
the skip to a trained generator does not disturb it at the first step."""


@dataclass(frozen=True)
class SourceState:
    """Everything about the source that rendering needs, computed once.

    Shape:
        image: (B, C, H, W); features: (B, F, H/2^n, W/2^n); small_image: (B, C, h, w).
    """

    image: torch.Tensor
    keypoints: Keypoints
    features: torch.Tensor
    small_image: torch.Tensor


@dataclass(frozen=True)
class GeneratorOutput:
    """A rendered frame and the motion that produced it.

    Shape:
        prediction: (B, C, H, W) in [0, 1]; motion: see `MotionField`.
    """

    prediction: torch.Tensor
    motion: MotionField


class Generator(nn.Module):
    """Warps encoded source features by the dense motion and decodes the driven frame."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        gc = config.generator
        e, m, n = gc.block_expansion, gc.max_features, gc.num_down_blocks
        self.align_corners = config.align_corners
        self.dense_motion_network = DenseMotionNetwork(config)
        self.first = SameBlock2d(config.num_channels, e, kernel_size=7)
        self.down_blocks = nn.ModuleList(
            [DownBlock2d(min(m, e * 2**i), min(m, e * 2 ** (i + 1))) for i in range(n)]
        )
        self.up_blocks = nn.ModuleList(
            [UpBlock2d(min(m, e * 2 ** (n - i)), min(m, e * 2 ** (n - i - 1))) for i in range(n)]
        )
        self.bottleneck = nn.Sequential()
        for i in range(gc.num_bottleneck_blocks):
            self.bottleneck.add_module(f"r{i}", ResBlock2d(min(m, e * 2**n)))
        self.final = nn.Conv2d(e, config.num_channels, kernel_size=7, padding=3)
        self.skip_mask: nn.Conv2d | None = None
        if gc.image_skip:
            mask = nn.Conv2d(e, 1, kernel_size=7, padding=3)
            nn.init.zeros_(mask.weight)
            nn.init.constant_(mask.bias, SKIP_MASK_INIT_BIAS)  # type: ignore[arg-type]  # bias=True: never None
            self.skip_mask = mask

    def encode(self, source: torch.Tensor, kp_source: Keypoints) -> SourceState:
        """Encode the source image once.

        Shape:
            source: (B, C, H, W) in [0, 1].
        """
        out = self.first(source)
        for block in self.down_blocks:
            out = block(out)
        small = self.dense_motion_network.downsample(source)
        return SourceState(image=source, keypoints=kp_source, features=out, small_image=small)

    def motion(self, state: SourceState, kp_driving: Keypoints) -> MotionField:
        """The dense motion that poses the source like `kp_driving` (the dense motion network)."""
        return self.dense_motion_network(state.small_image, state.keypoints, kp_driving)

    def decode(self, state: SourceState, motion: MotionField) -> GeneratorOutput:
        """Warp the source features by `motion`, mask occlusions and decode the frame."""
        out = warp(state.features, motion.deformation, self.align_corners)
        if motion.occlusion is not None:
            occ = motion.occlusion
            if occ.shape[2:] != out.shape[2:]:
                occ = F.interpolate(
                    occ, size=out.shape[2:], mode="bilinear", align_corners=self.align_corners
                )
            out = out * occ.to(out.dtype)
        out = self.bottleneck(out)
        for block in self.up_blocks:
            out = block(out)
        prediction = torch.sigmoid(self.final(out).float())
        if self.skip_mask is not None:
            mask = torch.sigmoid(self.skip_mask(out).float())
            warped = warp(state.image.float(), motion.deformation.float(), self.align_corners)
            prediction = mask * warped + (1.0 - mask) * prediction
        return GeneratorOutput(prediction=prediction, motion=motion)

    def render(self, state: SourceState, kp_driving: Keypoints) -> GeneratorOutput:
        """Render the source as posed by the driving keypoints (`motion` then `decode`)."""
        return self.decode(state, self.motion(state, kp_driving))

    def forward(
        self, source: torch.Tensor, kp_source: Keypoints, kp_driving: Keypoints
    ) -> GeneratorOutput:
        """One-shot: encode the source and render (same result as encode + render)."""
        return self.render(self.encode(source, kp_source), kp_driving)

"""The full motion model: keypoint detector + generator, with a source cache."""

from __future__ import annotations

import torch
from torch import nn

from flowmark_core.config import ModelConfig
from flowmark_core.models.generator import Generator, GeneratorOutput, SourceState
from flowmark_core.models.keypoints import KeypointDetector, Keypoints


class MotionModel(nn.Module):
    """Keypoint detector and generator; state-dict keys `kp_detector.*`, `generator.*`."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.kp_detector = KeypointDetector(config)
        self.generator = Generator(config)

    def detect(self, image: torch.Tensor) -> Keypoints:
        """Keypoints of a batch of images (B, C, H, W) in [0, 1]."""
        return self.kp_detector(image)

    def encode_source(self, image: torch.Tensor) -> SourceState:
        """Detect the source keypoints and encode the source once."""
        return self.generator.encode(image, self.kp_detector(image))

    def render(self, state: SourceState, kp_driving: Keypoints) -> GeneratorOutput:
        """Render the cached source posed by `kp_driving`."""
        return self.generator.render(state, kp_driving)

    def forward(self, source: torch.Tensor, driving: torch.Tensor) -> GeneratorOutput:
        """Reconstruct `driving` from `source` (the training forward pass)."""
        return self.render(self.encode_source(source), self.kp_detector(driving))


def build_model(config: ModelConfig) -> MotionModel:
    """Build the motion model described by `config`."""
    return MotionModel(config)

"""Multi-scale reconstruction loss: VGG-19 perceptual when weights are given, else L1 + SSIM."""

from __future__ import annotations

import torch
from torch import nn

from flowmark_core.losses.pyramid import ImagePyramid
from flowmark_core.losses.ssim import ssim
from flowmark_core.losses.vgg import VGG19Features


class ReconstructionLoss(nn.Module):
    """Pyramid loss between prediction and target.

    With `vgg`: sum over scales and VGG layers of weight_i * mean |phi_i(pred) - phi_i(target)|
    (the published perceptual loss). Without: sum over scales of
    l1_weight * mean |pred - target| + ssim_weight * (1 - SSIM).
    """

    def __init__(
        self,
        scales: tuple[float, ...],
        vgg: VGG19Features | None,
        perceptual_weights: tuple[float, ...],
        l1_weight: float,
        ssim_weight: float,
    ) -> None:
        super().__init__()
        self.pyramid = ImagePyramid(scales)
        self.vgg = vgg
        self.perceptual_weights = perceptual_weights
        self.l1_weight = l1_weight
        self.ssim_weight = ssim_weight

    @property
    def kind(self) -> str:
        """Human-readable name of the loss in use (for the log)."""
        return "VGG-19 perceptual pyramid" if self.vgg is not None else "L1 + SSIM pyramid"

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        total = prediction.new_zeros(())
        for pred_s, target_s in zip(self.pyramid(prediction), self.pyramid(target.detach())):
            if self.vgg is not None:
                feats_p = self.vgg(pred_s)
                with torch.no_grad():
                    feats_t = self.vgg(target_s)
                for w, fp, ft in zip(self.perceptual_weights, feats_p, feats_t):
                    total = total + w * (fp - ft).abs().mean()
            else:
                total = total + self.l1_weight * (pred_s - target_s).abs().mean()
                if self.ssim_weight > 0:
                    total = total + self.ssim_weight * (1 - ssim(pred_s, target_s))
        return total

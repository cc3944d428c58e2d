"""Keep the photo's colours: undo the generator's colour cast, measured once per source.

A generator trained on other faces renders a real photo with a cast of its own that varies
over the image (darker here, a red or magenta tint there; `docs/results.md`, "Real faces:
per-region follow"). It belongs to the source's content, so it is measured once: the source
rendered with its own keypoints (no motion) is compared with the source, and the difference,
blurred so that only colour and shading remain (not the detail the model cannot carry), is
the correction. Each prediction adds the correction warped by the frame's own dense motion,
so the correction moves with the face it belongs to.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from flowmark_core.geometry import warp

BLUR_FRACTION = 1.0 / 10.0
"""Gaussian sigma of the correction as a fraction of the model's side (13 px at 128 px; 1/5
left more of the cast in the background of real portraits, 1/32 over-brightened the face)."""


def _gaussian_blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur with reflected borders. Shape: (B, C, H, W) -> same."""
    radius = max(1, round(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32, device=image.device)
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    kernel = kernel / kernel.sum()
    c = image.shape[1]
    out = F.pad(image.float(), (radius, radius, radius, radius), mode="reflect")
    out = F.conv2d(out, kernel.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(out, kernel.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


class ColourCorrection:
    """The generator's colour cast on one source, ready to be taken off each prediction.

    Args:
        source: the source as the model sees it, in [0, 1].
        identity_render: the model's rendering of the source with its own keypoints.

    Shape:
        source, identity_render: (1, 3, S, S).
    """

    def __init__(self, source: torch.Tensor, identity_render: torch.Tensor) -> None:
        sigma = BLUR_FRACTION * source.shape[-1]
        self.field = _gaussian_blur(source.float() - identity_render.float(), sigma)

    def apply(
        self, prediction: torch.Tensor, deformation: torch.Tensor, align_corners: bool
    ) -> torch.Tensor:
        """`prediction` plus the correction warped by the frame's deformation, in [0, 1].

        Shape:
            prediction: (B, 3, S, S); deformation: (B, h, w, 2); output: like prediction.
        """
        field = self.field.to(prediction.device)
        moved = warp(field.expand(len(deformation), -1, -1, -1), deformation, align_corners)
        return (prediction.float() + moved).clamp(0.0, 1.0).to(prediction.dtype)

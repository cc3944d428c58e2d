"""Structural similarity (SSIM) with a Gaussian window, differentiable."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _gaussian_window(size: int, sigma: float, channels: int, like: torch.Tensor) -> torch.Tensor:
    coords = torch.arange(size, dtype=like.dtype, device=like.device) - (size - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(channels, 1, size, size).contiguous()


def ssim(x: torch.Tensor, y: torch.Tensor, window: int = 7, sigma: float = 1.5) -> torch.Tensor:
    """Mean SSIM of two image batches in [0, 1] (1 = identical).

    Shape:
        x, y: (B, C, H, W); output: scalar. The window shrinks for tiny images.
    """
    c = x.shape[1]
    size = min(window, x.shape[2], x.shape[3])
    size = size if size % 2 == 1 else size - 1
    w = _gaussian_window(size, sigma, c, x)
    pad = size // 2
    mu_x = F.conv2d(F.pad(x, [pad] * 4, mode="replicate"), w, groups=c)
    mu_y = F.conv2d(F.pad(y, [pad] * 4, mode="replicate"), w, groups=c)
    sxx = F.conv2d(F.pad(x * x, [pad] * 4, mode="replicate"), w, groups=c) - mu_x**2
    syy = F.conv2d(F.pad(y * y, [pad] * 4, mode="replicate"), w, groups=c) - mu_y**2
    sxy = F.conv2d(F.pad(x * y, [pad] * 4, mode="replicate"), w, groups=c) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2)
    return (num / den).mean()

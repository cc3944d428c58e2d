"""Multi-scale patch discriminator with feature matching (used only when GAN losses are on)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from flowmark_core.config import DiscriminatorConfig


class _DiscBlock(nn.Module):
    """conv 4x4 (optionally spectral-normalised) -> instance norm -> LeakyReLU -> avg pool."""

    def __init__(self, cin: int, cout: int, norm: bool, pool: bool, sn: bool) -> None:
        super().__init__()
        conv = nn.Conv2d(cin, cout, kernel_size=4)
        self.conv = nn.utils.parametrizations.spectral_norm(conv) if sn else conv
        self.norm = nn.InstanceNorm2d(cout, affine=True) if norm else None
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        if self.norm is not None:
            out = self.norm(out)
        out = F.leaky_relu(out, 0.2)
        return F.avg_pool2d(out, 2) if self.pool else out


class PatchDiscriminator(nn.Module):
    """Returns intermediate feature maps and a final patch score map."""

    def __init__(self, cfg: DiscriminatorConfig, channels: int = 3) -> None:
        super().__init__()
        blocks = []
        cout = channels
        for i in range(cfg.num_blocks):
            cin = channels if i == 0 else min(cfg.max_features, cfg.block_expansion * 2**i)
            cout = min(cfg.max_features, cfg.block_expansion * 2 ** (i + 1))
            blocks.append(
                _DiscBlock(cin, cout, norm=i != 0, pool=i != cfg.num_blocks - 1, sn=cfg.sn)
            )
        self.down_blocks = nn.ModuleList(blocks)
        last = nn.Conv2d(cout, 1, kernel_size=1)  # cout: that of the last block
        self.conv = nn.utils.parametrizations.spectral_norm(last) if cfg.sn else last

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        feats = []
        for block in self.down_blocks:
            x = block(x)
            feats.append(x)
        return feats, self.conv(x)


class MultiScaleDiscriminator(nn.Module):
    """One patch discriminator per pyramid scale."""

    def __init__(self, cfg: DiscriminatorConfig, channels: int = 3) -> None:
        super().__init__()
        self.scales = tuple(cfg.scales)
        self.discs = nn.ModuleList([PatchDiscriminator(cfg, channels) for _ in self.scales])

    def forward(self, pyramid: list[torch.Tensor]) -> list[tuple[list[torch.Tensor], torch.Tensor]]:
        """Shape: pyramid[i] is the image at `scales[i]`."""
        return [disc(img) for disc, img in zip(self.discs, pyramid)]


def generator_gan_loss(fake_scores: list[torch.Tensor]) -> torch.Tensor:
    """Least-squares GAN loss for the generator: mean (1 - D(fake))^2."""
    return sum(((1 - s) ** 2).mean() for s in fake_scores)  # type: ignore[return-value]


def discriminator_gan_loss(
    real_scores: list[torch.Tensor], fake_scores: list[torch.Tensor]
) -> torch.Tensor:
    """Least-squares GAN loss for the discriminator: (1 - D(real))^2 + D(fake)^2."""
    return sum(((1 - r) ** 2 + f**2).mean() for r, f in zip(real_scores, fake_scores))  # type: ignore[return-value]


def feature_matching_loss(
    real_feats: list[list[torch.Tensor]], fake_feats: list[list[torch.Tensor]]
) -> torch.Tensor:
    """Mean L1 between discriminator features of real and fake images, summed over layers."""
    total = torch.zeros(())
    for rs, fs in zip(real_feats, fake_feats):
        for r, f in zip(rs, fs):
            total = total + (r.detach() - f).abs().mean()
    return total

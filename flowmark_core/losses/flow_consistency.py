"""Optical-flow keypoint consistency — flowmark's regulariser against keypoint jitter.

For frames u_t, u_{t+1} and the flow F from t to t+1 (pixels), keypoint k must move with the
image content under it:
    L = mean_k w_k |kp_k(u_{t+1}) - (kp_k(u_t) + F(kp_k(u_t)))|      (target detached)
The weight w_k says how far the flow can be trusted at the keypoint: a soft forward-backward
term exp(-(e/τ)^2) cut to 0 beyond `fb_cutoff`·τ, times a texture term s/(s + s0) from the
local gradient energy (flow is meaningless on flat colour), times 0 where the flow moves the
point implausibly far. Jacobians are compared with J_F · J_t, where J_F is the local Jacobian
of p -> p + F(p) by central differences; optionally heatmaps too (H_t warped by F vs H_{t+1}).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from flowmark_core.config import FlowLossConfig
from flowmark_core.geometry import make_coordinate_grid, pixel_offsets_to_normalized
from flowmark_core.models.keypoints import Keypoints


@dataclass(frozen=True)
class FlowLossTerms:
    """The flow-consistency loss terms (unweighted) and the mean trust weight."""

    value: torch.Tensor
    jacobian: torch.Tensor | None
    heatmap: torch.Tensor | None
    mean_weight: torch.Tensor


def sample_maps(maps: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Bilinear samples of maps at normalised points (pixel-centre convention, border clamp).

    Shape:
        maps: (B, C, H, W); points: (B, K, 2) in [-1, 1] -> (B, K, C).
    """
    out = F.grid_sample(
        maps,
        points.unsqueeze(2).to(maps.dtype),
        mode="bilinear",
        padding_mode="border",
        align_corners=True,
    )
    return out.squeeze(-1).permute(0, 2, 1)


def texture_energy(image: torch.Tensor, radius: int = 3) -> torch.Tensor:
    """Local mean squared gradient magnitude of the grey image (values per pixel in [0, 1]^2).

    Shape:
        image: (B, 3, H, W) in [0, 1] -> (B, 1, H, W).
    """
    gray = image.mean(1, keepdim=True)
    gx = F.pad(gray[..., :, 2:] - gray[..., :, :-2], (1, 1, 0, 0), mode="replicate") / 2
    gy = F.pad(gray[..., 2:, :] - gray[..., :-2, :], (0, 0, 1, 1), mode="replicate") / 2
    k = 2 * radius + 1
    return F.avg_pool2d(gx**2 + gy**2, k, stride=1, padding=radius, count_include_pad=False)


def flow_trust(
    points: torch.Tensor,
    flow_px: torch.Tensor,
    fb_error: torch.Tensor,
    image: torch.Tensor,
    cfg: FlowLossConfig,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-keypoint trust weight and the flow at the keypoints.

    Shape:
        points: (B, K, 2) normalised; flow_px: (B, 2, H, W); fb_error: (B, H, W) px;
        image: (B, 3, H, W) -> weights (B, K), flow at points (B, K, 2) px.
    """
    size = float(max(flow_px.shape[2], flow_px.shape[3]))
    flow_at = sample_maps(flow_px, points)
    err = sample_maps(fb_error.unsqueeze(1), points)[..., 0]
    tau = max(cfg.fb_threshold, 1e-6)
    w_fb = torch.exp(-((err / tau) ** 2)) * (err <= tau * cfg.fb_cutoff)
    tex = sample_maps(texture_energy(image), points)[..., 0]
    w_tex = (
        tex / (tex + cfg.texture_threshold) if cfg.texture_threshold > 0 else torch.ones_like(tex)
    )
    plausible = flow_at.norm(dim=-1) <= cfg.max_motion * size
    return (w_fb * w_tex * plausible).detach(), flow_at.detach()


def flow_jacobian(
    flow_px: torch.Tensor, points: torch.Tensor, step_px: float = 1.0
) -> torch.Tensor:
    """Local Jacobian of p -> p + F(p) at normalised points, by central differences.

    Shape:
        flow_px: (B, 2, H, W); points: (B, K, 2) -> (B, K, 2, 2) (dimensionless).
    """
    h, w = flow_px.shape[2:]
    steps = torch.tensor([[step_px, 0.0], [0.0, step_px]], dtype=points.dtype, device=points.device)
    dx, dy = pixel_offsets_to_normalized(steps, w, h)
    d_dx = (sample_maps(flow_px, points + dx) - sample_maps(flow_px, points - dx)) / (2 * step_px)
    d_dy = (sample_maps(flow_px, points + dy) - sample_maps(flow_px, points - dy)) / (2 * step_px)
    jac = torch.stack([d_dx, d_dy], dim=-1)  # [..., i, j] = dF_i / dp_j
    return jac + torch.eye(2, dtype=jac.dtype, device=jac.device)


def flow_consistency(
    kp_t: Keypoints,
    kp_next: Keypoints,
    flow_px: torch.Tensor,
    fb_error: torch.Tensor,
    image_t: torch.Tensor,
    cfg: FlowLossConfig,
) -> FlowLossTerms:
    """Flow-consistency loss terms for keypoints of frames t and t+1 (see module doc)."""
    h, w = flow_px.shape[2:]
    points = kp_t.value.detach()
    weights, flow_at = flow_trust(points, flow_px, fb_error, image_t, cfg)
    target = points + pixel_offsets_to_normalized(flow_at, w, h)
    value = (weights.unsqueeze(-1) * (kp_next.value - target).abs()).mean()
    jac_term = None
    if kp_t.jacobian is not None and kp_next.jacobian is not None:
        target_j = torch.matmul(flow_jacobian(flow_px, points), kp_t.jacobian.detach())
        jac_term = (weights[..., None, None] * (kp_next.jacobian - target_j).abs()).mean()
    heat_term = None
    if kp_t.heatmap is not None and kp_next.heatmap is not None:
        heat_term = heatmap_consistency(
            kp_t.heatmap.detach(), kp_next.heatmap, flow_px, fb_error, cfg
        )
    return FlowLossTerms(value, jac_term, heat_term, weights.mean())


def heatmap_consistency(
    heat_t: torch.Tensor,
    heat_next: torch.Tensor,
    flow_px: torch.Tensor,
    fb_error: torch.Tensor,
    cfg: FlowLossConfig,
) -> torch.Tensor:
    """|H_{t+1} - H_t warped forward by F|, weighted by forward-backward trust per pixel.

    The forward warp is approximated by backward sampling at p - F(p) (flows are smooth).
    Heatmaps are compared after normalising each map by its maximum.
    """
    hh, ww = heat_t.shape[2:]
    # The flow in normalised units is resolution-free: resize it, then step back along it.
    flow_norm = pixel_offsets_to_normalized(
        flow_px.permute(0, 2, 3, 1), flow_px.shape[3], flow_px.shape[2]
    ).permute(0, 3, 1, 2)
    flow_small = F.interpolate(flow_norm, size=(hh, ww), mode="bilinear", align_corners=True)
    grid = make_coordinate_grid(hh, ww, flow_px.dtype, flow_px.device).unsqueeze(0)
    grid = grid - flow_small.permute(0, 2, 3, 1)
    warped = F.grid_sample(
        heat_t, grid.to(heat_t.dtype), mode="bilinear", padding_mode="zeros", align_corners=True
    )
    err_small = F.interpolate(
        fb_error.unsqueeze(1), size=(hh, ww), mode="bilinear", align_corners=True
    )
    trust = torch.exp(-((err_small / max(cfg.fb_threshold, 1e-6)) ** 2))
    norm_w = warped / warped.amax(dim=(2, 3), keepdim=True).clamp_min(1e-8)
    norm_n = heat_next / heat_next.amax(dim=(2, 3), keepdim=True).clamp_min(1e-8)
    return (trust * (norm_n - norm_w.detach()).abs()).mean()


def flow_loss_weight(step: int, cfg: FlowLossConfig) -> float:
    """Scale in [0, 1] of the flow loss at `step`: 0 during warm-up, then a linear ramp."""
    if step < cfg.warmup_steps:
        return 0.0
    if cfg.ramp_steps <= 0:
        return 1.0
    return min(1.0, (step - cfg.warmup_steps + 1) / cfg.ramp_steps)

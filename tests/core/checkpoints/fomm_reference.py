"""The published First Order Motion Model's arithmetic, written from
shared/reference/fomm-compat.md as plain functions over a state dict (no flowmark model code),
so that our model can be checked against it number for number.

`sd` maps full keys (`kp_detector.*`, `generator.*`) to tensors; every sampling uses the
published default `align_corners=False`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

Tensor = torch.Tensor
State = dict[str, Tensor]


def grid(h: int, w: int) -> Tensor:
    """(h, w, 2): x = 2i/(w-1) - 1 for column i, y = 2j/(h-1) - 1 for row j."""
    xs = 2 * torch.arange(w, dtype=torch.float32) / (w - 1) - 1
    ys = 2 * torch.arange(h, dtype=torch.float32) / (h - 1) - 1
    return torch.stack([xs[None, :].repeat(h, 1), ys[:, None].repeat(1, w)], dim=-1)


def conv(sd: State, p: str, x: Tensor, pad: int) -> Tensor:
    return F.conv2d(x, sd[f"{p}.weight"], sd[f"{p}.bias"], padding=pad)


def bn(sd: State, p: str, x: Tensor) -> Tensor:
    return F.batch_norm(
        x, sd[f"{p}.running_mean"], sd[f"{p}.running_var"], sd[f"{p}.weight"], sd[f"{p}.bias"]
    )


def down_block(sd: State, p: str, x: Tensor) -> Tensor:
    return F.avg_pool2d(F.relu(bn(sd, f"{p}.norm", conv(sd, f"{p}.conv", x, 1))), 2)


def up_block(sd: State, p: str, x: Tensor) -> Tensor:
    x = F.interpolate(x, scale_factor=2)
    return F.relu(bn(sd, f"{p}.norm", conv(sd, f"{p}.conv", x, 1)))


def same_block(sd: State, p: str, x: Tensor, k: int) -> Tensor:
    return F.relu(bn(sd, f"{p}.norm", conv(sd, f"{p}.conv", x, k // 2)))


def res_block(sd: State, p: str, x: Tensor) -> Tensor:
    out = conv(sd, f"{p}.conv1", F.relu(bn(sd, f"{p}.norm1", x)), 1)
    out = conv(sd, f"{p}.conv2", F.relu(bn(sd, f"{p}.norm2", out)), 1)
    return out + x


def hourglass(sd: State, p: str, x: Tensor, blocks: int) -> Tensor:
    skips = [x]
    for i in range(blocks):
        skips.append(down_block(sd, f"{p}.encoder.down_blocks.{i}", skips[-1]))
    out = skips.pop()
    for i in range(blocks):
        out = torch.cat([up_block(sd, f"{p}.decoder.up_blocks.{i}", out), skips.pop()], dim=1)
    return out


def anti_alias(sd: State, p: str, x: Tensor, scale: float) -> Tensor:
    """Zero padding k//2, the stored depthwise Gaussian, every (1/scale)-th pixel from 0."""
    if scale == 1:
        return x
    weight = sd[f"{p}.weight"]
    k = weight.shape[-1]
    x = F.conv2d(F.pad(x, (k // 2,) * 4), weight, groups=x.shape[1])
    step = round(1 / scale)
    return x[:, :, ::step, ::step]


def detect(sd: State, image: Tensor, blocks: int, scale: float, temperature: float = 0.1):
    """Keypoints (B, K, 2) and Jacobians (B, K, 2, 2) of the detector (pad 0)."""
    x = anti_alias(sd, "kp_detector.down", image, scale)
    feat = hourglass(sd, "kp_detector.predictor", x, blocks)
    logits = conv(sd, "kp_detector.kp", feat, 0)
    b, k, h, w = logits.shape
    heat = F.softmax(logits.view(b, k, -1) / temperature, dim=2).view(b, k, h, w)
    value = (heat[..., None] * grid(h, w)).sum(dim=(2, 3))
    jmap = conv(sd, "kp_detector.jacobian", feat, 0).view(b, k, 4, h, w)
    jac = (jmap * heat[:, :, None]).sum(dim=(3, 4)).view(b, k, 2, 2)
    return value, jac


def dense_motion(sd, source, kp_s, j_s, kp_d, j_d, blocks: int, scale: float):
    """Dense deformation (B, h, w, 2) and occlusion (B, 1, h, w)."""
    p = "generator.dense_motion_network"
    small = anti_alias(sd, f"{p}.down", source, scale)
    b, _c, h, w = small.shape
    k = kp_s.shape[1]
    z = grid(h, w)
    gauss = lambda kp: torch.exp(  # noqa: E731
        -0.5 * ((z[None, None] - kp[:, :, None, None]) ** 2).sum(-1) / 0.01
    )
    heat = torch.cat([torch.zeros(b, 1, h, w), gauss(kp_d) - gauss(kp_s)], dim=1)
    motions = [z[None].expand(b, h, w, 2)]
    for i in range(k):
        a = j_s[:, i] @ torch.inverse(j_d[:, i])
        offset = z[None] - kp_d[:, i, None, None]
        moved = torch.einsum("bij,bhwj->bhwi", a, offset) + kp_s[:, i, None, None]
        motions.append(moved)
    sparse = torch.stack(motions, dim=1)  # (B, K+1, h, w, 2)
    parts = []
    for i in range(k + 1):
        deformed = F.grid_sample(small, sparse[:, i], align_corners=False)
        parts.append(torch.cat([heat[:, i : i + 1], deformed], dim=1))
    feat = hourglass(sd, f"{p}.hourglass", torch.cat(parts, dim=1), blocks)
    mask = F.softmax(conv(sd, f"{p}.mask", feat, 3), dim=1)
    deformation = (mask[..., None] * sparse).sum(dim=1)
    occlusion = torch.sigmoid(conv(sd, f"{p}.occlusion", feat, 3))
    return deformation, occlusion


def generate(sd, source, kp_s, j_s, kp_d, j_d, arch: dict) -> Tensor:
    """The generator's output frame (B, 3, H, W) for the source posed by the driving keypoints."""
    out = same_block(sd, "generator.first", source, 7)
    for i in range(arch["num_down_blocks"]):
        out = down_block(sd, f"generator.down_blocks.{i}", out)
    deformation, occlusion = dense_motion(
        sd, source, kp_s, j_s, kp_d, j_d, arch["dense_blocks"], arch["dense_scale"]
    )
    h, w = out.shape[2:]
    if deformation.shape[1:3] != (h, w):
        deformation = F.interpolate(
            deformation.permute(0, 3, 1, 2), size=(h, w), mode="bilinear", align_corners=False
        ).permute(0, 2, 3, 1)
    out = F.grid_sample(out, deformation, align_corners=False)
    if occlusion.shape[2:] != (h, w):
        occlusion = F.interpolate(occlusion, size=(h, w), mode="bilinear", align_corners=False)
    out = out * occlusion
    for i in range(arch["num_bottleneck_blocks"]):
        out = res_block(sd, f"generator.bottleneck.r{i}", out)
    for i in range(arch["num_down_blocks"]):
        out = up_block(sd, f"generator.up_blocks.{i}", out)
    return torch.sigmoid(conv(sd, "generator.final", out, 3))

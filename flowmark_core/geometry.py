"""Coordinates, grids, Gaussians, soft-argmax and affine helpers — the one convention, written once.

Coordinate convention (that of the published First Order Motion Model):
    A keypoint is (x, y) in normalised coordinates in [-1, 1], x first. Column i of an image
    of width w sits at x = 2 * i / (w - 1) - 1 and row j of height h at y = 2 * j / (h - 1) - 1,
    so the centres of the corner pixels are exactly -1 and +1.
    Pixel coordinates (column, row), with (0, 0) the centre of the top-left pixel:
    px = (x + 1) * (w - 1) / 2.

Sampling (`grid_sample` / `interpolate`) always receives `align_corners` explicitly. Under this
convention the matching value is `align_corners=True`: warping by the identity grid is then the
identity. `ModelConfig.align_corners` defaults to True for new models; checkpoints of the
published First Order Motion Model (and our models trained before the change) store False,
because that is what their weights were trained and published with — the flag travels with the
checkpoint's config, so loading one never changes what it computes.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch
import torch.nn.functional as F

KP_VARIANCE = 0.01
ArrayOrTensor = TypeVar("ArrayOrTensor", np.ndarray, torch.Tensor)


def make_coordinate_grid(
    height: int, width: int, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Normalised coordinate grid.

    Shape:
        output: (height, width, 2) with [..., 0] = x and [..., 1] = y, both in [-1, 1].
    """
    xs = torch.arange(width, dtype=dtype, device=device)
    ys = torch.arange(height, dtype=dtype, device=device)
    xs = 2 * (xs / max(width - 1, 1)) - 1
    ys = 2 * (ys / max(height - 1, 1)) - 1
    yy = ys.view(-1, 1).expand(height, width)
    xx = xs.view(1, -1).expand(height, width)
    return torch.stack([xx, yy], dim=-1)


def _pixel_half_extent(points: ArrayOrTensor, width: int, height: int) -> ArrayOrTensor:
    """((w - 1) / 2, (h - 1) / 2) as an array or tensor like `points` (same dtype, device)."""
    half = [(width - 1) / 2.0, (height - 1) / 2.0]
    if isinstance(points, torch.Tensor):
        return torch.tensor(half, dtype=points.dtype, device=points.device)
    return np.array(half)


def normalized_to_pixels(points: ArrayOrTensor, width: int, height: int) -> ArrayOrTensor:
    """Map normalised [-1, 1] points (..., 2) to pixel coordinates (column, row).

    A tensor stays a tensor (same dtype and device); anything else becomes float64 numpy.
    """
    if not isinstance(points, torch.Tensor):
        points = np.asarray(points, dtype=np.float64)
    return (points + 1.0) * _pixel_half_extent(points, width, height)


def pixels_to_normalized(points: ArrayOrTensor, width: int, height: int) -> ArrayOrTensor:
    """Map pixel coordinates (column, row) (..., 2) to normalised [-1, 1] points.

    A tensor stays a tensor (same dtype and device); anything else becomes float64 numpy.
    """
    if not isinstance(points, torch.Tensor):
        points = np.asarray(points, dtype=np.float64)
    return points / _pixel_half_extent(points, width, height) - 1.0


def pixel_offsets_to_normalized(offsets: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """Map pixel displacements (..., 2) (x first) to normalised displacements."""
    return offsets / _pixel_half_extent(offsets, width, height)


def inverse_2x2(m: torch.Tensor) -> torch.Tensor:
    """Inverse of a batch of 2x2 matrices in closed form: [[d, -b], [-c, a]] / (ad - bc).

    Exact to rounding like `torch.inverse`, much cheaper for tiny matrices, and exportable
    (ONNX has no matrix inverse).

    Shape:
        m: (..., 2, 2); output: same.
    """
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    inv = torch.stack([torch.stack([d, -b], dim=-1), torch.stack([-c, a], dim=-1)], dim=-2)
    return inv / det[..., None, None]


def keypoint_gaussians(
    kp: torch.Tensor, height: int, width: int, variance: float = KP_VARIANCE
) -> torch.Tensor:
    """Unnormalised Gaussian bumps exp(-0.5 * |grid - kp|^2 / variance) around each keypoint.

    Shape:
        kp: (B, K, 2); output: (B, K, height, width).
    """
    grid = make_coordinate_grid(height, width, kp.dtype, kp.device)
    diff = grid.view(1, 1, height, width, 2) - kp.view(kp.shape[0], kp.shape[1], 1, 1, 2)
    return torch.exp(-0.5 * (diff**2).sum(-1) / variance)


def soft_argmax(heatmap: torch.Tensor) -> torch.Tensor:
    """Expected coordinate of each (already normalised, summing to 1) heatmap.

    Shape:
        heatmap: (B, K, h, w); output: (B, K, 2).
    """
    _, _, h, w = heatmap.shape
    grid = make_coordinate_grid(h, w, heatmap.dtype, heatmap.device)
    return torch.einsum("bkhw,hwc->bkc", heatmap, grid)


def spatial_softmax(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Softmax over all spatial positions of logits / temperature.

    Shape:
        logits: (B, K, h, w); output: same, each map summing to 1.
    """
    b, k, h, w = logits.shape
    flat = F.softmax(logits.reshape(b, k, h * w) / temperature, dim=2)
    return flat.view(b, k, h, w)


def resize_field(field: torch.Tensor, height: int, width: int, align_corners: bool) -> torch.Tensor:
    """Bilinear resize of a (B, h, w, 2) sampling field to (B, height, width, 2)."""
    if field.shape[1] == height and field.shape[2] == width:
        return field
    moved = field.permute(0, 3, 1, 2)
    moved = F.interpolate(moved, size=(height, width), mode="bilinear", align_corners=align_corners)
    return moved.permute(0, 2, 3, 1)


def warp(image: torch.Tensor, field: torch.Tensor, align_corners: bool) -> torch.Tensor:
    """Backward-warp `image` with a normalised sampling field (resized to the image if needed),
    sampling in float32 whatever the image's dtype.

    Shape:
        image: (B, C, H, W); field: (B, h, w, 2); output: (B, C, H, W).
    """
    field = resize_field(field.float(), image.shape[2], image.shape[3], align_corners)
    # Sampling positions stay float32: in bf16 a coordinate near 1 is only good to 1/128,
    # half a pixel of a 256 px image. The result has the image's dtype.
    sampled = F.grid_sample(
        image.float(),
        field,
        mode="bilinear",
        padding_mode="zeros",
        align_corners=align_corners,
    )
    return sampled.to(image.dtype)


def convex_hull_area(points: np.ndarray) -> float:
    """Area of the convex hull of 2-D points (N, 2) (monotone chain + shoelace)."""
    pts = np.unique(np.asarray(points, dtype=np.float64).reshape(-1, 2), axis=0)
    if len(pts) < 3:
        return 0.0
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))

    lower: list[np.ndarray] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[np.ndarray] = []
    for p in pts[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = np.array(lower[:-1] + upper[:-1])
    x, y = hull[:, 0], hull[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))

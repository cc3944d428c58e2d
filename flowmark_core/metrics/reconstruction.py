"""Pixel reconstruction error between a real and a generated video (the L1 of FOMM papers)."""

from __future__ import annotations

import numpy as np


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Return images as float64 in [0, 1]: uint8 is divided by 255, floats are taken as they are.

    Shape:
        images: any shape; output: the same shape.
    """
    arr = np.asarray(images)
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"images must be uint8 or float in [0, 1], got dtype {arr.dtype}")
    return arr.astype(np.float64)


def reconstruction_l1(real: np.ndarray, generated: np.ndarray) -> float:
    """Mean absolute difference of two images or videos, with intensities in [0, 1].

    Definition: L1 = mean over every frame, pixel and channel of |real - generated|, after
    mapping uint8 values to [0, 1] (v / 255); float inputs must already be in [0, 1]. The two
    inputs may differ in dtype (e.g. uint8 real frames, float generated frames).

    Args:
        real: ground-truth frame(s).
        generated: generated frame(s), same shape as `real`.

    Returns:
        The mean absolute difference, 0 for identical inputs, at most 1.

    Shape:
        real, generated: (H, W, C), (T, H, W, C) or any equal shapes.
    """
    a = to_unit_range(real)
    b = to_unit_range(generated)
    if a.shape != b.shape:
        raise ValueError(f"real and generated differ in shape: {a.shape} vs {b.shape}")
    if a.size == 0:
        raise ValueError("reconstruction_l1 needs at least one pixel")
    return float(np.mean(np.abs(a - b)))

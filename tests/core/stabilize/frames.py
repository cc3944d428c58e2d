"""Synthetic frames with known motion for the stabiliser tests: a textured canvas moved by
known offsets, so the true motion of every point is known."""

from __future__ import annotations

import cv2
import numpy as np


def textured_canvas(size: int, seed: int = 0) -> np.ndarray:
    """Smooth random RGB texture with detail at several scales, uint8 (size, size, 3)."""
    rng = np.random.default_rng(seed)
    img = np.zeros((size, size, 3), np.float32)
    for sigma, weight in ((1.5, 0.3), (4.0, 0.5), (12.0, 1.0)):
        layer = cv2.GaussianBlur(rng.random((size, size, 3)).astype(np.float32), (0, 0), sigma)
        img += weight * (layer - layer.mean()) / layer.std()
    img = (img - img.min()) / (img.max() - img.min())
    return (img * 255).astype(np.uint8)


def moving_frames(offsets: np.ndarray, size: int = 96, seed: int = 0) -> list[np.ndarray]:
    """Frames of `size` px showing a canvas moved right/down by each (dx, dy) offset (px).

    A point at p in a frame with offset 0 is at p + offset in the frame with that offset.
    """
    canvas = textured_canvas(size * 2, seed)
    margin = size / 2
    frames = []
    for dx, dy in np.asarray(offsets, dtype=np.float64):
        mat = np.array([[1.0, 0.0, dx - margin], [0.0, 1.0, dy - margin]])
        frames.append(cv2.warpAffine(canvas, mat, (size, size), flags=cv2.INTER_LINEAR))
    return frames


def points_on(offsets: np.ndarray, base: np.ndarray) -> np.ndarray:
    """The true track of points `base` (K, 2) carried by the offsets (T, 2). Shape: (T, K, 2)."""
    return base[None, :, :] + np.asarray(offsets, dtype=np.float64)[:, None, :]

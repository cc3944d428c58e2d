"""Augmentations applied identically to every frame of a training sample.

The random choices are drawn once per sample (`draw_augmentation`) and then applied to all
its frames (`apply_augmentation`), so source, driving and next frame stay consistent; flow is
computed after augmentation, which makes it follow flips and colour changes by itself.
Jitter ranges follow torchvision's ColorJitter: a factor in [max(0, 1 - v), 1 + v] for
brightness, contrast and saturation, and a hue shift in [-v, v] turns (v <= 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.config import AugmentConfig

# The augmentation settings are the config's own dataclass (validated there).
AugmentParams = AugmentConfig


@dataclass(frozen=True)
class Augmentation:
    """One sample's drawn augmentation (identity when all factors are 1 and shifts 0)."""

    flip: bool = False
    reverse: bool = False
    brightness: float = 1.0
    contrast: float = 1.0
    saturation: float = 1.0
    hue: float = 0.0


def draw_augmentation(params: AugmentParams | None, rng: np.random.Generator) -> Augmentation:
    """Draw one sample's augmentation. Always consumes the same number of random values."""
    u = [float(v) for v in rng.random(6)]
    if params is None:
        return Augmentation()

    def factor(spread: float, x: float) -> float:
        low = max(0.0, 1.0 - spread)
        return low + (1.0 + spread - low) * x

    return Augmentation(
        flip=params.horizontal_flip and u[0] < 0.5,
        reverse=params.time_flip and u[1] < 0.5,
        brightness=factor(params.brightness, u[2]),
        contrast=factor(params.contrast, u[3]),
        saturation=factor(params.saturation, u[4]),
        hue=(2.0 * u[5] - 1.0) * params.hue,
    )


def _gray(frames: np.ndarray) -> np.ndarray:
    return frames @ np.array([0.299, 0.587, 0.114], np.float32)


def jitter_colours(frames: np.ndarray, aug: Augmentation) -> np.ndarray:
    """Brightness, contrast, saturation and hue changes, the same for every frame.

    Shape:
        frames: (N, H, W, 3) uint8 RGB; output: same.
    """
    if (aug.brightness, aug.contrast, aug.saturation, aug.hue) == (1.0, 1.0, 1.0, 0.0):
        return frames
    x = frames.astype(np.float32) / 255.0
    x = np.clip(x * aug.brightness, 0, 1)
    if aug.contrast != 1.0:
        mean = _gray(x).mean(axis=(1, 2), keepdims=True)[..., None]
        x = np.clip(mean + aug.contrast * (x - mean), 0, 1)
    if aug.saturation != 1.0:
        gray = _gray(x)[..., None]
        x = np.clip(gray + aug.saturation * (x - gray), 0, 1)
    if aug.hue != 0.0:
        out = np.empty_like(x)
        for i, frame in enumerate(x):
            hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)  # float32: H in degrees
            hsv[..., 0] = (hsv[..., 0] + aug.hue * 360.0) % 360.0
            out[i] = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
        x = np.clip(out, 0, 1)
    return (x * 255.0 + 0.5).astype(np.uint8)


def apply_augmentation(frames: np.ndarray, aug: Augmentation) -> np.ndarray:
    """Mirror left-right (if drawn) and jitter colours; time reversal is the caller's
    business (it decides which frames swap).

    Shape:
        frames: (N, H, W, 3) uint8 RGB; output: same.
    """
    if aug.flip:
        frames = np.ascontiguousarray(frames[:, :, ::-1])
    return jitter_colours(frames, aug)

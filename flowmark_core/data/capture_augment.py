"""Capture degradations as a training augmentation (`data.capture_preset`).

A sample's draw comes from the sample's own random stream (the one its frames and colour
augmentation are drawn from), after every other draw, so turning the augmentation on leaves
the rest of the sample unchanged and turning it off leaves the stream untouched: samples are
bit-identical to a run without it, and resume / DDP determinism holds as for the other
augmentations. The source frame is degraded as a clip of its own (no motion, so no blur);
driving and driving_next as a two-frame clip, so the next frame's blur follows the motion
from the driving frame. With the "occlusion" preset the hand crosses within those two frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.capture import CaptureParams, degrade_clip, preset


@dataclass(frozen=True)
class CaptureDraw:
    """One sample's capture draw: degrade it (`apply`) with this clip seed."""

    apply: bool
    seed: int


def draw_capture(
    params: CaptureParams | None, probability: float, rng: np.random.Generator
) -> CaptureDraw | None:
    """Draw one sample's capture degradation; None (and no random values used) when off."""
    if params is None:
        return None
    u = float(rng.random())
    seed = int(rng.integers(0, 2**32))
    return CaptureDraw(apply=u < probability, seed=seed)


def degrade_sample(frames: np.ndarray, params: CaptureParams, seed: int) -> np.ndarray:
    """Degrade a sample's frames (source, driving[, driving_next]) as `params`' camera would.

    Shape:
        frames: (N, H, W, 3) uint8 RGB, N = 2 or 3; output: same.
    """
    source = degrade_clip([frames[0]], params, seed).frames
    moving = degrade_clip(list(frames[1:]), params, (seed + 1) & 0xFFFFFFFF).frames
    return np.stack(source + moving)


def capture_params(name: str | None) -> CaptureParams | None:
    """The preset's camera model, None when off; `ConfigError` for an unknown name."""
    return None if name is None else preset(name)

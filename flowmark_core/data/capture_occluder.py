"""The capture model's occluder: a hand-like shape (palm, four fingers, thumb) that crosses the
face once along a smooth path, drawn anti-aliased, seeded per clip (`draw_occluder`).

Positions are pixels with (0, 0) the top-left pixel's centre (`flowmark_core.geometry`'s pixel
convention). Used by `capture.degrade_clip`, which marks the landmarks it covers invisible.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Occluder:
    """A hand-like shape (palm and four fingers) crossing the face on a smooth path.

    Attributes:
        start, end: centre positions (px) at the first and last frame of the crossing.
        first, frames: the frame the crossing begins and how many frames it lasts.
        size: palm radius, px.
        angle: orientation of the fingers, radians.
        colour: RGB in [0, 1].
    """

    start: np.ndarray
    end: np.ndarray
    first: int
    frames: int
    size: float
    angle: float
    colour: np.ndarray

    def centre(self, index: int) -> np.ndarray | None:
        """Centre at frame `index`, or None when the hand is out of view."""
        u = (index - self.first) / max(self.frames - 1, 1)
        if not 0.0 <= u <= 1.0:
            return None
        ease = 0.5 - 0.5 * np.cos(np.pi * u)  # smooth start and stop
        return self.start + ease * (self.end - self.start)

    def mask(self, index: int, shape: tuple[int, int]) -> np.ndarray:
        """Coverage in [0, 1] of the frame (anti-aliased). Shape: (H, W) float32."""
        h, w = shape
        out = np.zeros((h * 4, w * 4), np.uint8)
        centre = self.centre(index)
        if centre is None:
            return np.zeros((h, w), np.float32)
        c = (centre + 0.5) * 4  # 4x supersampled pixel grid
        r = self.size * 4
        along = np.array([np.cos(self.angle), np.sin(self.angle)])
        across = np.array([-along[1], along[0]])
        axes = (round(r), round(r * 1.15))
        cv2.ellipse(out, tuple(np.round(c).astype(int)), axes,
                    float(np.degrees(self.angle)) + 90, 0, 360, 255, -1)  # fmt: skip
        for k, length in enumerate((1.45, 1.65, 1.6, 1.3)):
            base = c + along * r * 0.7 + across * r * (k - 1.5) * 0.5
            tip = base + along * r * length
            cv2.line(out, tuple(np.round(base).astype(int)), tuple(np.round(tip).astype(int)),
                     255, max(1, round(r * 0.42)))  # fmt: skip
        thumb_base = c + across * r * 0.9
        thumb_tip = thumb_base + (across * 0.8 + along * 0.6) * r
        cv2.line(out, tuple(np.round(thumb_base).astype(int)),
                 tuple(np.round(thumb_tip).astype(int)), 255, max(1, round(r * 0.45)))  # fmt: skip
        return cv2.resize(out, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def draw_occluder(
    seed: int, frames: int, shape: tuple[int, int], face: tuple[np.ndarray, float]
) -> Occluder:
    """The clip's occluder: crosses the face (centre, size px) once, seeded per clip."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 0x4A4D])
    centre, face_size = face
    side = rng.uniform(0, 2 * np.pi)
    direction = np.array([np.cos(side), np.sin(side)])
    size = face_size * rng.uniform(0.35, 0.45)
    reach = face_size * 0.8 + 2.0 * size  # starts and ends just beside the face
    offset = np.array([-direction[1], direction[0]]) * rng.uniform(-0.15, 0.15) * face_size
    duration = max(2, min(frames, round(frames * rng.uniform(0.5, 0.8))))
    first = int(rng.integers(0, max(frames - duration, 0) + 1))
    skin = np.array([0.85, 0.62, 0.50]) * rng.uniform(0.6, 1.05)
    return Occluder(
        start=centre + offset - direction * reach,
        end=centre + offset + direction * reach,
        first=first,
        frames=duration,
        size=size,
        angle=float(np.arctan2(direction[1], direction[0]) + np.pi + rng.uniform(-0.4, 0.4)),
        colour=np.clip(skin, 0, 1),
    )

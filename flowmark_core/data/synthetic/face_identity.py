"""Random identities of the synthetic face puppet: proportions, colours and styles.

Lengths are fractions: `half_width` of the canvas; `aspect`, `depth` of the head half-width;
feature positions as fractions of the head half-width (x) and half-height (y), with y
growing downwards and (0, 0) the head centre. "Left" is the subject's left (image right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.textures import hair_colour, skin_colour, vivid_colour

HAIR_STYLES: tuple[str, ...] = ("short", "long", "bob", "bald")


@dataclass(frozen=True)
class FaceIdentity:
    """Everything that stays fixed for one synthetic person (see the module docstring)."""

    half_width: float
    aspect: float
    depth: float
    skin: np.ndarray
    skin_texture: float
    blush: float
    hair: np.ndarray
    hair_style: str
    hairline: float
    fringe: float
    brow_colour: np.ndarray
    brow_thickness: float
    brow_gap: float
    brow_arch: float
    eye_x: float
    eye_y: float
    eye_width: float
    eye_height: float
    iris: np.ndarray
    nose_y: float
    nose_length: float
    nose_width: float
    mouth_y: float
    mouth_width: float
    lip_thickness: float
    lip_colour: np.ndarray
    clothes: np.ndarray
    neck_width: float
    texture_seed: int

    @staticmethod
    def random(rng: np.random.Generator) -> FaceIdentity:
        """Draw a random identity."""
        skin = skin_colour(rng)
        hair = hair_colour(rng)
        darkness = float(skin.mean()) / 255.0
        lip_base = np.array([190.0, 95.0, 100.0]) * (0.55 + 0.45 * darkness)
        lip = np.clip(lip_base + rng.normal(0, 10, 3), 0, 255).astype(np.float32)
        brow = np.clip(hair * 0.7 + rng.normal(0, 5, 3), 0, 255).astype(np.float32)
        if hair.mean() > 190:  # pale or grey hair still gets visible brows
            brow = np.clip(hair * 0.55, 0, 255).astype(np.float32)
        iris_choices = np.array(
            [[70, 45, 25], [110, 75, 40], [60, 110, 150], [80, 120, 70], [40, 30, 25]], np.float32
        )
        return FaceIdentity(
            half_width=float(rng.uniform(0.165, 0.2)),
            aspect=float(rng.uniform(1.2, 1.4)),
            depth=float(rng.uniform(0.95, 1.1)),
            skin=skin,
            skin_texture=float(rng.uniform(0.08, 0.2)),
            blush=float(rng.uniform(0.0, 0.25)),
            hair=hair,
            hair_style=str(rng.choice(HAIR_STYLES, p=[0.38, 0.32, 0.22, 0.08])),
            hairline=float(rng.uniform(-0.62, -0.42)),
            fringe=float(rng.uniform(0.0, 0.2) if rng.random() < 0.35 else 0.0),
            brow_colour=brow,
            brow_thickness=float(rng.uniform(0.05, 0.08)),
            brow_gap=float(rng.uniform(0.13, 0.17)),
            brow_arch=float(rng.uniform(0.02, 0.06)),
            eye_x=float(rng.uniform(0.36, 0.43)),
            eye_y=float(rng.uniform(-0.1, 0.0)),
            eye_width=float(rng.uniform(0.16, 0.2)),
            eye_height=float(rng.uniform(0.065, 0.085)),
            iris=iris_choices[rng.integers(len(iris_choices))]
            + rng.normal(0, 6, 3).astype(np.float32),
            nose_y=float(rng.uniform(0.24, 0.32)),
            nose_length=float(rng.uniform(0.22, 0.34)),
            nose_width=float(rng.uniform(0.12, 0.16)),
            mouth_y=float(rng.uniform(0.52, 0.6)),
            mouth_width=float(rng.uniform(0.24, 0.32)),
            lip_thickness=float(rng.uniform(0.05, 0.075)),
            lip_colour=lip,
            clothes=vivid_colour(rng, (0.2, 0.85), (0.25, 0.9)),
            neck_width=float(rng.uniform(0.5, 0.62)),
            texture_seed=int(rng.integers(2**31)),
        )

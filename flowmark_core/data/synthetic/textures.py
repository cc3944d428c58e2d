"""Procedural textures and colour palettes for the synthetic puppets.

Everything takes a `numpy.random.Generator`, so a seed fixes the result.
"""

from __future__ import annotations

import cv2
import numpy as np

# Anchor skin tones (RGB), light to dark; identities interpolate between neighbours.
SKIN_TONES = np.array(
    [
        [255, 224, 196],
        [241, 194, 160],
        [224, 172, 130],
        [198, 134, 96],
        [161, 102, 68],
        [120, 76, 52],
        [88, 56, 40],
    ],
    dtype=np.float32,
)
HAIR_COLOURS = np.array(
    [
        [25, 20, 18],
        [60, 40, 28],
        [105, 70, 40],
        [160, 115, 65],
        [215, 180, 120],
        [150, 60, 30],
        [170, 170, 170],
        [235, 235, 230],
        [60, 70, 150],
        [180, 70, 140],
    ],
    dtype=np.float32,
)
# Relative frequency of each hair colour (dyed colours are rare).
HAIR_WEIGHTS = np.array([6, 6, 4, 3, 3, 2, 2, 1, 0.5, 0.5])


def skin_colour(rng: np.random.Generator) -> np.ndarray:
    """A random skin tone, RGB float32 in [0, 255]."""
    pos = rng.uniform(0, len(SKIN_TONES) - 1)
    i = min(int(pos), len(SKIN_TONES) - 2)
    frac = pos - i
    return (SKIN_TONES[i] * (1 - frac) + SKIN_TONES[i + 1] * frac).astype(np.float32)


def hair_colour(rng: np.random.Generator) -> np.ndarray:
    """A random hair colour, RGB float32 in [0, 255]."""
    i = rng.choice(len(HAIR_COLOURS), p=HAIR_WEIGHTS / HAIR_WEIGHTS.sum())
    return np.clip(HAIR_COLOURS[i] + rng.normal(0, 8, 3), 0, 255).astype(np.float32)


def vivid_colour(
    rng: np.random.Generator,
    saturation: tuple[float, float] = (0.3, 0.9),
    value: tuple[float, float] = (0.3, 0.95),
) -> np.ndarray:
    """A random colour from HSV ranges, RGB float32 in [0, 255]."""
    hsv = np.array(
        [[[rng.uniform(0, 180), rng.uniform(*saturation) * 255, rng.uniform(*value) * 255]]],
        dtype=np.float32,
    )
    hsv_u8 = np.clip(hsv, 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv_u8, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def value_noise(
    rng: np.random.Generator,
    height: int,
    width: int,
    scale: float,
    octaves: int = 3,
    stretch: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """Smooth multi-octave noise normalised to [0, 1].

    Args:
        scale: size in pixels of the coarsest blobs.
        stretch: (x, y) factors that elongate the blobs (e.g. (1, 6) for hair streaks).

    Shape:
        output: (height, width) float32.
    """
    total = np.zeros((height, width), np.float32)
    amplitude, weight = 1.0, 0.0
    cell = float(scale)
    for _ in range(octaves):
        gw = max(2, int(np.ceil(width / (cell * stretch[0]))) + 2)
        gh = max(2, int(np.ceil(height / (cell * stretch[1]))) + 2)
        grid = rng.random((gh, gw)).astype(np.float32)
        total += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        weight += amplitude
        amplitude *= 0.5
        cell = max(cell / 2.0, 1.0)
    total /= weight
    lo, hi = float(total.min()), float(total.max())
    return (total - lo) / max(hi - lo, 1e-6)


def tinted(base: np.ndarray, pattern: np.ndarray, amplitude: float) -> np.ndarray:
    """Modulate a base RGB colour by a [0, 1] pattern: base * (1 + amplitude * (p - 0.5)).

    Shape:
        base: (3,); pattern: (H, W); output: (H, W, 3) float32.
    """
    factor = 1.0 + amplitude * (pattern - 0.5)
    return np.clip(factor[..., None] * base[None, None, :], 0, 255).astype(np.float32)


def cloth_pattern(rng: np.random.Generator, height: int, width: int, unit: float) -> np.ndarray:
    """A random fabric-like pattern in [0, 1]: noise, stripes, checks or dots.

    Shape:
        output: (height, width) float32.
    """
    kind = rng.choice(["noise", "stripes", "checks", "dots"])
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    period = unit * rng.uniform(0.6, 1.6)
    angle = rng.uniform(0, np.pi)
    u = xs * np.cos(angle) + ys * np.sin(angle)
    v = -xs * np.sin(angle) + ys * np.cos(angle)
    if kind == "stripes":
        pattern = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * u / period))
    elif kind == "checks":
        pattern = 0.5 + 0.5 * np.sign(np.sin(np.pi * u / period) * np.sin(np.pi * v / period))
    elif kind == "dots":
        d = np.hypot((u % period) - period / 2, (v % period) - period / 2)
        pattern = (d < period * 0.25).astype(np.float32)
    else:
        pattern = value_noise(rng, height, width, unit * 2)
    fine = value_noise(rng, height, width, max(unit / 3, 2.0), octaves=2)
    pattern = cv2.GaussianBlur(pattern.astype(np.float32), (0, 0), 0.7)
    return np.clip(0.8 * pattern + 0.2 * fine, 0, 1).astype(np.float32)


def scene_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A soft, textured backdrop: a colour gradient, blurred shapes and fine noise.

    The shapes are composed at half resolution (they are soft anyway); the grain is added at
    full resolution.

    Shape:
        output: (height, width, 3) uint8.
    """
    h, w = (height + 1) // 2, (width + 1) // 2
    c0, c1 = vivid_colour(rng, (0.1, 0.6), (0.35, 0.9)), vivid_colour(rng, (0.1, 0.6), (0.35, 0.9))
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    image = c0 * (1 - ys) + c1 * ys + np.zeros((1, w, 1), np.float32)
    unit = max(h, w) / 8
    for _ in range(int(rng.integers(4, 10))):
        colour = vivid_colour(rng, (0.1, 0.7), (0.3, 0.95))
        layer = np.zeros((h, w), np.float32)
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(0.3, 1.5) * unit), int(rng.uniform(0.3, 1.5) * unit))
        if rng.random() < 0.5:
            cv2.ellipse(layer, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        else:
            corner0 = (centre[0] - axes[0], centre[1] - axes[1])
            corner1 = (centre[0] + axes[0], centre[1] + axes[1])
            cv2.rectangle(layer, corner0, corner1, 1.0, -1)
        soft = cv2.GaussianBlur(layer, (0, 0), unit * rng.uniform(0.03, 0.2))[..., None]
        image = image * (1 - 0.8 * soft) + colour * 0.8 * soft
    full = np.asarray(
        cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR), np.float64
    )
    grain = value_noise(rng, height, width, unit * 2 / 3, octaves=4)
    full *= (0.85 + 0.3 * grain)[..., None]
    return np.clip(full, 0, 255).astype(np.uint8)

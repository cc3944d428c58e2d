"""The result type of the puppet generators and the drawing helpers they share.

Puppets are drawn on a canvas `SUPERSAMPLE` times larger than the output, with anti-aliased
OpenCV primitives at sub-pixel precision, then area-downsampled. A landmark at canvas
position q sits at output pixel (q + 0.5) / SUPERSAMPLE - 0.5 (pixel centres, x first).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SUPERSAMPLE = 2
SHIFT = 4  # fractional bits of OpenCV drawing coordinates
_ONE = 1 << SHIFT
MIN_SIZE, MAX_SIZE = 64, 512


@dataclass(frozen=True)
class SyntheticClip:
    """A rendered puppet clip with its ground truth.

    Attributes:
        frames: uint8 RGB frames.
        landmarks: pixel positions (x, y) of each named landmark, pixel centres.
        visible: False where a landmark is covered (by a limb, an eyelid, the nose...),
            turned away, or outside the frame.
        names: landmark names.
        colours: the colours a visible landmark's pixel shows (two per landmark; the same
            colour twice when the landmark lies on one part). Used by tests.
        fps: frame rate.

    Shape:
        frames: (T, S, S, 3); landmarks: (T, L, 2) float32; visible: (T, L) bool;
        names: (L,) str; colours: (L, 2, 3) uint8.
    """

    frames: np.ndarray
    landmarks: np.ndarray
    visible: np.ndarray
    names: np.ndarray
    colours: np.ndarray
    fps: float


def check_size(size: int) -> None:
    """Raise ValueError for output sizes the renderers do not support."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"puppet size must be in {MIN_SIZE}..{MAX_SIZE} px, got {size}")


def fixed(points: np.ndarray) -> np.ndarray:
    """Float pixel coordinates to OpenCV fixed-point int32 (use with `shift=SHIFT`).

    Shape:
        points: (..., 2); output: same, int32.
    """
    return np.round(np.asarray(points, np.float64) * _ONE).astype(np.int32)


def fill_poly(canvas: np.ndarray, points: np.ndarray, colour, aa: bool = True) -> None:
    """Fill one polygon (N, 2) float pixel points with sub-pixel precision."""
    cv2.fillPoly(canvas, [fixed(points)], colour, cv2.LINE_AA if aa else cv2.LINE_8, SHIFT)


def stroke(
    canvas: np.ndarray, points: np.ndarray, colour, thickness: float, aa: bool = True
) -> None:
    """Draw an open polyline (N, 2) of the given thickness (OpenCV gives thick lines round
    caps and joins)."""
    t = max(1, round(thickness))
    line = cv2.LINE_AA if aa else cv2.LINE_8
    cv2.polylines(canvas, [fixed(points)], False, colour, t, line, SHIFT)


def disc(canvas: np.ndarray, centre: np.ndarray, radius: float, colour, aa: bool = True) -> None:
    """Fill a circle at a sub-pixel centre."""
    c = fixed(centre)
    r = max(1, round(radius * _ONE))
    cv2.circle(
        canvas, (int(c[0]), int(c[1])), r, colour, -1, cv2.LINE_AA if aa else cv2.LINE_8, SHIFT
    )


def ellipse_points(
    centre: np.ndarray | tuple[float, float],
    axes: tuple[float, float],
    angle: float = 0.0,
    count: int = 48,
) -> np.ndarray:
    """Points on an ellipse; `angle` in radians rotates the axes.

    Shape:
        output: (count, 2) float64.
    """
    t = np.linspace(0, 2 * np.pi, count, endpoint=False)
    local = np.stack([axes[0] * np.cos(t), axes[1] * np.sin(t)], 1)
    ca, sa = np.cos(angle), np.sin(angle)
    return local @ np.array([[ca, sa], [-sa, ca]]) + np.asarray(centre, np.float64)


def capsule(
    canvas: np.ndarray, p0: np.ndarray, p1: np.ndarray, width: float, colour, aa: bool = True
) -> None:
    """A thick segment with round ends (a limb)."""
    stroke(canvas, np.stack([p0, p1]), colour, width, aa)


def downsample(canvas: np.ndarray) -> np.ndarray:
    """Area-average the supersampled canvas to the output size, as uint8.

    Shape:
        canvas: (k*S, k*S, 3) float32 or uint8; output: (S, S, 3) uint8.
    """
    h, w = canvas.shape[:2]
    small = cv2.resize(canvas, (w // SUPERSAMPLE, h // SUPERSAMPLE), interpolation=cv2.INTER_AREA)
    return np.clip(small + 0.5, 0, 255).astype(np.uint8) if small.dtype != np.uint8 else small


def to_output_pixels(canvas_points: np.ndarray) -> np.ndarray:
    """Canvas coordinates to output pixel coordinates (pixel centres).

    Shape:
        canvas_points: (..., 2); output: same, float32.
    """
    return ((np.asarray(canvas_points, np.float64) + 0.5) / SUPERSAMPLE - 0.5).astype(np.float32)


def labels_at(label_canvas: np.ndarray, canvas_points: np.ndarray, radius: int = 0) -> np.ndarray:
    """Part labels around each point: the (2r+1)^2 nearest canvas pixels; -1 outside.

    Shape:
        label_canvas: (H, W) int; canvas_points: (L, 2); output: (L, (2r+1)^2) int32.
    """
    h, w = label_canvas.shape
    centre = np.round(np.asarray(canvas_points)).astype(np.int64)
    steps = np.arange(-radius, radius + 1)
    offsets = np.stack(np.meshgrid(steps, steps), -1).reshape(-1, 2)
    idx = centre[:, None, :] + offsets[None]
    inside = (idx[..., 0] >= 0) & (idx[..., 0] < w) & (idx[..., 1] >= 0) & (idx[..., 1] < h)
    out = np.full(idx.shape[:2], -1, np.int32)
    out[inside] = label_canvas[idx[inside][:, 1], idx[inside][:, 0]]
    return out


def translated(image: np.ndarray, dx: float, dy: float, size: tuple[int, int]) -> np.ndarray:
    """Crop of `image` starting at sub-pixel offset (dx, dy), of (width, height) `size`.

    Shape:
        image: (H, W, C); output: (size[1], size[0], C).
    """
    m = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]], np.float64)
    return cv2.warpAffine(image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

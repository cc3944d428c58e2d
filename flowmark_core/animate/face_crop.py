"""Optional face crop: OpenCV's bundled Haar cascade finds a square box with margin; crop
and paste back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class CropBox:
    """A square crop in pixels: left, top, side."""

    x: float
    y: float
    size: float

    def as_int(self) -> tuple[int, int, int]:
        return round(self.x), round(self.y), max(1, round(self.size))

    @property
    def centre(self) -> tuple[float, float]:
        """(x, y) of the box's centre in pixels."""
        return self.x + self.size / 2, self.y + self.size / 2


def _cascade() -> cv2.CascadeClassifier:
    cascades = cv2.data.haarcascades  # type: ignore[attr-defined]  # cv2.data is not in OpenCV's stubs
    path = Path(cascades) / "haarcascade_frontalface_default.xml"
    return cv2.CascadeClassifier(str(path))


class FaceCropper:
    """Finds the largest face of an image (OpenCV's Haar cascade) as a square box.

    Stateless: which box a clip or a stream uses is decided in `clip_box.py`.

    Args:
        margin: crop side = face side * (1 + margin).
    """

    def __init__(self, margin: float = 0.8) -> None:
        self.margin = margin
        self._cascade = _cascade()

    def detect(self, image: np.ndarray, sizes: tuple[float, float] | None = None) -> CropBox | None:
        """The square box around the largest face in an RGB image, or None.

        Args:
            sizes: only faces whose box side (px) lies in [low, high] are looked for: a
                fraction of the cascade's scales, so ~4x faster (a stream checking that its
                face is still there); None looks for every size.
        """
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        scale = 320.0 / max(gray.shape)
        small = cv2.resize(gray, None, fx=scale, fy=scale) if scale < 1 else gray
        s = scale if scale < 1 else 1.0
        low, high = 24, 0  # cascade window sides at the detection scale; 0: no upper bound
        if sizes is not None:  # a box side is the face side * (1 + margin)
            low = max(24, int(sizes[0] * s / (1 + self.margin)))
            high = max(low + 1, int(np.ceil(sizes[1] * s / (1 + self.margin))))
        faces = self._cascade.detectMultiScale(
            small, scaleFactor=1.1, minNeighbors=4, minSize=(low, low), maxSize=(high, high)
        )
        if len(faces) == 0:
            return None
        x, y, w, h = (float(v) / s for v in max(faces, key=lambda f: f[2] * f[3]))
        side = max(w, h) * (1 + self.margin)
        return CropBox(x + w / 2 - side / 2, y + h / 2 - side / 2, side)


def whole_image_box(image: np.ndarray) -> CropBox:
    """The largest centred square of the image."""
    h, w = image.shape[:2]
    side = min(h, w)
    return CropBox((w - side) / 2, (h - side) / 2, side)


def crop(image: np.ndarray, box: CropBox, size: int) -> np.ndarray:
    """Crop the square `box` and resize to `size`.

    Outside the image the crop is the image mirrored at its edge (replicated edge pixels
    would smear into streaks the model animates; the parts outside are never pasted back).
    """
    x, y, side = box.as_int()
    h, w = image.shape[:2]
    pad = max(0, -x, -y, x + side - w, y + side - h)
    src = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT_101) if pad else image
    patch = src[y + pad : y + pad + side, x + pad : x + pad + side]
    return cv2.resize(
        patch, (size, size), interpolation=cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    )


FEATHER_FRACTION = 0.15
"""Width of the pasted patch's soft edge as a fraction of the box side. A model-size patch in
a large box is much softer than the photo around it; a ramp this wide leaves no visible
step (`flowmark_core.metrics.photo_quality.seam_ratio` <= 1.2 on real portraits)."""


def _edge_ramp(start: int, end: int, length: int, width: float) -> np.ndarray:
    """Blend weight along one axis of the box [start, end) in an image `length` px long:
    a smoothstep from 0 at each box edge to 1 at `width` px in; an edge at or beyond the
    image's border gets no ramp (there is nothing to blend with there)."""
    pos = np.arange(start, end, dtype=np.float64) + 0.5
    dist = np.full(end - start, np.inf)
    if start > 0:
        dist = np.minimum(dist, pos - start)
    if end < length:
        dist = np.minimum(dist, end - pos)
    t = np.clip(dist / width, 0.0, 1.0) if width > 0 else np.ones(end - start)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


def paste(
    background: np.ndarray, patch: np.ndarray, box: CropBox, feather: float = FEATHER_FRACTION
) -> np.ndarray:
    """Paste `patch` back into `background` at `box` with a soft edge.

    Args:
        feather: width of the soft edge as a fraction of the box side (0 = a hard edge).
    """
    x, y, side = box.as_int()
    out = background.copy()
    h, w = out.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + side, w), min(y + side, h)
    if x1 <= x0 or y1 <= y0:
        return out
    resized = cv2.resize(patch, (side, side), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    width = feather * side
    mask = _edge_ramp(y, y + side, h, width)[:, None] * _edge_ramp(x, x + side, w, width)[None]
    sub = resized[y0 - y : y1 - y, x0 - x : x1 - x]
    m = mask[y0 - y : y1 - y, x0 - x : x1 - x, None]
    region = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = (m * sub + (1 - m) * region).round().clip(0, 255).astype(np.uint8)
    return out

"""From per-frame numbers to training clips: one fixed square box per piece of a shot.

A shot longer than `max_frames` is cut into near-equal pieces (a long conversation drifts;
each piece gets its own box). Each piece gets ONE box, FOMM-style: the union of its face
boxes (robust percentiles, so a stray detection does not widen it) plus a margin of
`margin` face sides, centred a little above the face (hair), shifted into the frame and
never larger than the frame's short side. Pieces are dropped, with a reason, when too short,
when a face is found in too few frames, when the face is too small for the output size, or
when the face is blurred.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from flowmark_core.animate.face_crop import CropBox


@dataclass(frozen=True)
class SegmentRules:
    """What a kept clip must satisfy.

    Attributes:
        size: output side in pixels.
        min_frames: shortest clip kept.
        max_frames: longest piece before a shot is cut into pieces.
        min_face_fraction: share of frames with a face.
        min_crop_side: smallest box side in source pixels (default: half the output size,
            so no clip is upscaled more than 2x).
        min_sharpness: median variance of the Laplacian of the face (see `faces.py`).
        margin: box side = union extent + margin x median face side.
        lift: the box centre sits this many face sides above the faces' centre.
    """

    size: int = 256
    min_frames: int = 32
    max_frames: int = 300
    min_face_fraction: float = 0.8
    min_crop_side: int | None = None
    min_sharpness: float = 15.0
    margin: float = 0.9
    lift: float = 0.1

    @property
    def crop_floor(self) -> int:
        """The smallest box side kept, in source pixels."""
        return self.min_crop_side if self.min_crop_side is not None else self.size // 2


@dataclass(frozen=True)
class Segment:
    """A piece of a shot: frames [start, end), its box or why it was dropped.

    Attributes:
        shot: the shot's index in its video.
        start, end: frame range, end exclusive.
        box: the fixed crop (None when dropped).
        reason: why it was dropped ("" when kept).
        face_fraction, face_side, sharpness: what the decision was made on.
    """

    shot: int
    start: int
    end: int
    box: CropBox | None
    reason: str
    face_fraction: float
    face_side: float
    sharpness: float

    @property
    def kept(self) -> bool:
        """True when the piece becomes a clip."""
        return self.box is not None


def split_shot(start: int, end: int, max_frames: int) -> list[tuple[int, int]]:
    """[start, end) cut into the fewest near-equal pieces of at most `max_frames`."""
    count = max(1, -(-(end - start) // max_frames))
    bounds = np.linspace(start, end, count + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def segment_box(
    boxes: np.ndarray, frame_size: tuple[int, int], margin: float, lift: float
) -> CropBox:
    """The one square box of a piece from its face boxes (rows without a face are NaN).

    Shape:
        boxes: (T, 4) left, top, width, height px; frame_size: (width, height).
    """
    found = boxes[~np.isnan(boxes).any(axis=1)]
    left = np.percentile(found[:, 0], 5)
    top = np.percentile(found[:, 1], 5)
    right = np.percentile(found[:, 0] + found[:, 2], 95)
    bottom = np.percentile(found[:, 1] + found[:, 3], 95)
    face = float(np.median(np.maximum(found[:, 2], found[:, 3])))
    side = max(right - left, bottom - top) + margin * face
    width, height = frame_size
    side = min(side, float(min(width, height)))
    cx = (left + right) / 2
    cy = (top + bottom) / 2 - lift * face
    x = float(np.clip(cx - side / 2, 0, width - side))
    y = float(np.clip(cy - side / 2, 0, height - side))
    return CropBox(round(x), round(y), round(side))


def plan_segments(
    shots: list[tuple[int, int]],
    boxes: np.ndarray,
    sharpness: np.ndarray,
    frame_size: tuple[int, int],
    rules: SegmentRules,
) -> list[Segment]:
    """Every piece of every shot, kept (with its box) or dropped (with its reason).

    Shape:
        boxes: (T, 4) per-frame face boxes, NaN without a face; sharpness: (T,), NaN without
        a face.
    """
    out: list[Segment] = []
    for shot, (a, b) in enumerate(shots):
        for start, end in split_shot(a, b, rules.max_frames):
            piece = boxes[start:end]
            has_face = ~np.isnan(piece).any(axis=1)
            fraction = float(has_face.mean()) if len(piece) else 0.0
            face_side = (
                float(np.median(np.maximum(piece[has_face, 2], piece[has_face, 3])))
                if has_face.any()
                else 0.0
            )
            sharp = float(np.nanmedian(sharpness[start:end])) if has_face.any() else 0.0
            box: CropBox | None = None
            if end - start < rules.min_frames:
                reason = f"too short ({end - start} frames, need {rules.min_frames})"
            elif fraction < rules.min_face_fraction:
                reason = f"face in {fraction:.0%} of frames (need {rules.min_face_fraction:.0%})"
            else:
                box = segment_box(piece, frame_size, rules.margin, rules.lift)
                reason = ""
                if box.size < rules.crop_floor:
                    reason = f"face too small (crop {box.size:.0f} px, need {rules.crop_floor})"
                elif sharp < rules.min_sharpness:
                    reason = f"blurred (sharpness {sharp:.1f}, need {rules.min_sharpness:g})"
                if reason:
                    box = None
            out.append(Segment(shot, start, end, box, reason, fraction, face_side, sharp))
    return out

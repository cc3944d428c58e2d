"""Which square of the driving frames the model sees: fixed, never smoothed per frame.

A crop that follows the head hides the head's translation and scale from the model and adds
the face detector's own jitter to every keypoint. So, as the published FOMM preprocessing
does, the driving crop stays put:

- a clip (`clip_box`): one box for the whole video, the median of the face boxes found on
  its first frames (held in memory, so the video is decoded once);
- a stream (`StreamBox`, cameras): the box is fixed at the first face found and kept while
  the face stays in its central part at about its size; when the face leaves, the box is
  chosen again and the caller starts the motion-transfer reference afresh.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np

from flowmark_core.animate.face_crop import CropBox, FaceCropper, whole_image_box

LOOKAHEAD_FRAMES = 25
"""A clip's box is looked for on at most this many first frames (kept in memory meanwhile)."""
BOX_DETECTIONS = 5
"""A clip's box is the median of the face boxes of its first this many frames with a face."""
CENTRE_TOLERANCE = 0.2
"""A stream re-chooses its box when the face centre is off the box centre by more than this
share of the box side (on x or y): out of the box's central 40 %."""
SIZE_TOLERANCE = 0.4
"""... or when the face box is more than 40 % larger or smaller than the box."""


def median_box(boxes: list[CropBox]) -> CropBox:
    """The box of the median left, top and side."""
    x, y, side = np.median(np.array([(b.x, b.y, b.size) for b in boxes]), axis=0)
    return CropBox(float(x), float(y), float(side))


def clip_box(
    frames: Iterable[np.ndarray],
    cropper: FaceCropper,
    lookahead: int = LOOKAHEAD_FRAMES,
    detections: int = BOX_DETECTIONS,
) -> tuple[CropBox | None, Iterator[np.ndarray]]:
    """The one driving box of a clip, and the clip's frames (all of them, in order).

    The box is the median of the face boxes of the first `detections` frames with a face
    among the first `lookahead` frames; with no face there, the first frame's largest centred
    square. None for a clip without frames.
    """
    stream = iter(frames)
    held: list[np.ndarray] = []
    found: list[CropBox] = []
    for frame in stream:
        held.append(frame)
        box = cropper.detect(frame)
        if box is not None:
            found.append(box)
        if len(found) >= detections or len(held) >= lookahead:
            break
    if not held:
        return None, iter(())
    box = median_box(found) if found else whole_image_box(held[0])
    return box, itertools.chain(held, stream)


def face_left(box: CropBox, face: CropBox) -> bool:
    """Whether a detected `face` box no longer fits the crop `box` (see the tolerances)."""
    (bx, by), (fx, fy) = box.centre, face.centre
    off = max(abs(fx - bx), abs(fy - by)) > CENTRE_TOLERANCE * box.size
    ratio = face.size / box.size
    return off or max(ratio, 1.0 / ratio) > 1.0 + SIZE_TOLERANCE


class StreamBox:
    """The driving box of a live stream: fixed at the first face found, chosen again only when
    the face leaves it (`face_left`). Before any face, the frame's largest centred square."""

    def __init__(self, cropper: FaceCropper) -> None:
        self.cropper = cropper
        self.box: CropBox | None = None

    def reset(self) -> None:
        """Forget the box: the next face found fixes a new one."""
        self.box = None

    def update(self, frame: np.ndarray) -> tuple[CropBox, bool]:
        """This frame's box, and whether it was chosen anew (so the reference must restart).

        With a box, the face is first looked for only at the sizes that keep it (a quarter
        of the cascade's cost: the full search took ~32 ms of a 640x480 frame, more than the
        model); only when that finds no face inside the box is the whole frame searched.
        """
        if self.box is not None:
            kept = (self.box.size / (1 + SIZE_TOLERANCE), self.box.size * (1 + SIZE_TOLERANCE))
            near = self.cropper.detect(frame, sizes=kept)
            if near is not None and not face_left(self.box, near):
                return self.box, False
        face = self.cropper.detect(frame)
        if face is not None and (self.box is None or face_left(self.box, face)):
            self.box = face
            return face, True
        return (self.box or whole_image_box(frame)), False

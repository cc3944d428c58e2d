"""Which square of each driving frame the model sees, decided once per track and reused.

The model takes square frames. The GUI never stretches a frame to a square: without face
crop it uses the largest centred square of every frame (a 176x144 video shows its centre
144x144); with face crop it uses one face box for the whole video (`clip_box`: the head's
motion in the frame reaches the model, the detector's jitter does not). The boxes are
computed while the video is tracked and stored with the track, so a frame renders the same
whichever frames were viewed before it, and the same in the export.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from flowmark_core.animate import Animator, DetectedKeypoints, FrameResult, KeypointTrack
from flowmark_core.animate.clip_box import clip_box
from flowmark_core.animate.face_crop import CropBox, FaceCropper, crop, whole_image_box


def square_box(image: np.ndarray) -> CropBox:
    """The largest centred square of `image` (what is shown without face crop)."""
    return whole_image_box(image)


def source_box(image: np.ndarray, face_crop: bool) -> CropBox | None:
    """The square of a source image the model sees (None: the image is square already)."""
    if face_crop:
        return FaceCropper().detect(image) or whole_image_box(image)
    h, w = image.shape[:2]
    return None if h == w else whole_image_box(image)


def crop_square(image: np.ndarray, box: CropBox) -> np.ndarray:
    """The part of `image` inside `box`, at its own resolution (box inside the image)."""
    x, y, side = box.as_int()
    return np.ascontiguousarray(image[y : y + side, x : x + side])


def describe_framing(size: tuple[int, int], face_crop: bool) -> str:
    """A short caption saying how frames of `size` (width, height) are framed."""
    width, height = size
    if face_crop:
        return "face crop"
    if width == height:
        return f"{width}×{height}"
    side = min(width, height)
    return f"{width}×{height}: centre {side}×{side} used, not stretched"


class DrivingFramer:
    """Frames a driving video in order: yields each frame cropped to its square at model
    size and remembers the boxes (and, optionally, a grey copy for jitter numbers)."""

    def __init__(self, size: int, face_crop: bool) -> None:
        self.size = size
        self.face_crop = face_crop
        self.boxes: list[CropBox] = []

    def wrap(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """The frames cut to their boxes: with face crop one box for the whole video."""
        face_box, stream = (
            clip_box(frames, FaceCropper()) if self.face_crop else (None, iter(frames))
        )
        for frame in stream:
            box = face_box or square_box(frame)
            self.boxes.append(box)
            yield crop(frame, box, self.size)


@contextlib.contextmanager
def crop_off(animator: Animator) -> Iterator[Animator]:
    """The animator without its own face crop (frames arrive framed already)."""
    saved = animator.framing
    animator.set_framing(False)
    try:
        yield animator
    finally:
        animator.set_framing(saved)


def render_framed(
    animator: Animator,
    frame: np.ndarray,
    track: KeypointTrack,
    boxes: Sequence[CropBox],
    index: int,
    heatmaps: bool,
) -> FrameResult:
    """Render frame `index` of a track from the full driving `frame`, cut with the box
    stored for it (the source must be set on `animator`)."""
    prepared = crop(frame, boxes[index], animator.size)
    heat = None
    if heatmaps:
        if getattr(track, "heatmaps", None) is not None:
            heat = np.asarray(track.heatmaps[index], np.float32)
        else:
            heat = animator.detect(prepared, heatmaps=True).heatmap
    jr = None if track.jacobian_raw is None else track.jacobian_raw[index]
    raw = DetectedKeypoints(track.raw[index], jr, heat)
    js = None if track.jacobian_stable is None else track.jacobian_stable[index]
    return animator.render(prepared, raw, track.stable[index], js, index)

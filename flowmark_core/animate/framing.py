"""Which square of each frame the model sees: the one owner of that decision.

The model takes S x S frames; a frame is never stretched to a square. A `Framing` says
which square of a source image, of a clip and of a live stream is cut out:

- no face crop: the largest centred square of the frame (`centre_square`);
- face crop: for a source image, the box around its largest face; for a clip, one box for
  the whole clip (`clip_box.clip_box`: the median of its first face boxes, so the head's
  motion in the frame reaches the model and the detector's jitter does not); for a stream,
  a box that stays put until the face leaves it (`clip_box.StreamBox`);
- a given box (`Framing.fixed`), e.g. the `(x0, y0, side)` one-box-per-shot of a prepared
  data set.

The `Animator` holds one (`Animator.set_framing`), records a clip's box on its track
(`KeypointTrack.crop_box`) and reuses it when rendering from the track. Every other place
that brings frames to the model's size (data sets, the motion prior's tracks, adaptation,
evaluation) cuts them with `to_model_size`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np

from flowmark_core.animate.clip_box import StreamBox, clip_box
from flowmark_core.animate.face_crop import CropBox, FaceCropper, crop, whole_image_box
from flowmark_core.errors import FlowmarkError


def centre_square(frame: np.ndarray) -> CropBox:
    """The largest centred square of a frame (what the model sees without face crop)."""
    return whole_image_box(frame)


def box_from_corner(x0: float, y0: float, side: float) -> CropBox:
    """A square box from its top-left corner and side in pixels (a prepared shot's box)."""
    if side <= 0:
        raise FlowmarkError(f"crop box side {side}: expected > 0")
    return CropBox(float(x0), float(y0), float(side))


def to_model_size(frame: np.ndarray, size: int, box: CropBox | None = None) -> np.ndarray:
    """An RGB uint8 frame cut to `box` (None: its centred square) and resized to S x S.

    Raises:
        FlowmarkError: the frame is not (H, W, 3).

    Shape:
        frame: (H, W, 3) uint8; output: (size, size, 3) uint8.
    """
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise FlowmarkError(f"expected an RGB image (H, W, 3), got shape {frame.shape}")
    if box is None and frame.shape[0] == size and frame.shape[1] == size:
        return frame
    return crop(frame, centre_square(frame) if box is None else box, size)


def describe_framing(size: tuple[int, int], face_crop: bool) -> str:
    """A short caption saying how frames of `size` (width, height) are framed."""
    width, height = size
    if face_crop:
        return "face crop"
    if width == height:
        return f"{width}×{height}"
    side = min(width, height)
    return f"{width}×{height}: centre {side}×{side} used, not stretched"


class Framing:
    """A framing policy: the square of a source image, of a clip and of a stream's frames.

    Args:
        face_crop: cut around the face (else the centred square).
        box: one fixed box for every frame and image (overrides `face_crop`).
    """

    def __init__(self, face_crop: bool = False, box: CropBox | None = None) -> None:
        self.face_crop = face_crop and box is None
        self.box = box
        self._cropper: FaceCropper | None = None
        self._stream: StreamBox | None = None

    @classmethod
    def fixed(cls, x0: float, y0: float, side: float) -> Framing:
        """Every frame cut with the box at (x0, y0) of side `side` (pixels)."""
        return cls(box=box_from_corner(x0, y0, side))

    @property
    def cropper(self) -> FaceCropper:
        """The face detector (its cascade is loaded on first use)."""
        if self._cropper is None:
            self._cropper = FaceCropper()
        return self._cropper

    def source_view(self, image: np.ndarray) -> tuple[np.ndarray, CropBox | None]:
        """The picture an animation of this source shows, and the box in it the model sees
        (None: all of it). With face crop (or a fixed box) the rendered box is pasted back
        into the whole image; without, the picture is the image's centred square.

        Shape:
            image: (H, W, 3); output picture: (H', W', 3), the image or its square.
        """
        if self.box is not None:
            return image, self.box
        if self.face_crop:
            return image, self.cropper.detect(image) or centre_square(image)
        height, width = image.shape[:2]
        if height == width:
            return image, None
        x, y, side = centre_square(image).as_int()
        return np.ascontiguousarray(image[y : y + side, x : x + side]), None

    def clip_box(self, frames: Iterable[np.ndarray]) -> tuple[CropBox | None, Iterator[np.ndarray]]:
        """The one box of a clip (None for a clip without frames) and its frames, all of
        them in order (the first few were looked at to choose the box)."""
        if self.face_crop:
            return clip_box(frames, self.cropper)
        stream = iter(frames)
        first = next(stream, None)
        if first is None:
            return None, iter(())
        box = self.box if self.box is not None else centre_square(first)
        return box, itertools.chain([first], stream)

    def stream_box(self, frame: np.ndarray) -> tuple[CropBox, bool]:
        """A live frame's box, and whether it was chosen anew (the reference restarts)."""
        if self.box is not None:
            return self.box, False
        if not self.face_crop:
            return centre_square(frame), False
        if self._stream is None:
            self._stream = StreamBox(self.cropper)
        return self._stream.update(frame)

    @property
    def current_stream_box(self) -> CropBox | None:
        """The face box a stream keeps now (None before a face, or without face crop)."""
        return None if self._stream is None else self._stream.box

    def reset_stream(self) -> None:
        """Forget a stream's box: the next face found fixes a new one (a re-centre)."""
        if self._stream is not None:
            self._stream.reset()

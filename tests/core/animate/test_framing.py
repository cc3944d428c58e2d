"""The framing policy: centred square, a given box, never a stretched frame."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.animate.face_crop import CropBox, crop
from flowmark_core.animate.framing import (
    Framing,
    box_from_corner,
    centre_square,
    describe_framing,
    to_model_size,
)
from flowmark_core.errors import FlowmarkError


def wide_frame(seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((64, 96, 3)) * 255).astype(np.uint8)


def test_a_non_square_frame_is_cut_to_its_centred_square_not_stretched() -> None:
    frame = wide_frame()
    assert centre_square(frame) == CropBox(16.0, 0.0, 64.0)
    assert np.array_equal(to_model_size(frame, 64), frame[:, 16:80])
    assert to_model_size(frame, 32).shape == (32, 32, 3)
    with pytest.raises(FlowmarkError, match="RGB"):
        to_model_size(frame[..., 0], 32)


def test_without_face_crop_a_clip_gets_its_centred_square_and_keeps_every_frame() -> None:
    frames = [wide_frame(i) for i in range(3)]
    box, stream = Framing().clip_box(frames)
    assert box == CropBox(16.0, 0.0, 64.0)
    assert all(a is b for a, b in zip(stream, frames, strict=True))
    empty_box, empty = Framing().clip_box([])
    assert empty_box is None and list(empty) == []
    assert Framing().stream_box(frames[0]) == (box, False)


def test_a_given_box_frames_sources_clips_and_streams_alike() -> None:
    framing = Framing.fixed(10, 5, 40)
    box = box_from_corner(10, 5, 40)
    frame = wide_frame()
    assert framing.clip_box([frame])[0] == box
    assert framing.stream_box(frame) == (box, False)
    picture, source_box = framing.source_view(frame)
    assert picture is frame and source_box == box
    assert np.array_equal(to_model_size(frame, 32, box), crop(frame, box, 32))
    with pytest.raises(FlowmarkError, match="side"):
        box_from_corner(0, 0, 0)


def test_without_face_crop_a_non_square_source_shows_its_centred_square() -> None:
    frame = wide_frame()
    picture, box = Framing().source_view(frame)
    assert box is None and np.array_equal(picture, frame[:, 16:80])
    square = frame[:, :64].copy()
    square_picture, square_box = Framing().source_view(square)
    assert square_picture is square and square_box is None
    assert describe_framing((96, 64), False) == "96×64: centre 64×64 used, not stretched"

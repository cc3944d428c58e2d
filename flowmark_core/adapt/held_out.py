"""Frames kept out of an adaptation to score it: the take's last frames, never trained on,
redrawn from its first frame by the model before and after (lower L1 is better)."""

from __future__ import annotations

import numpy as np

from flowmark_core.adapt.clip import MIN_FRAMES, AdaptClip
from flowmark_core.adapt.measure import reconstruction_scores
from flowmark_core.errors import InputFileError
from flowmark_core.models import MotionModel


def split_held_out(clip: AdaptClip, count: int, source: str) -> tuple[AdaptClip, np.ndarray | None]:
    """The clip without its last `count` frames, and those frames (None when `count` is 0).

    Raises:
        InputFileError: fewer than `MIN_FRAMES` frames would be left to learn from.

    Shape:
        held-out frames: (count, S, S, 3) uint8.
    """
    if count <= 0:
        return clip, None
    keep = len(clip) - count
    if keep < MIN_FRAMES:
        raise InputFileError(
            f"{source}: too short to keep its last {count} frames aside for the score: "
            f"{len(clip)} frames; expected at least {MIN_FRAMES + count}"
        )
    train = AdaptClip(
        clip.frames[:keep], clip.flow[: keep - 1], clip.flow_error[: keep - 1], clip.box, clip.fps
    )
    return train, clip.frames[keep:]


def held_out_l1(model: MotionModel, train: AdaptClip, held: np.ndarray | None) -> float | None:
    """Mean L1 of `model` redrawing the held-out frames from the take's first frame."""
    if held is None:
        return None
    return reconstruction_scores(model, held, train.frames[0])[0]

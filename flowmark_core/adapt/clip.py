"""The clip an adaptation learns from: frames face-cropped to the model's size, and the
optical flow between consecutive frames (for the flow loss)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowmark_core.animate.clip_box import median_box
from flowmark_core.animate.face_crop import CropBox, FaceCropper
from flowmark_core.animate.framing import to_model_size
from flowmark_core.errors import InputFileError
from flowmark_core.flow import FlowEstimator
from flowmark_core.io.video_reader import open_video

MIN_FRAMES = 16
"""Fewer frames than this teach the model nothing it can use (and leave nothing to check)."""
MAX_FRAMES = 3000
_FACE_PROBES = 10  # frames searched for the face, spread over the clip


@dataclass(frozen=True)
class AdaptClip:
    """Face-cropped frames of one video and the flow between consecutive ones.

    Attributes:
        frames: RGB uint8 crops at the model's size.
        flow: forward flow from frame t to t+1, pixels (dx, dy).
        flow_error: forward-backward error of that flow, pixels.
        box: the fixed square crop in video pixels (None: no face crop).
        fps: the video's frame rate.

    Shape:
        frames: (T, S, S, 3); flow: (T-1, S, S, 2) float32; flow_error: (T-1, S, S) float32.
    """

    frames: np.ndarray
    flow: np.ndarray
    flow_error: np.ndarray
    box: CropBox | None
    fps: float

    def __len__(self) -> int:
        return len(self.frames)


def clip_face_box(frames: list[np.ndarray], source: str) -> CropBox:
    """One fixed square crop for the whole clip: the median of the faces found (OpenCV's
    Haar cascade, as `flowmark animate --crop`) on up to ten frames spread over it.

    Raises:
        InputFileError: no face in any probed frame.
    """
    cropper = FaceCropper()
    picks = np.unique(np.linspace(0, len(frames) - 1, min(_FACE_PROBES, len(frames))).round())
    boxes = [b for i in picks if (b := cropper.detect(frames[int(i)])) is not None]
    if not boxes:
        raise InputFileError(
            f"{source}: no face found (searched {len(picks)} frames); adapt needs a video "
            "of one face, at least about 24 px wide"
        )
    return median_box(boxes)


def read_adapt_clip(
    path: str | Path,
    size: int,
    first: int = 0,
    last: int | None = None,
    face_crop: bool = True,
    flow_preset: str = "ultrafast",
) -> AdaptClip:
    """Read frames first..last (inclusive; None = to the end), crop the face, compute flow.

    Raises:
        InputFileError: unreadable video, too short (< `MIN_FRAMES` frames in the range),
            no face found (with `face_crop`).
    """
    reader = open_video(path)
    count, probes = _probe_frames(reader, first, last)
    if count < MIN_FRAMES:
        span = f"frames {first}..{last}" if last is not None else f"from frame {first}"
        raise InputFileError(
            f"{path}: too short to adapt on: {count} frames ({span}); expected at "
            f"least {MIN_FRAMES}"
        )
    box = clip_face_box(probes, str(path)) if face_crop else None
    # The clip is decoded again and each frame shrunk to the model's size as it comes: only
    # model-size crops are held (a 20-minute 640x480 clip held whole needed 28 GB).
    crops_list = [
        to_model_size(f, size, box)  # the face box, or the centred square (animate's framing)
        for f in _in_range(reader, first, last)
    ]
    crops = np.stack(crops_list)
    estimator = FlowEstimator("dis", flow_preset)
    flows, errors = [], []
    for a, b in itertools.pairwise(crops):
        pair = estimator.pair(a, b)
        flows.append(pair.forward)
        errors.append(pair.error)
    return AdaptClip(crops, np.stack(flows), np.stack(errors), box, float(reader.fps))


def _in_range(reader: Iterable[np.ndarray], first: int, last: int | None) -> Iterator[np.ndarray]:
    """Frames first..last (inclusive), at most `MAX_FRAMES`, decoded one at a time."""
    stop = MAX_FRAMES if last is None else min(MAX_FRAMES, last - first + 1)
    return itertools.islice(reader, first, first + max(stop, 0))


def _probe_frames(
    reader: Iterable[np.ndarray], first: int, last: int | None
) -> tuple[int, list[np.ndarray]]:
    """(frames in the range, up to 2 x `_FACE_PROBES` of them spread over it) in one pass
    that holds no more than that: every k-th frame is kept, and k doubles (every other kept
    frame goes) whenever too many are held."""
    step, kept, count = 1, [], 0
    for t, frame in enumerate(_in_range(reader, first, last)):
        count = t + 1
        if t % step == 0:
            kept.append(frame)
        if len(kept) > 2 * _FACE_PROBES:
            step, kept = 2 * step, kept[::2]
    return count, kept

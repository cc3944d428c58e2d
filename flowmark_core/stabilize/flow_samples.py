"""Optical flow read at a track's points, frame pair by frame pair (frames stream, nothing
of them is kept but the previous one): what the offline flow smoother needs of a video.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.flow import FlowEstimator, sample_at, to_gray_u8
from flowmark_core.stabilize.flow_guided import texture_near


@dataclass(frozen=True)
class FlowSamples:
    """Per transition t -> t+1 and point: the content's motion and how far to trust it.

    Attributes:
        motion: (T-1, K, 2) image px, the mean of the forward flow at the point in frame t
            and the negated backward flow at the point in frame t+1.
        fb_error: (T-1, K) forward-backward error at the point in frame t, image px.
        texture: (T-1, K) `texture_strength` at the point in frame t (working frame).
        inside: (T-1, K) whether the point lies inside frame t.
    """

    motion: np.ndarray
    fb_error: np.ndarray
    texture: np.ndarray
    inside: np.ndarray


def fill_gaps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Missing (NaN) samples replaced by the nearest earlier, else later, detection of the point.

    Returns:
        The filled track and a (K,) flag of points never detected (filled with 0).

    Shape:
        values: (T, K, 2); outputs: (T, K, 2), (K,).
    """
    out = np.array(values, dtype=np.float64)
    finite = np.all(np.isfinite(out), axis=-1)
    never = ~finite.any(axis=0)
    t_idx = np.where(finite, np.arange(len(out))[:, None], -1)
    last = np.maximum.accumulate(t_idx, axis=0)  # last finite index at or before t
    first = np.argmax(finite, axis=0)  # first finite index per point
    src = np.where(last >= 0, last, first[None, :])
    out = np.take_along_axis(out, src[..., None], axis=0)
    out[:, never] = 0.0
    return out, never


def sample_flow(
    anchors: np.ndarray,
    frames: Iterable[np.ndarray],
    image_size: tuple[int, int],
    max_flow_size: int = 256,
    preset: str = "ultrafast",
) -> FlowSamples:
    """Forward and backward DIS flow of each frame pair, read at `anchors`.

    Args:
        anchors: where to read the flow, image px, finite (e.g. `fill_gaps` of the track).
        frames: the T frames, uint8 RGB or gray, streamed.
        image_size: (height, width) of the image the anchors are in.
        max_flow_size: frames are downscaled so their larger side is at most this.
        preset: DIS preset.

    Shape:
        anchors: (T, K, 2); frames: T x (H, W, 3).
    """
    height, width = image_size
    estimator = FlowEstimator("dis", preset)
    steps, k = anchors.shape[:2]
    motion = np.zeros((max(steps - 1, 0), k, 2))
    fb_error = np.zeros((max(steps - 1, 0), k))
    texture = np.zeros((max(steps - 1, 0), k))
    inside = np.zeros((max(steps - 1, 0), k), bool)
    prev: np.ndarray | None = None
    count = 0
    for t, frame in enumerate(frames):
        if t >= steps:
            raise ValueError(f"got more frames than the {steps} time steps of the track")
        gray = to_gray_u8(frame)
        factor = max_flow_size / max(gray.shape)
        if factor < 1.0:
            size = (max(2, round(gray.shape[1] * factor)), max(2, round(gray.shape[0] * factor)))
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        count += 1
        if prev is not None:
            if prev.shape != gray.shape:
                raise ValueError(f"frame {t} differs in size from frame {t - 1}")
            work_h, work_w = gray.shape
            to_work = np.array([work_w / width, work_h / height])
            here = (anchors[t - 1] + 0.5) * to_work - 0.5
            there = (anchors[t] + 0.5) * to_work - 0.5
            fw = estimator(prev, gray)
            bw = estimator(gray, prev)
            moved = here + sample_at(fw, here)
            fb = np.linalg.norm((moved - here + sample_at(bw, moved)) / to_work, axis=-1)
            forward = sample_at(fw, here) / to_work
            backward = -sample_at(bw, there) / to_work
            motion[t - 1] = 0.5 * (forward + backward)
            fb_error[t - 1] = fb
            texture[t - 1] = texture_near(prev, here)
            inside[t - 1] = np.all((here >= 0) & (here <= [work_w - 1, work_h - 1]), axis=-1)
        prev = gray
    if count != steps:
        raise ValueError(f"frames ended after {count} of {steps} time steps")
    return FlowSamples(motion, fb_error, texture, inside)

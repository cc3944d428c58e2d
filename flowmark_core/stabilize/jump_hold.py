"""Holding a keypoint off a detector jump that the image content did not make.

Used by the flow stabiliser (`flow_guided.py`, step 5 of its docstring). A jump *starts*
where the detection moved unlike the content under the previous detection: the jump
j = |z_t - (z_{t-1} + F(z_{t-1}))| is large against the detector's two-frame noise, the flow
there is reliable (r), and the image shows the content at the flow's prediction rather than
at the detection (the appearance support a, `content_support`):

    h_start = r · a · (1 - exp(-½ (j / (gate · sqrt(2R + q²)))²))

A started hold *continues* while the detection stays a distance d away from the flow-carried
keypoint, h = max(h_start, h_{t-1} · (1 - exp(-½ (d / (gate · sqrt(P⁻ + R)))²))), for at most
`max_hold` frames in a row (counted while h > 0.5); then the detection is let back in.
`JumpHold` keeps the two pieces of state this needs per keypoint: the last hold and the
number of frames held so far.
"""

from __future__ import annotations

import cv2
import numpy as np

PATCH_RADIUS = 4  # working px: the appearance check compares 9 x 9 patches
PATCH_NOISE = 4.0  # grey levels: SSD floor per pixel (sensor noise, compression)
SUPPORT_FROM, SUPPORT_FULL = 0.4, 1.2  # contrast c of the SSDs: no support below, full above


def to_working_px(points: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Image px -> working px, pixel centres scaled as cv2.resize does: p' = (p + ½)·D - ½.

    Shape:
        points: (K, 2) x, y; scale: (2,) working size / image size per axis.
    """
    return (points + 0.5) * scale - 0.5


def content_support(
    before: np.ndarray,
    after: np.ndarray,
    previous: np.ndarray,
    predicted: np.ndarray,
    detected: np.ndarray,
) -> np.ndarray:
    """Per keypoint, how clearly the image says the content went with the prediction and
    not with the detection (a), in [0, 1].

    The patch around `previous` in `before` is compared with `after` at `predicted` and at
    `detected` (SSDs D_pred, D_det); c = 2 (D_det - D_pred) / (D_det + D_pred + floor) and
    a = clip((c - 0.4) / 0.8, 0, 1), so ambiguous evidence (repeated texture, blur, noise)
    gives no support at all.

    Shape:
        before, after: (h, w) grey frames; previous, predicted, detected: (K, 2) px of those
        frames; output: (K,).
    """
    side = 2 * PATCH_RADIUS + 1
    before_f = before.astype(np.float32)
    after_f = after.astype(np.float32)
    floor = 2.0 * side * side * PATCH_NOISE**2
    contrast = np.zeros(len(previous))
    for k in range(len(previous)):
        template = cv2.getRectSubPix(before_f, (side, side), tuple(map(float, previous[k])))
        at_pred = cv2.getRectSubPix(after_f, (side, side), tuple(map(float, predicted[k])))
        at_det = cv2.getRectSubPix(after_f, (side, side), tuple(map(float, detected[k])))
        ssd_pred = float(np.sum((at_pred - template) ** 2))
        ssd_det = float(np.sum((at_det - template) ** 2))
        contrast[k] = 2.0 * (ssd_det - ssd_pred) / (ssd_det + ssd_pred + floor)
    return np.clip((contrast - SUPPORT_FROM) / (SUPPORT_FULL - SUPPORT_FROM), 0.0, 1.0)


class JumpHold:
    """The hold h per keypoint, frame by frame, and the state it carries between frames.

    Args:
        gate: unexplained detector motion, in standard deviations, at which a jump is 39 %
            held off (86 % at twice that); must be > 0 to be used.
        max_hold: consecutive frames a keypoint may be held (h > 0.5) before it is let go.
        flow_var: q², the process noise variance of a trusted flow (image px²).

    Attributes:
        last: the hold of the previous frame, (K,); None before `start`.
        frames_held: consecutive frames each keypoint has been held, (K,); None before `start`.
    """

    def __init__(self, gate: float, max_hold: int, flow_var: float) -> None:
        self.gate = float(gate)
        self.max_hold = int(max_hold)
        self.flow_var = float(flow_var)
        self.reset()

    def reset(self) -> None:
        """Forget every keypoint (start of a new video)."""
        self.last: np.ndarray | None = None
        self.frames_held: np.ndarray | None = None

    def start(self, count: int) -> None:
        """Begin a track of `count` keypoints, none held."""
        self.last = np.zeros(count)
        self.frames_held = np.zeros(count, np.int64)

    def step(
        self,
        *,
        before: np.ndarray,
        after: np.ndarray,
        to_work: np.ndarray,
        previous: np.ndarray,
        carried: np.ndarray,
        reliable: np.ndarray,
        detected: np.ndarray,
        distance: np.ndarray,
        prior_var: np.ndarray,
        measurement_var: np.ndarray,
        failed: np.ndarray,
    ) -> np.ndarray:
        """This frame's hold per keypoint, in [0, 1] (0 where the flow `failed`).

        Args:
            before, after: the previous and this frame, grey, working px.
            to_work: working size / image size per axis (x, y).
            previous: the previous detections z_{t-1}, image px.
            carried: `previous` carried by the flow, z_{t-1} + F(z_{t-1}), image px.
            reliable: the flow's reliability at `previous` (r), in [0, 1].
            detected: this frame's detections z_t (a missing one at its prediction), image px.
            distance: |z_t - x_pred|, the detection's distance from the flow-carried keypoint.
            prior_var: P⁻, the predicted variance; measurement_var: R (image px²).
            failed: where the flow failed its checks (no hold there).

        Shape:
            points: (K, 2); per-keypoint values: (K,); output: (K,).
        """
        count = len(detected)
        held = self.frames_held if self.frames_held is not None else np.zeros(count, np.int64)
        previous_hold = self.last if self.last is not None else np.zeros(count)
        jump = np.linalg.norm(detected - carried, axis=-1)
        jump_z = jump / np.sqrt(2.0 * measurement_var + self.flow_var)
        support = content_support(
            before,
            after,
            to_working_px(previous, to_work),
            to_working_px(carried, to_work),
            to_working_px(detected, to_work),
        )
        start = reliable * support * (1.0 - np.exp(-0.5 * (jump_z / self.gate) ** 2))
        apart = distance / np.sqrt(prior_var + measurement_var)
        keep = previous_hold * (1.0 - np.exp(-0.5 * (apart / self.gate) ** 2))
        hold = np.where(held >= self.max_hold, 0.0, np.maximum(start, keep))
        self.frames_held = np.where(hold > 0.5, held + 1, 0)
        hold = np.where(failed, 0.0, hold)
        self.last = hold
        return hold

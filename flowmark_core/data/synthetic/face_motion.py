"""Random head motion and expressions for the face puppet, one value per frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.motion import blink_track, keyframe_track


@dataclass(frozen=True)
class FaceMotion:
    """Per-frame tracks. Translations and pan are fractions of the frame size, angles in
    radians (roll in the image plane, yaw a turn about the vertical axis), zoom a factor.

    Shape:
        every field: (T,) float32.
    """

    tx: np.ndarray
    ty: np.ndarray
    roll: np.ndarray
    zoom: np.ndarray
    yaw: np.ndarray
    eye_open: np.ndarray
    gaze_x: np.ndarray
    gaze_y: np.ndarray
    mouth_open: np.ndarray
    smile: np.ndarray
    brow_raise: np.ndarray
    pan_x: np.ndarray
    pan_y: np.ndarray

    @staticmethod
    def random(rng: np.random.Generator, frames: int, expressive: bool = False) -> FaceMotion:
        """Smooth random motion with occasional fast moves; `expressive` turns it up."""
        k = 1.35 if expressive else 1.0

        def track(lo: float, hi: float, **kw: object) -> np.ndarray:
            return keyframe_track(rng, frames, lo, hi, **kw)  # type: ignore[arg-type]

        pan = rng.random() < 0.5
        zero = np.zeros(frames, np.float32)
        return FaceMotion(
            tx=track(-0.07, 0.07, hold=(15, 40), fast_prob=0.12),
            ty=track(-0.045, 0.045, hold=(15, 40), fast_prob=0.08),
            roll=track(-0.17 * k, 0.17 * k, hold=(12, 35), fast_prob=0.1, rest=0.0, rest_prob=0.3),
            zoom=track(0.92, 1.08, hold=(20, 50), fast_prob=0.05),
            yaw=track(-0.45 * k, 0.45 * k, hold=(10, 30), fast_prob=0.15, rest=0.0, rest_prob=0.3),
            eye_open=blink_track(rng, frames, mean_gap=30.0 if expressive else 50.0),
            gaze_x=track(-1.0, 1.0, hold=(5, 20), fast_prob=0.5, rest=0.0, rest_prob=0.3),
            gaze_y=track(-0.8, 0.8, hold=(5, 20), fast_prob=0.5, rest=0.0, rest_prob=0.4),
            mouth_open=track(
                0.0,
                0.6 * k,
                hold=(4, 14) if expressive else (6, 20),
                fast_prob=0.2,
                rest=0.0,
                rest_prob=0.4,
            ),
            smile=track(-0.2, 0.9, hold=(10, 30), fast_prob=0.1, rest=0.0, rest_prob=0.3),
            brow_raise=track(-0.4, 0.9, hold=(8, 25), fast_prob=0.2, rest=0.0, rest_prob=0.5),
            pan_x=track(-0.04, 0.04, hold=(30, 70), fast_prob=0.0) if pan else zero,
            pan_y=track(-0.03, 0.03, hold=(30, 70), fast_prob=0.0) if pan else zero,
        )

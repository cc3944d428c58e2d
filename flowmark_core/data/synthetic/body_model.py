"""The articulated stick-figure puppet: identity, joint-angle motion and forward kinematics.

A front view in image coordinates (x right, y down). Limb angles are measured from "hanging
straight down": positive swings a limb outwards (away from the body), negative swings it
across the body, so limbs can cross the torso and each other. "Left" is the subject's left
(image right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.motion import keyframe_track
from flowmark_core.data.synthetic.textures import hair_colour, skin_colour, vivid_colour

BODY_LANDMARKS: tuple[str, ...] = (
    "head", "neck", "right_shoulder", "left_shoulder", "right_elbow", "left_elbow",
    "right_wrist", "left_wrist", "right_hip", "left_hip", "right_knee", "left_knee",
    "right_ankle", "left_ankle",
)  # fmt: skip


@dataclass(frozen=True)
class BodyIdentity:
    """Proportions (in units of `unit`, a fraction of the frame) and colours of a figure."""

    unit: float
    torso: float
    shoulder: float
    hip: float
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    head: float
    limb_width: float
    skin: np.ndarray
    hair: np.ndarray
    shirt: np.ndarray
    trousers: np.ndarray
    shoes: np.ndarray
    long_sleeves: bool
    shorts: bool
    texture_seed: int

    @staticmethod
    def random(rng: np.random.Generator) -> BodyIdentity:
        """Draw a random figure."""

        def jitter(value: float) -> float:
            return float(value * rng.uniform(0.9, 1.1))

        return BodyIdentity(
            unit=float(rng.uniform(0.085, 0.098)),
            torso=jitter(2.6),
            shoulder=jitter(1.0),
            hip=jitter(0.62),
            upper_arm=jitter(1.55),
            forearm=jitter(1.45),
            thigh=jitter(1.95),
            shin=jitter(1.85),
            head=jitter(0.62),
            limb_width=jitter(1.0),
            skin=skin_colour(rng),
            hair=hair_colour(rng),
            shirt=vivid_colour(rng, (0.35, 0.9), (0.4, 0.95)),
            trousers=vivid_colour(rng, (0.2, 0.8), (0.2, 0.7)),
            shoes=vivid_colour(rng, (0.0, 0.5), (0.1, 0.4)),
            long_sleeves=bool(rng.random() < 0.5),
            shorts=bool(rng.random() < 0.3),
            texture_seed=int(rng.integers(2**31)),
        )


@dataclass(frozen=True)
class BodyMotion:
    """Per-frame tracks: root offset (fractions of the frame), zoom, lean and head tilt
    (radians), limb angles (radians, see the module docstring) and limb depths (> 0 in front
    of the torso). Arrays with a leading 2 are (right, left).

    Shape:
        tx, ty, zoom, lean, head_tilt: (T,); arm, elbow, leg, knee, arm_depth, leg_depth:
        (2, T).
    """

    tx: np.ndarray
    ty: np.ndarray
    zoom: np.ndarray
    lean: np.ndarray
    head_tilt: np.ndarray
    arm: np.ndarray
    elbow: np.ndarray
    leg: np.ndarray
    knee: np.ndarray
    arm_depth: np.ndarray
    leg_depth: np.ndarray

    @staticmethod
    def random(rng: np.random.Generator, frames: int) -> BodyMotion:
        """Smooth random dancing with occasional fast moves."""

        def track(lo: float, hi: float, hold: tuple[int, int] = (8, 24), fast: float = 0.15):
            return keyframe_track(rng, frames, lo, hi, hold=hold, fast_prob=fast)

        def pair(lo: float, hi: float, **kw: object) -> np.ndarray:
            return np.stack([track(lo, hi, **kw), track(lo, hi, **kw)])  # type: ignore[arg-type]

        leg_depth = track(-0.6, 0.6, hold=(15, 40))
        return BodyMotion(
            tx=track(-0.12, 0.12, hold=(20, 50), fast=0.1),
            ty=track(-0.03, 0.03, hold=(10, 30)),
            zoom=track(0.9, 1.08, hold=(25, 60), fast=0.0),
            lean=track(-0.2, 0.2, hold=(12, 30)),
            head_tilt=track(-0.35, 0.35, hold=(8, 25)),
            arm=pair(-0.9, 2.9),
            elbow=pair(0.0, 2.4),
            leg=pair(-0.45, 0.9),
            knee=pair(-0.9, 0.9),
            arm_depth=pair(-1.0, 1.0, hold=(15, 40)),
            leg_depth=np.stack([leg_depth, -leg_depth]),
        )


def limb_direction(angle: float, up: np.ndarray, right: np.ndarray, side: int) -> np.ndarray:
    """Unit vector of a limb at `angle` from hanging down; `side` +1 left, -1 right."""
    return -up * np.cos(angle) + side * right * np.sin(angle)


def pose_joints(ident: BodyIdentity, motion: BodyMotion, t: int, canvas: int) -> dict:
    """Joint positions (canvas pixels) of frame `t`.

    Returns:
        dict of named points ("pelvis", "neck", "head", "shoulder"/"elbow"/"wrist"/"hand"/
        "hip"/"knee"/"ankle"/"toe" as (2, 2) arrays of (right, left)) plus "u", the
        figure's unit length in pixels.
    """
    u = ident.unit * canvas * float(motion.zoom[t])
    pelvis = np.array([canvas * (0.5 + motion.tx[t]), canvas * (0.57 + motion.ty[t])])
    lean = float(motion.lean[t])
    up = np.array([np.sin(lean), -np.cos(lean)])
    right = np.array([np.cos(lean), np.sin(lean)])
    neck = pelvis + up * ident.torso * u
    tilt = lean + float(motion.head_tilt[t])
    head = neck + np.array([np.sin(tilt), -np.cos(tilt)]) * (0.35 + ident.head) * u
    joints: dict = {"u": u, "pelvis": pelvis, "neck": neck, "head": head, "up": up}
    names = ("shoulder", "elbow", "wrist", "hand", "hip", "knee", "ankle", "toe")
    for name in names:
        joints[name] = np.zeros((2, 2))
    for i, side in enumerate((-1, 1)):
        shoulder = neck + side * right * ident.shoulder * u - up * 0.25 * u
        a = float(motion.arm[i, t])
        elbow = shoulder + limb_direction(a, up, right, side) * ident.upper_arm * u
        fore = limb_direction(a - float(motion.elbow[i, t]), up, right, side)
        wrist = elbow + fore * ident.forearm * u
        hip = pelvis + side * right * ident.hip * u + up * 0.15 * u
        g = float(motion.leg[i, t])
        knee = hip + limb_direction(g, up, right, side) * ident.thigh * u
        ankle = (
            knee + limb_direction(g + float(motion.knee[i, t]), up, right, side) * ident.shin * u
        )
        values = (
            shoulder,
            elbow,
            wrist,
            wrist + fore * 0.22 * u,
            hip,
            knee,
            ankle,
            ankle + side * right * 0.45 * u - up * 0.05 * u,
        )
        for name, value in zip(names, values):
            joints[name][i] = value
    return joints

"""Synthetic articulated figure (head, torso, two-segment arms and legs) with joint landmarks.

Parts are painted far to near (painter's algorithm, each limb at its own depth), into the
colour canvas and, without anti-aliasing, into a part-label canvas. A joint is visible when
the parts on top all over its pixel are parts that meet there, so a limb crossing in front
of another hides its joints.
"""

from __future__ import annotations

import numpy as np

from flowmark_core.data.synthetic.body_model import (
    BODY_LANDMARKS,
    BodyIdentity,
    BodyMotion,
    pose_joints,
)
from flowmark_core.data.synthetic.clip import (
    SUPERSAMPLE,
    SyntheticClip,
    capsule,
    check_size,
    disc,
    downsample,
    fill_poly,
    labels_at,
    to_output_pixels,
    translated,
)
from flowmark_core.data.synthetic.textures import cloth_pattern, scene_background, tinted

TORSO, HEAD, NECK = 1, 2, 3
# Limb part labels: UPPER_ARM[side], ...; side 0 = right, 1 = left.
UPPER_ARM, FOREARM, HAND = (4, 7), (5, 8), (6, 9)
THIGH, SHIN, FOOT = (10, 13), (11, 14), (12, 15)
# The parts that meet at each landmark, in `BODY_LANDMARKS` order.
LANDMARK_PARTS: tuple[tuple[int, int], ...] = (
    (HEAD, HEAD), (NECK, TORSO),
    (TORSO, UPPER_ARM[0]), (TORSO, UPPER_ARM[1]),
    (UPPER_ARM[0], FOREARM[0]), (UPPER_ARM[1], FOREARM[1]),
    (FOREARM[0], HAND[0]), (FOREARM[1], HAND[1]),
    (TORSO, THIGH[0]), (TORSO, THIGH[1]),
    (THIGH[0], SHIN[0]), (THIGH[1], SHIN[1]),
    (SHIN[0], FOOT[0]), (SHIN[1], FOOT[1]),
)  # fmt: skip
_LANDMARK_JOINTS = ("head", "neck", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
_PAN_MARGIN = 0.05


class BodyRenderer:
    """Draws one figure at one output size."""

    def __init__(self, ident: BodyIdentity, size: int, scene_seed: int) -> None:
        check_size(size)
        self.ident, self.size, self.R = ident, size, size * SUPERSAMPLE
        rng = np.random.default_rng(scene_seed)
        self.margin = int(np.ceil(_PAN_MARGIN * self.R)) + 2
        side = self.R + 2 * self.margin
        self.background = scene_background(rng, side, side)
        pattern = cloth_pattern(rng, self.R, self.R, ident.unit * self.R * 0.5)
        self.shirt_texture = np.clip(tinted(ident.shirt, pattern, 0.25), 0, 255).astype(np.uint8)
        fore = ident.shirt * 0.9 if ident.long_sleeves else ident.skin
        shin = ident.skin if ident.shorts else ident.trousers * 0.9
        colour = {TORSO: ident.shirt, HEAD: ident.skin, NECK: ident.skin * 0.9}
        for s in (0, 1):
            colour.update(
                {
                    UPPER_ARM[s]: ident.shirt,
                    FOREARM[s]: fore,
                    HAND[s]: ident.skin,
                    THIGH[s]: ident.trousers,
                    SHIN[s]: shin,
                    FOOT[s]: ident.shoes,
                }
            )
        self.part_colour = {k: np.clip(v, 0, 255) for k, v in colour.items()}
        self.colours = (
            np.array([[self.part_colour[a], self.part_colour[b]] for a, b in LANDMARK_PARTS])
            .round()
            .astype(np.uint8)
        )

    def _part(
        self,
        canvas: np.ndarray,
        labels: np.ndarray,
        label: int,
        p0: np.ndarray,
        p1: np.ndarray,
        width: float,
    ) -> None:
        capsule(canvas, p0, p1, width, self.part_colour[label].tolist())
        capsule(labels, p0, p1, width, label, aa=False)

    def _torso(self, canvas: np.ndarray, labels: np.ndarray, j: dict) -> None:
        u, up = j["u"], j["up"]
        right = np.array([-up[1], up[0]])
        ident = self.ident
        neck, pelvis = j["neck"], j["pelvis"]
        waist = neck * 0.4 + pelvis * 0.6
        poly = np.array(
            [
                neck - right * (ident.shoulder + 0.3) * u + up * 0.05 * u,
                neck + right * (ident.shoulder + 0.3) * u + up * 0.05 * u,
                waist + right * (ident.hip + 0.3) * u,
                pelvis + right * (ident.hip + 0.4) * u - up * 0.3 * u,
                pelvis - right * (ident.hip + 0.4) * u - up * 0.3 * u,
                waist - right * (ident.hip + 0.3) * u,
            ]
        )
        x0, y0 = np.maximum(np.floor(poly.min(0)).astype(int) - 2, 0)
        x1, y1 = np.minimum(np.ceil(poly.max(0)).astype(int) + 3, self.R)
        if x1 > x0 and y1 > y0:
            mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
            fill_poly(mask, poly - [x0, y0], 255)
            centre = (neck + pelvis) / 2 - self.R / 2
            tex = translated(self.shirt_texture, x0 - centre[0], y0 - centre[1], (x1 - x0, y1 - y0))
            alpha = mask.astype(np.float32)[..., None] / 255.0
            roi = canvas[y0:y1, x0:x1]
            roi[:] = np.clip(roi * (1 - alpha) + tex * alpha + 0.5, 0, 255).astype(np.uint8)
        fill_poly(labels, poly, TORSO, aa=False)

    def _head(self, canvas: np.ndarray, labels: np.ndarray, j: dict) -> None:
        u, head, neck = j["u"], j["head"], j["neck"]
        r = self.ident.head * u
        self._part(canvas, labels, NECK, neck, head, 0.5 * u)
        axis = (head - neck) / (np.linalg.norm(head - neck) + 1e-9)
        disc(canvas, head + axis * 0.25 * r, 0.95 * r, self.ident.hair.tolist())  # hair behind
        disc(labels, head + axis * 0.25 * r, 0.95 * r, HEAD, aa=False)
        disc(canvas, head, r, self.part_colour[HEAD].tolist())
        disc(labels, head, r, HEAD, aa=False)
        side = np.array([-axis[1], axis[0]])
        for s in (-1, 1):
            disc(canvas, head + side * s * 0.35 * r + axis * 0.15 * r, 0.11 * r, [30, 25, 25])

    def render(
        self, j: dict, arm_depth: np.ndarray, leg_depth: np.ndarray, pan: tuple[float, float]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw one frame from joints (`pose_joints`) and limb depths (right, left).

        Shape:
            output: frame (S, S, 3) uint8, landmarks (14, 2) float32 output pixels,
            visible (14,) bool.
        """
        m = self.margin
        canvas = translated(self.background, m + pan[0], m + pan[1], (self.R, self.R))
        labels = np.zeros((self.R, self.R), np.uint8)
        u, w = j["u"], self.ident.limb_width * j["u"]
        layers: list[tuple[float, str, int]] = [(0.0, "torso", -1), (0.05, "head", -1)]
        layers += [(float(arm_depth[s]), "arm", s) for s in (0, 1)]
        layers += [(float(leg_depth[s]) * 0.5, "leg", s) for s in (0, 1)]
        for _, kind, s in sorted(layers, key=lambda item: item[0]):
            if kind == "torso":
                self._torso(canvas, labels, j)
            elif kind == "head":
                self._head(canvas, labels, j)
            elif kind == "arm":
                self._part(canvas, labels, UPPER_ARM[s], j["shoulder"][s], j["elbow"][s], 0.5 * w)
                self._part(canvas, labels, FOREARM[s], j["elbow"][s], j["wrist"][s], 0.42 * w)
                self._part(canvas, labels, HAND[s], j["wrist"][s], j["hand"][s], 0.5 * w)
            else:
                self._part(canvas, labels, THIGH[s], j["hip"][s], j["knee"][s], 0.66 * w)
                self._part(canvas, labels, SHIN[s], j["knee"][s], j["ankle"][s], 0.52 * w)
                self._part(canvas, labels, FOOT[s], j["ankle"][s], j["toe"][s], 0.42 * u)
        points = np.vstack([j["head"], j["neck"]] + [j[name] for name in _LANDMARK_JOINTS[2:]])
        # Visible only if the whole output pixel shows the joint's own parts, so a limb edge
        # passing over a joint hides it.
        under = labels_at(labels, points, radius=SUPERSAMPLE // 2)
        parts = np.array(LANDMARK_PARTS)
        own = (under == parts[:, :1]) | (under == parts[:, 1:])
        visible = own.all(axis=1)
        out = to_output_pixels(points)
        inside = np.all((out >= -0.5) & (out <= self.size - 0.5), axis=1)
        return downsample(canvas), out, visible & inside


def body_clip(
    ident: BodyIdentity, motion_seed: int, frames: int, size: int, fps: float = 25.0
) -> SyntheticClip:
    """Render a clip of one figure; `motion_seed` fixes the dance and the scene.

    Shape:
        see `SyntheticClip` (L = 14 landmarks, `BODY_LANDMARKS`).
    """
    rng = np.random.default_rng(motion_seed)
    motion = BodyMotion.random(rng, frames)
    renderer = BodyRenderer(ident, size, int(rng.integers(2**31)))
    pan_on = rng.random() < 0.5
    pan_x = rng.uniform(-1, 1) * 0.04 * renderer.R / max(frames, 1) if pan_on else 0.0
    out_frames = np.empty((frames, size, size, 3), np.uint8)
    landmarks = np.empty((frames, len(BODY_LANDMARKS), 2), np.float32)
    visible = np.empty((frames, len(BODY_LANDMARKS)), bool)
    for t in range(frames):
        joints = pose_joints(ident, motion, t, renderer.R)
        pan = (pan_x * (t - frames / 2), 0.0)
        out_frames[t], landmarks[t], visible[t] = renderer.render(
            joints, motion.arm_depth[:, t], motion.leg_depth[:, t], pan
        )
    return SyntheticClip(
        out_frames, landmarks, visible, np.array(BODY_LANDMARKS), renderer.colours, fps
    )

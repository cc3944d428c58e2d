"""Synthetic talking-head puppet with exact landmarks.

The head is an ellipsoid (half-axes a0, b0, c0) wearing the painted `FaceSurface`. A frame's
pose is a yaw (turn about the vertical axis: features slide sideways and the far side
compresses, by orthographic projection), then an in-plane roll, zoom and translation. The
nose sticks out of the surface, so it moves more than the cheeks when the head turns.
Every canvas pixel of the head is traced back to the surface (closed form), so texture and
features move consistently, which gives optical flow something true to find.
"""

from __future__ import annotations

import cv2
import numpy as np

from flowmark_core.data.synthetic import face_surface as fs
from flowmark_core.data.synthetic.clip import (
    SUPERSAMPLE,
    SyntheticClip,
    check_size,
    disc,
    downsample,
    ellipse_points,
    fill_poly,
    to_output_pixels,
    translated,
)
from flowmark_core.data.synthetic.face_identity import FaceIdentity
from flowmark_core.data.synthetic.face_motion import FaceMotion
from flowmark_core.data.synthetic.textures import cloth_pattern, scene_background, tinted

FACE_LANDMARKS: tuple[str, ...] = (*fs.SURFACE_LANDMARKS[:8], "nose_tip", *fs.SURFACE_LANDMARKS[8:])
_PARTS = (*fs.SURFACE_LANDMARK_PARTS[:8], fs.NOSE, *fs.SURFACE_LANDMARK_PARTS[8:])
_PUPILS = (FACE_LANDMARKS.index("right_pupil"), FACE_LANDMARKS.index("left_pupil"))
_PAN_MARGIN = 0.06


class FaceRenderer:
    """Draws one identity at one output size; `render` takes one frame's pose and expression."""

    def __init__(self, ident: FaceIdentity, size: int, scene_seed: int) -> None:
        check_size(size)
        self.ident, self.size = ident, size
        self.R = size * SUPERSAMPLE
        self.a0 = ident.half_width * self.R
        self.b0, self.c0 = self.a0 * ident.aspect, self.a0 * ident.depth
        self.surface = fs.FaceSurface(ident, self.a0, self.b0, self.c0)
        rng = np.random.default_rng(scene_seed)
        margin = int(np.ceil(_PAN_MARGIN * self.R)) + 2
        self.margin = margin
        self.background = scene_background(rng, self.R + 2 * margin, self.R + 2 * margin)
        pattern = cloth_pattern(rng, self.R, self.R, self.a0 / 3)
        self.clothes = np.clip(tinted(ident.clothes, pattern, 0.5), 0, 255).astype(np.uint8)
        self.nose_rgb = np.clip(ident.skin * np.array([0.97, 0.9, 0.88]), 0, 255)
        colours = {
            fs.EYELINE: fs.EYELINE_RGB,
            fs.PUPIL: fs.PUPIL_RGB,
            fs.BROW: ident.brow_colour,
            fs.LIP: ident.lip_colour,
            fs.SKIN: ident.skin,
            fs.NOSE: self.nose_rgb,
        }
        per_landmark = np.array([colours[p] for p in _PARTS])
        second = per_landmark.copy()
        second[np.array(_PARTS) == fs.PUPIL] = ident.iris  # a pupil's pixel may show its iris
        self.colours = np.clip(np.stack([per_landmark, second], 1) + 0.5, 0, 255).astype(np.uint8)

    # -- geometry ---------------------------------------------------------------------------
    def surface_z(self, xy: np.ndarray) -> np.ndarray:
        """Depth of the ellipsoid's front surface under head-space points (N, 2)."""
        q = 1 - (xy[:, 0] / self.a0) ** 2 - (xy[:, 1] / self.b0) ** 2
        return self.c0 * np.sqrt(np.clip(q, 0, None))

    def project(self, pts: np.ndarray, pose: np.ndarray) -> np.ndarray:
        """Head-space 3-D points (N, 3) to canvas pixels (N, 2); pose (cx, cy, roll, zoom, yaw)."""
        cx, cy, roll, zoom, yaw = pose
        xr = pts[:, 0] * np.cos(yaw) + pts[:, 2] * np.sin(yaw)
        cr, sr = np.cos(roll), np.sin(roll)
        x = zoom * (cr * xr - sr * pts[:, 1]) + cx
        y = zoom * (sr * xr + cr * pts[:, 1]) + cy
        return np.stack([x, y], 1)

    def facing(self, pts: np.ndarray, yaw: float) -> np.ndarray:
        """z of the turned unit surface normal at head-space points (N, 3); > 0 faces us."""
        n = pts / np.array([self.a0**2, self.b0**2, self.c0**2])
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        return -n[:, 0] * np.sin(yaw) + n[:, 2] * np.cos(yaw)

    def _silhouette(self, pose: np.ndarray, scale: float = 1.0, dy: float = 0.0) -> np.ndarray:
        yaw = pose[4]
        r0 = np.hypot(self.a0 * np.cos(yaw), self.c0 * np.sin(yaw)) * scale
        pts = ellipse_points((0.0, dy), (r0, self.b0 * scale), 0.0, 96)
        flat = np.column_stack([pts, np.zeros(len(pts))])
        return self.project(flat, np.array([*pose[:4], 0.0]))

    def trace(self, qx: np.ndarray, qy: np.ndarray, pose: np.ndarray) -> tuple[np.ndarray, ...]:
        """Trace canvas pixels back to the head surface (closed form for the turned ellipsoid).

        Returns:
            head-space x, y, z of the front surface seen at each pixel, and whether the
            pixel lies inside the head's silhouette.
        """
        cx, cy, roll, zoom, yaw = (float(v) for v in pose)
        dx, dy = (qx - cx) / zoom, (qy - cy) / zoom
        xp = np.cos(roll) * dx + np.sin(roll) * dy
        y_raw = -np.sin(roll) * dx + np.cos(roll) * dy
        y = np.clip(y_raw, -self.b0, self.b0)
        sy = np.sqrt(np.clip(1 - (y / self.b0) ** 2, 1e-6, None))
        ay, cy_ = self.a0 * sy, self.c0 * sy
        ry = np.hypot(ay * np.cos(yaw), cy_ * np.sin(yaw))
        inside = (np.abs(y_raw) < self.b0) & (np.abs(xp) <= ry)
        phi = np.arctan2(cy_ * np.sin(yaw), ay * np.cos(yaw)) + np.arccos(np.clip(xp / ry, -1, 1))
        return ay * np.cos(phi), y, cy_ * np.sin(phi), inside

    # -- drawing ----------------------------------------------------------------------------
    def _paint_head(self, canvas: np.ndarray, pose: np.ndarray, colour_map: np.ndarray) -> None:
        outline = self._silhouette(pose)
        x0, y0 = np.maximum(np.floor(outline.min(0)).astype(int) - 2, 0)
        x1, y1 = np.minimum(np.ceil(outline.max(0)).astype(int) + 3, self.R)
        if x1 <= x0 or y1 <= y0:
            return
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        fill_poly(mask, outline - [x0, y0], 255)
        qy, qx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        x, y, z, _ = self.trace(qx, qy, pose)
        map_x = (x + self.surface.origin[0]).astype(np.float32)
        map_y = (y + self.surface.origin[1]).astype(np.float32)
        rgb = cv2.remap(colour_map, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # Lambert-like shading from the turned normal's z; the head darkens towards its rim.
        yaw = float(pose[4])
        nx, ny, nz = x / self.a0**2, y / self.b0**2, z / self.c0**2
        facing = (nz * np.cos(yaw) - nx * np.sin(yaw)) / (np.sqrt(nx**2 + ny**2 + nz**2) + 1e-12)
        shade = (0.8 + 0.2 * np.clip(facing, 0, 1)).astype(np.float32)
        alpha = mask.astype(np.float32)[..., None] / 255.0
        roi = canvas[y0:y1, x0:x1]
        head = rgb.astype(np.float32) * shade[..., None]
        roi[:] = np.clip(roi * (1 - alpha) + head * alpha + 0.5, 0, 255).astype(np.uint8)

    def _labels_at(
        self, points: np.ndarray, pose: np.ndarray, label_map: np.ndarray, nose: dict
    ) -> np.ndarray:
        """Part label seen at canvas points (L, 2): the nose on top of the painted head."""
        x, y, _, inside = self.trace(points[:, 0], points[:, 1], pose)
        mx = np.clip(np.round(x + self.surface.origin[0]).astype(int), 0, label_map.shape[1] - 1)
        my = np.clip(np.round(y + self.surface.origin[1]).astype(int), 0, label_map.shape[0] - 1)
        labels = np.where(inside, label_map[my, mx], fs.BACKGROUND).astype(np.int32)
        r = float(nose["r"])
        ridge = np.array([nose["top_l"], nose["left"], nose["tip"], nose["right"], nose["top_r"]])
        contour = ridge.astype(np.float32).reshape(-1, 1, 2)
        for i, p in enumerate(points):
            in_ridge = cv2.pointPolygonTest(contour, (float(p[0]), float(p[1])), False) >= 0
            in_disc = any(
                np.hypot(*(p - nose[k])) <= radius
                for k, radius in (("tip", r), ("left", 0.6 * r), ("right", 0.6 * r))
            )
            if in_ridge or in_disc:
                labels[i] = fs.NOSE
        return labels

    def _nose(self, pose: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        ident, a0, b0, c0 = self.ident, self.a0, self.b0, self.c0
        tip_y, half = ident.nose_y * b0, ident.nose_width * a0
        bridge_y = (ident.eye_y + 0.05) * b0
        base = np.array(
            [
                [0.0, tip_y],
                [-half, tip_y + 0.03 * b0],
                [half, tip_y + 0.03 * b0],
                [-0.2 * half, bridge_y],
                [0.2 * half, bridge_y],
            ]
        )
        z = self.surface_z(base) + np.array([1.0, 0.3, 0.3, 0.1, 0.1]) * ident.nose_length * c0
        p = self.project(np.column_stack([base, z]), pose)
        r_tip = 0.5 * half * pose[3]
        return p[0], {
            "tip": p[0],
            "left": p[1],
            "right": p[2],
            "top_l": p[3],
            "top_r": p[4],
            "r": np.array(r_tip),
        }

    def _draw_nose(self, canvas: np.ndarray, nose: dict) -> None:
        r = float(nose["r"])
        side = np.clip(self.ident.skin * 0.8, 0, 255).tolist()
        ridge = np.array([nose["top_l"], nose["left"], nose["tip"], nose["right"], nose["top_r"]])
        fill_poly(canvas, ridge, side)
        for key in ("left", "right"):
            disc(canvas, nose[key], 0.6 * r, side)
        disc(canvas, nose["tip"], r, self.nose_rgb.tolist())
        for key in ("left", "right"):
            hole = nose["tip"] * 0.45 + nose[key] * 0.55 + [0.0, 0.55 * r]
            disc(canvas, hole, 0.3 * r, np.clip(self.ident.skin * 0.35, 0, 255).tolist())

    def _draw_body(self, canvas: np.ndarray, pose: np.ndarray) -> None:
        ident, a0 = self.ident, self.a0
        cx, cy, zoom = pose[0], pose[1], pose[3]
        if ident.hair_style != "bald":
            length = {"long": 1.7, "bob": 0.8}.get(ident.hair_style, 0.25)
            crown = ellipse_points((0.0, -0.06 * self.b0), (1.08 * a0, 1.06 * self.b0), 0.0, 48)
            crown = crown[crown[:, 1] <= 0]
            low = np.array([[1.1 * a0, length * self.b0], [-1.1 * a0, length * self.b0]])
            hair = np.vstack([crown[np.argsort(np.arctan2(crown[:, 1], crown[:, 0]))], low])
            hair3 = np.column_stack([hair, np.full(len(hair), -0.4 * self.c0)])
            pts = self.project(hair3, pose)
            fill_poly(canvas, pts, np.clip(ident.hair * 0.8, 0, 255).tolist())
        bx = self.R / 2 + 0.6 * (cx - self.R / 2)
        by = cy + 1.2 * self.b0 * zoom
        shoulders = ellipse_points((bx, by + 0.9 * a0 * zoom), (2.3 * a0 * zoom, a0 * zoom), 0, 64)
        top = int(np.clip(np.floor(shoulders[:, 1].min()) - 1, 0, self.R))
        if top < self.R:
            mask = np.zeros((self.R - top, self.R), np.uint8)
            fill_poly(mask, shoulders - [0, top], 255)
            offset = (-(bx - self.R / 2), top - (by - self.R / 2))
            tex = translated(self.clothes, *offset, (self.R, self.R - top))
            alpha = mask.astype(np.float32)[..., None] / 255.0
            below = canvas[top:]
            below[:] = np.clip(below * (1 - alpha) + tex * alpha + 0.5, 0, 255).astype(np.uint8)
        neck_top = self.project(np.array([[0.0, 0.55 * self.b0, 0.0]]), pose)[0]
        half = ident.neck_width * a0 * zoom
        neck = np.array(
            [
                neck_top - np.array([half, 0.0]),
                neck_top + np.array([half, 0.0]),
                [bx + 1.1 * half, by + 0.2 * a0],
                [bx - 1.1 * half, by + 0.2 * a0],
            ]
        )
        fill_poly(canvas, neck, np.clip(ident.skin * 0.8, 0, 255).tolist())

    def render(
        self, pose: np.ndarray, expression: fs.Expression, pan: tuple[float, float]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw one frame.

        Args:
            pose: (cx, cy, roll, zoom, yaw) with the head centre in canvas pixels.
            expression: eyes, gaze, mouth, brows.
            pan: camera offset of the background, canvas pixels.

        Shape:
            output: frame (S, S, 3) uint8, landmarks (14, 2) float32 output pixels,
            visible (14,) bool.
        """
        m = self.margin
        canvas = translated(self.background, m + pan[0], m + pan[1], (self.R, self.R))
        self._draw_body(canvas, pose)
        colour_map, label_map, surf_xy = self.surface.paint(expression)
        self._paint_head(canvas, pose, colour_map)
        tip, nose = self._nose(pose)
        self._draw_nose(canvas, nose)
        surf3 = np.column_stack([surf_xy, self.surface_z(surf_xy)])
        points = self.project(surf3, pose)
        facing = self.facing(surf3, pose[4]) > 0.05
        points = np.vstack([points[:8], tip[None], points[8:]])
        facing = np.concatenate([facing[:8], [True], facing[8:]])
        visible = facing & (self._labels_at(points, pose, label_map, nose) == np.array(_PARTS))
        # A pupil counts as visible only while its whole output pixel shows the eye (iris or
        # pupil), not a closing lid.
        steps = np.arange(-(SUPERSAMPLE // 2), SUPERSAMPLE // 2 + 1, dtype=np.float64)
        block = np.stack(np.meshgrid(steps, steps), -1).reshape(-1, 2)
        for i in _PUPILS:
            around = self._labels_at(points[i] + block, pose, label_map, nose)
            visible[i] &= bool(np.isin(around, (fs.PUPIL, fs.IRIS)).all())
        out = to_output_pixels(points)
        inside = np.all((out >= -0.5) & (out <= self.size - 0.5), axis=1)
        return downsample(canvas), out, visible & inside


def face_clip(
    ident: FaceIdentity,
    motion_seed: int,
    frames: int,
    size: int,
    fps: float = 25.0,
    expressive: bool = False,
) -> SyntheticClip:
    """Render a clip of `frames` frames of one identity; `motion_seed` fixes motion and scene.

    Shape:
        see `SyntheticClip` (L = 14 landmarks, `FACE_LANDMARKS`).
    """
    rng = np.random.default_rng(motion_seed)
    motion = FaceMotion.random(rng, frames, expressive)
    renderer = FaceRenderer(ident, size, int(rng.integers(2**31)))
    R = renderer.R
    out_frames = np.empty((frames, size, size, 3), np.uint8)
    landmarks = np.empty((frames, len(FACE_LANDMARKS), 2), np.float32)
    visible = np.empty((frames, len(FACE_LANDMARKS)), bool)
    for t in range(frames):
        pose = np.array(
            [
                R * (0.5 + motion.tx[t]),
                R * (0.47 + motion.ty[t]),
                motion.roll[t],
                motion.zoom[t],
                motion.yaw[t],
            ]
        )
        expression = fs.Expression(
            eye_open=float(motion.eye_open[t]),
            gaze=(float(motion.gaze_x[t]), float(motion.gaze_y[t])),
            mouth_open=float(motion.mouth_open[t]),
            smile=float(motion.smile[t]),
            brow_raise=float(motion.brow_raise[t]),
        )
        pan = (float(motion.pan_x[t] * R), float(motion.pan_y[t] * R))
        out_frames[t], landmarks[t], visible[t] = renderer.render(pose, expression, pan)
    return SyntheticClip(
        out_frames, landmarks, visible, np.array(FACE_LANDMARKS), renderer.colours, fps
    )

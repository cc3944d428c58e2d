"""The painted surface of the face puppet's head: skin, hair, eyes, brows and mouth.

The surface is a colour map plus a part-label map in "head space": canvas pixels at zoom 1,
origin at the head centre, x right, y down, as seen from the front. `faces.py` wraps it
around an ellipsoid and projects it, so everything painted here turns with the head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.clip import disc, ellipse_points, fill_poly, stroke
from flowmark_core.data.synthetic.face_identity import FaceIdentity
from flowmark_core.data.synthetic.textures import tinted, value_noise

# Part labels of the face puppet (shared with faces.py).
BACKGROUND, SKIN, HAIR, SCLERA, IRIS, PUPIL, EYELINE, BROW, LIP, MOUTH, TEETH = range(11)
NOSE, NECK, CLOTHES = 11, 12, 13

SCLERA_RGB = np.array([238.0, 236.0, 230.0], np.float32)
PUPIL_RGB = np.array([18.0, 14.0, 14.0], np.float32)
EYELINE_RGB = np.array([38.0, 26.0, 24.0], np.float32)
MOUTH_RGB = np.array([72.0, 22.0, 28.0], np.float32)
TEETH_RGB = np.array([232.0, 228.0, 215.0], np.float32)

# Surface landmarks in the order `FaceSurface.paint` returns them.
SURFACE_LANDMARKS: tuple[str, ...] = (
    "right_eye_outer", "right_eye_inner", "left_eye_inner", "left_eye_outer",
    "right_pupil", "left_pupil", "right_brow", "left_brow",
    "mouth_right", "mouth_left", "upper_lip", "lower_lip", "chin",
)  # fmt: skip
SURFACE_LANDMARK_PARTS: tuple[int, ...] = (
    EYELINE,
    EYELINE,
    EYELINE,
    EYELINE,
    PUPIL,
    PUPIL,
    BROW,
    BROW,
    LIP,
    LIP,
    LIP,
    LIP,
    SKIN,
)


@dataclass(frozen=True)
class Expression:
    """Per-frame face state: eyes (0 closed .. 1 open), gaze (-1..1, x right, y down),
    mouth opening (0..1), smile (-0.3..1) and brow raise (-0.5..1)."""

    eye_open: float = 1.0
    gaze: tuple[float, float] = (0.0, 0.0)
    mouth_open: float = 0.0
    smile: float = 0.0
    brow_raise: float = 0.0


class FaceSurface:
    """Colour and label maps of one identity's head surface at one canvas scale.

    Args:
        ident: the identity.
        a0, b0, c0: head half-width, half-height and half-depth in canvas pixels.
    """

    def __init__(self, ident: FaceIdentity, a0: float, b0: float, c0: float) -> None:
        self.ident, self.a0, self.b0, self.c0 = ident, a0, b0, c0
        self.width = int(np.ceil(2 * a0)) + 2
        self.height = int(np.ceil(2 * b0)) + 2
        self.origin = np.array([self.width / 2 - 0.5, self.height / 2 - 0.5])
        rng = np.random.default_rng(ident.texture_seed)
        self.base_rgb, self.base_labels = self._paint_base(rng)

    def _paint_base(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        ident, a0, b0 = self.ident, self.a0, self.b0
        h, w = self.height, self.width
        skin = tinted(ident.skin, value_noise(rng, h, w, a0 / 5, octaves=4), ident.skin_texture)
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        x, y = xs - self.origin[0], ys - self.origin[1]
        blush_rgb = np.array([225.0, 95.0, 95.0], np.float32)
        for side in (-1, 1):
            d2 = ((x - side * 0.55 * a0) / (0.22 * a0)) ** 2 + ((y - 0.25 * b0) / (0.16 * b0)) ** 2
            alpha = (ident.blush * np.exp(-d2))[..., None]
            skin = skin * (1 - alpha) + blush_rgb * alpha
        labels = np.full((h, w), SKIN, np.uint8)
        if ident.hair_style == "bald":
            return np.clip(skin + 0.5, 0, 255).astype(np.uint8), labels
        u = x / a0
        brow_top = (ident.eye_y - ident.brow_gap - 0.12) * b0
        line = (ident.hairline + 0.3 * u**2) * b0
        fringe = ident.fringe * b0 * np.clip(1 - (u / 0.75) ** 2, 0, 1)
        fringe *= 1 + 0.35 * np.sin(u * 23.0 + ident.texture_seed % 7)
        line = np.minimum(line + fringe, brow_top)
        cap = np.clip(line - y + 0.5, 0, 1)
        side_end = {"short": ident.eye_y, "bob": ident.mouth_y, "long": 1.2}[ident.hair_style]
        sides = np.clip(np.abs(x) - 0.84 * a0 + 0.5, 0, 1) * np.clip(side_end * b0 - y + 0.5, 0, 1)
        alpha = np.maximum(cap, sides)[..., None]
        streaks = value_noise(rng, h, w, a0 / 6, octaves=3, stretch=(0.5, 4.0))
        hair = tinted(self.ident.hair, streaks, 0.5)
        labels[alpha[..., 0] >= 0.5] = HAIR
        painted = skin * (1 - alpha) + hair * alpha
        return np.clip(painted + 0.5, 0, 255).astype(np.uint8), labels

    def to_map(self, xy: np.ndarray) -> np.ndarray:
        """Head-space points (..., 2) to map pixel coordinates."""
        return np.asarray(xy, np.float64) + self.origin

    def paint(self, ex: Expression) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Paint one frame's expression on the surface.

        Shape:
            output: colour (h, w, 3) float32, labels (h, w) uint8, landmark head-space
            positions (13, 2) in `SURFACE_LANDMARKS` order.
        """
        rgb, labels = self.base_rgb.copy(), self.base_labels.copy()
        eyes = [self._eye(rgb, labels, side, ex) for side in (-1, 1)]
        brows = [self._brow(rgb, labels, side, ex) for side in (-1, 1)]
        mouth = self._mouth(rgb, labels, ex)
        chin = np.array([0.0, 0.86 * self.b0])
        right, left = eyes
        points = [right[0], right[1], left[1], left[0], right[2], left[2], *brows, *mouth, chin]
        return rgb, labels, np.array(points, np.float64)

    def _eye(self, rgb: np.ndarray, labels: np.ndarray, side: int, ex: Expression) -> list:
        ident, a0, b0 = self.ident, self.a0, self.b0
        centre = np.array([side * ident.eye_x * a0, ident.eye_y * b0])
        ew, eh_full = ident.eye_width * a0, ident.eye_height * b0
        eh = eh_full * float(np.clip(ex.eye_open, 0, 1))
        line_w = max(0.04 * a0, 1.5)
        # The outline is drawn just outside the opening, so the lids do not eat the eye;
        # the corners are the outline's ends.
        along = np.array([side * (ew + line_w / 2), 0.0])
        outer, inner = centre + along, centre - along
        iris_c = centre + np.array([ex.gaze[0] * 0.45 * ew, ex.gaze[1] * 0.3 * eh_full])
        m = self.to_map
        if eh < 0.15 * eh_full:
            s = np.linspace(-1, 1, 15)
            lid = np.stack(
                [centre[0] + s * (ew + line_w / 2), centre[1] + 0.25 * eh_full * (1 - s**2)], 1
            )
            stroke(rgb, m(lid), EYELINE_RGB.tolist(), 1.3 * line_w)
            stroke(labels, m(lid), EYELINE, 1.3 * line_w, aa=False)
            return [outer, inner, iris_c]
        eye = ellipse_points(centre, (ew, eh), 0.0, 40)
        x0, y0 = np.maximum(np.floor(m(eye).min(0)).astype(int) - 2, 0)
        x1, y1 = np.minimum(np.ceil(m(eye).max(0)).astype(int) + 3, [self.width, self.height])
        roi = (slice(y0, y1), slice(x0, x1))
        shift = np.array([x0, y0])
        mask_u8 = np.zeros((y1 - y0, x1 - x0), np.uint8)
        fill_poly(mask_u8, m(eye) - shift, 255)
        mask = mask_u8.astype(np.float32)[..., None] / 255.0
        layer = np.empty_like(rgb[roi])
        layer[:] = SCLERA_RGB
        iris_r, ic = 0.85 * eh_full, m(iris_c) - shift
        disc(layer, ic, iris_r, ident.iris.tolist())
        disc(layer, ic, 0.45 * iris_r, PUPIL_RGB.tolist())
        disc(layer, ic - 0.4 * iris_r, 0.16 * iris_r, [250, 250, 250])  # catch-light
        blended = rgb[roi] * (1 - mask) + layer * mask
        rgb[roi] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
        lab = np.full(mask_u8.shape, SCLERA, np.uint8)
        disc(lab, ic, iris_r, IRIS, aa=False)
        disc(lab, ic, 0.45 * iris_r, PUPIL, aa=False)
        labels[roi] = np.where(mask_u8 >= 128, lab, labels[roi])
        ring = m(ellipse_points(centre, (ew + line_w / 2, eh + line_w / 2), 0.0, 40))
        outline = np.vstack([ring, ring[:1]])
        stroke(rgb, outline, EYELINE_RGB.tolist(), line_w)
        stroke(labels, outline, EYELINE, line_w, aa=False)
        # The upper lid (the y < 0 half) is heavier, growing outwards only.
        lid = m(ellipse_points(centre, (ew + line_w, eh + line_w), 0.0, 40))
        lid = np.vstack([lid[20:], lid[:1]])
        stroke(rgb, lid, EYELINE_RGB.tolist(), line_w)
        stroke(labels, lid, EYELINE, line_w, aa=False)
        return [outer, inner, iris_c]

    def _brow(self, rgb: np.ndarray, labels: np.ndarray, side: int, ex: Expression) -> np.ndarray:
        ident, a0, b0 = self.ident, self.a0, self.b0
        bx = side * ident.eye_x * a0
        by = (ident.eye_y - ident.brow_gap - 0.05 * ex.brow_raise) * b0
        half = 1.15 * ident.eye_width * a0
        s = np.linspace(-1, 1, 17)
        arch = (ident.brow_arch + 0.02 * max(ex.brow_raise, 0)) * b0
        pts = np.stack([bx + s * half, by - arch * (1 - s**2) - side * s * 0.02 * b0], 1)
        thick = ident.brow_thickness * b0
        stroke(rgb, self.to_map(pts), ident.brow_colour.tolist(), thick)
        stroke(labels, self.to_map(pts), BROW, thick, aa=False)
        return pts[8]

    def _mouth(self, rgb: np.ndarray, labels: np.ndarray, ex: Expression) -> list:
        ident, a0, b0 = self.ident, self.a0, self.b0
        o = float(np.clip(ex.mouth_open, 0, 1))
        half = ident.mouth_width * a0 * (1 + 0.08 * ex.smile - 0.1 * o)
        cy = ident.mouth_y * b0
        corner_y = cy - ex.smile * 0.045 * b0
        gap = o * 0.13 * b0
        t_up, t_lo = ident.lip_thickness * b0, 1.2 * ident.lip_thickness * b0
        s = np.linspace(-1, 1, 31)
        base = cy + (corner_y - cy) * s**2
        bulge = 1 - s**2
        upper = np.stack([s * half, base - (gap + t_up / 2) * bulge], 1)
        lower = np.stack([s * half, base + (gap + t_lo / 2) * bulge], 1)
        m = self.to_map
        if gap > 0.5:
            inside = np.vstack([upper, lower[::-1]])
            fill_poly(rgb, m(inside), MOUTH_RGB.tolist())
            fill_poly(labels, m(inside), MOUTH, aa=False)
            if o > 0.3:
                k = slice(6, 25)
                teeth_low = upper[k] + np.stack([0 * s[k], 0.45 * gap * bulge[k]], 1)
                teeth = np.vstack([upper[k], teeth_low[::-1]])
                fill_poly(rgb, m(teeth), TEETH_RGB.tolist())
                fill_poly(labels, m(teeth), TEETH, aa=False)
        lip = ident.lip_colour.tolist()
        for curve, t in ((lower, t_lo), (upper, t_up)):
            stroke(rgb, m(curve), lip, t)
            stroke(labels, m(curve), LIP, t, aa=False)
        return [upper[0], upper[-1], upper[15], lower[15]]

"""Animate a fitted MediaPipe face mesh: blinks, jaw opening, brow raise and a 3-D head pose.

Coordinates are image pixels (x right, y down, z away from the camera, MediaPipe's sign).
Expressions move vertices in the face's own frame (u along the eyes, v down the face),
found from the mesh itself, so a slightly tilted portrait opens its jaw along its own face.
The vertex numbers are those of MediaPipe's canonical 478-point mesh (468-477: irises).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The evaluation's face landmark names (`FACE_LANDMARKS` of the cartoon faces) on the mesh.
# "right" is the subject's right (image left), as for the cartoon faces.
LANDMARK_VERTICES: dict[str, tuple[int, ...]] = {
    "right_eye_outer": (33,),
    "right_eye_inner": (133,),
    "left_eye_inner": (362,),
    "left_eye_outer": (263,),
    "right_pupil": (468,),
    "left_pupil": (473,),
    "right_brow": (105,),
    "left_brow": (334,),
    "nose_tip": (1,),
    "mouth_right": (61,),
    "mouth_left": (291,),
    "upper_lip": (12,),
    "lower_lip": (15,),
    "chin": (152,),
}
LANDMARK_NAMES: tuple[str, ...] = tuple(LANDMARK_VERTICES)
MIRRORED_NAMES: dict[str, str] = {
    n: n.replace("right", "#").replace("left", "right").replace("#", "left") for n in LANDMARK_NAMES
}

UPPER_INNER_LIP = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER_LIP = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
_LOWER_LIP = (*LOWER_INNER_LIP[1:-1], 146, 91, 181, 84, 17, 314, 405, 321, 375, 15, 16, 86, 316)
_EYES = (
    # corners (outer, inner), upper lid, lower lid, iris
    ((33, 133), (246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155),
     (468, 469, 470, 471, 472)),
    ((263, 362), (466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382),
     (473, 474, 475, 476, 477)),
)  # fmt: skip
_BROWS = (
    (70, 63, 105, 66, 107, 46, 53, 52, 65, 55),
    (300, 293, 334, 296, 336, 276, 283, 282, 295, 285),
)


@dataclass(frozen=True)
class Expression:
    """Blink (0 open .. 1 closed, per eye: right, left), jaw (0 closed .. 1 open),
    brow (-1 lowered .. 1 raised)."""

    blink: tuple[float, float] = (0.0, 0.0)
    jaw: float = 0.0
    brow: float = 0.0


@dataclass(frozen=True)
class Pose:
    """Head rotation (radians: yaw about the face's vertical axis, pitch about the eye
    line, roll in the image plane), then a zoom about the pivot and a shift in pixels."""

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    zoom: float = 1.0
    shift: tuple[float, float] = (0.0, 0.0)


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues rotation matrix (3, 3) about a unit axis."""
    a = axis / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _interp_curve(points: np.ndarray, u: np.ndarray) -> np.ndarray:
    """v of the polyline (u, v) points at u (flat beyond its ends)."""
    order = np.argsort(points[:, 0])
    return np.interp(u, points[order, 0], points[order, 1])


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


class MeshAnimator:
    """Moves the vertices of one fitted mesh.

    Args:
        mesh: (478, 3) neutral vertices in pixels (the portrait's own pose).
    """

    def __init__(self, mesh: np.ndarray) -> None:
        self.mesh = np.asarray(mesh, np.float64)
        p = self.mesh
        eye_r, eye_l = p[468, :2], p[473, :2]
        self.iod = float(np.linalg.norm(eye_l - eye_r))  # inter-ocular (pupil) distance
        ex = np.append((eye_l - eye_r) / self.iod, 0.0)
        self.ex, self.ey = ex, np.array([-ex[1], ex[0], 0.0])  # u right, v down the face
        self.origin = np.append((eye_l + eye_r) / 2, np.median(p[:, 2]))
        # The head turns about a point ~1.2 inter-ocular distances behind the face.
        centre = p[:, :2].mean(0)
        self.pivot = np.array([centre[0], centre[1], self.origin[2] + 1.2 * self.iod])
        self.uv = self._to_uv(p)

    def _to_uv(self, p: np.ndarray) -> np.ndarray:
        d = p - self.origin
        return np.stack([d @ self.ex, d @ self.ey], 1)

    # -- expressions ------------------------------------------------------------------------
    def _blink_shift(self, amounts: tuple[float, float]) -> np.ndarray:
        """Shift down the face (pixels) of each vertex: eyes squashed onto the lower lid."""
        uv, d = self.uv, self.iod
        shift = np.zeros(len(uv))
        for (corners, upper, lower, _iris), b in zip(_EYES, amounts):
            if b <= 0:
                continue
            u, v = uv[:, 0], uv[:, 1]
            v_low = _interp_curve(uv[[*corners, *lower]], u)
            v_up = _interp_curve(uv[[*corners, *upper]], u)
            u0, u1 = sorted(uv[list(corners), 0])
            side = 1 - np.clip(np.maximum(u0 - u, u - u1) / (0.15 * d), 0, 1)
            inside = (v <= v_low + 1e-6) & (v >= v_up - 1e-6)
            s_in = b * (v_low - v)  # v_new = v_low - (v_low - v)(1 - b)
            band = 0.45 * d
            above = (v < v_up - 1e-6) & (v > v_up - band)
            s_above = b * (v_low - v_up) * (1 - (v_up - v) / band)
            s = np.where(inside, s_in, np.where(above, s_above, 0.0)) * side
            shift += np.clip(s, 0, None)
        return shift

    def _brow_shift(self, amount: float) -> np.ndarray:
        """Shift down the face of each vertex for a brow raise (negative = up)."""
        uv, d = self.uv, self.iod
        shift = np.zeros(len(uv))
        for (_c, upper, _l, _i), brow in zip(_EYES, _BROWS):
            v_brow = uv[list(brow), 1].mean()
            v_lid = uv[list(upper), 1].mean()
            u_mid = uv[list(brow), 0].mean()
            v = uv[:, 1]
            rise = _smoothstep((v_lid - v) / (v_lid - v_brow))  # 0 at the lid, 1 at the brow
            fall = _smoothstep((v - (v_brow - 1.0 * d)) / (1.0 * d))  # 1 at the brow, 0 up high
            w = np.where(v > v_brow, rise, fall)
            w *= 1 - _smoothstep((np.abs(uv[:, 0] - u_mid) - 0.45 * d) / (0.35 * d))
            shift = np.where(np.abs(w) > np.abs(shift), w, shift)
        return -0.16 * d * amount * shift

    def jaw_weights(self) -> np.ndarray:
        """How much each vertex moves with the jaw, (478,) in [0, 1]: 1 on the lower lip,
        0 on the upper lip and above, smoothly between down the chin and cheeks."""
        uv, d = self.uv, self.iod
        slit = _interp_curve(uv[list(UPPER_INNER_LIP)], uv[:, 0])
        w = _smoothstep((uv[:, 1] - slit + 0.02 * d) / (0.25 * d))
        u_mouth = uv[list(UPPER_INNER_LIP), 0].mean()
        w *= 1 - _smoothstep((np.abs(uv[:, 0] - u_mouth) - 0.9 * d) / (0.5 * d))
        w[list(_LOWER_LIP)] = 1.0
        w[list(UPPER_INNER_LIP)] = 0.0
        return w

    def deform(self, ex: Expression) -> np.ndarray:
        """Neutral-pose vertices (478, 3) with the expression applied."""
        p = self.mesh.copy()
        down = self._blink_shift(ex.blink) + self._brow_shift(ex.brow)
        p += down[:, None] * self.ey[None]
        if ex.jaw > 0:
            # The jaw turns about the eye-line axis through a hinge below and behind the eyes.
            hinge = self.origin + 0.9 * self.iod * self.ey + np.array([0.0, 0.0, 1.3 * self.iod])
            rot = _rotation(self.ex, 0.2 * ex.jaw)
            w = self.jaw_weights()[:, None]
            turned = (p - hinge) @ rot.T + hinge
            p = p + w * (turned - p)
        return p

    # -- pose -------------------------------------------------------------------------------
    def rotation(self, pose: Pose) -> np.ndarray:
        """The head rotation (3, 3) in image coordinates."""
        ez = np.array([0.0, 0.0, 1.0])
        return (
            _rotation(ez, pose.roll) @ _rotation(self.ex, pose.pitch) @ _rotation(self.ey, pose.yaw)
        )

    def posed(self, points: np.ndarray, pose: Pose) -> np.ndarray:
        """Points (N, 3) turned about the pivot, zoomed and shifted; z kept for depth order."""
        turned = (points - self.pivot) @ self.rotation(pose).T * pose.zoom + self.pivot
        return turned + np.array([pose.shift[0], pose.shift[1], 0.0])

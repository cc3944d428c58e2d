"""Relative motion transfer between two MediaPipe face meshes, in each face's own frame.

Points are image pixels (x right, y down, pixel centres as in `flowmark_core.geometry`'s
pixel convention), handled here as complex numbers x + iy so that a 2-D similarity (rotation
and scale) is one complex factor.

A driving frame's mesh D is split against the driver's reference mesh R (its first frame
with a face) into

- the head's motion: the similarity T(x) = z·x + t that best maps R's rigid vertices
  (eye corners, nose bridge, forehead, face sides) onto D's (least squares);
- the expression: what is left, e = T⁻¹(D) − R, in the reference's pixels.

Both are expressed in the driver's face frame (origin the outer eye corners' midpoint, axis
the eye line, unit the inter-ocular distance), then carried into the source's face frame:
the source mesh S becomes T_s(S + e_s), where e_s is e rotated and scaled from the driver's
frame into the source's, and T_s turns and scales by the same z about the source's eye
midpoint and shifts by the driver's head shift in inter-ocular distances. A driver that does
not move gives T = identity and e = 0: the source mesh unchanged.

The mouth's reference is the most closed the driver has been so far (`DriverReference`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.mesh_animation import (
    LOWER_INNER_LIP,
    UPPER_INNER_LIP,
    MeshAnimator,
)

EYE_OUTER = (33, 263)
"""Outer eye corners (subject's right, left) of MediaPipe's mesh: the face frame's axis."""

RIGID_VERTICES: tuple[int, ...] = (
    33, 133, 362, 263,  # eye corners
    168, 6, 197, 195, 5,  # nose bridge
    10, 151, 9, 8,  # forehead
    234, 454, 127, 356,  # face sides at the eyes
)  # fmt: skip
"""Vertices that move with the head, not with an expression (the head's similarity fit)."""


def as_complex(points: np.ndarray) -> np.ndarray:
    """(N, 2) points -> (N,) complex x + iy."""
    p = np.asarray(points, np.float64)
    return p[..., 0] + 1j * p[..., 1]


def as_points(values: np.ndarray) -> np.ndarray:
    """(N,) complex -> (N, 2) float64 points."""
    return np.stack([values.real, values.imag], -1)


@dataclass(frozen=True)
class FaceFrame:
    """A face's own frame: origin (eye midpoint) and axis·scale (eye line · inter-ocular
    distance) as complex numbers; `axis` maps face units to image pixels."""

    origin: complex
    axis: complex

    @staticmethod
    def of(mesh: np.ndarray) -> FaceFrame:
        """The frame of a (478, 2+) mesh in pixels."""
        right, left = as_complex(np.asarray(mesh)[list(EYE_OUTER), :2])
        if abs(left - right) <= 0:
            raise ValueError("the mesh's eye corners coincide: no face frame")
        return FaceFrame(complex((right + left) / 2), complex(left - right))

    @property
    def inter_ocular(self) -> float:
        """Inter-ocular (outer eye corners) distance, px."""
        return abs(self.axis)


@dataclass(frozen=True)
class HeadMotion:
    """The head's similarity in face units: x -> zoom_turn·x + shift about the eye midpoint.

    `zoom_turn` is the complex rotation·scale, `shift` the eye midpoint's move in
    inter-ocular distances along the face frame's axes (u along the eyes, v down the face).
    """

    zoom_turn: complex
    shift: complex

    def apply(self, frame: FaceFrame, points: np.ndarray) -> np.ndarray:
        """Points (complex, px) of a face with `frame` moved by this head motion."""
        return self.zoom_turn * (points - frame.origin) + frame.origin + self.shift * frame.axis


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> tuple[complex, complex]:
    """Least-squares z, t with z·src + t ≈ dst (complex points, N >= 2, not all equal)."""
    ms, md = src.mean(), dst.mean()
    a, b = src - ms, dst - md
    z = complex(np.sum(np.conj(a) * b) / np.sum(np.abs(a) ** 2))
    return z, complex(md - z * ms)


@dataclass(frozen=True)
class DriverMotion:
    """One driving frame's motion relative to the driver's reference mesh.

    Attributes:
        head: the head's similarity (face units).
        expression: every vertex's expression displacement in face units (complex, u + iv).
    """

    head: HeadMotion
    expression: np.ndarray


def driver_motion(reference: np.ndarray, current: np.ndarray) -> DriverMotion:
    """Split a driving mesh's motion from its reference into head and expression.

    Shape:
        reference, current: (478, 2) px; `expression`: (478,) complex.
    """
    ref, cur = as_complex(reference[:, :2]), as_complex(current[:, :2])
    rigid = list(RIGID_VERTICES)
    z, t = fit_similarity(ref[rigid], cur[rigid])
    frame = FaceFrame.of(reference)
    # T about the eye midpoint: z (x - o) + o + shift·axis, with shift in face units.
    shift = (z * frame.origin + t - frame.origin) / frame.axis
    expression = ((cur - t) / z - ref) / frame.axis
    return DriverMotion(HeadMotion(z, shift), expression)


def mouth_gap(mesh: np.ndarray) -> float:
    """Mean inner-lip gap (upper to lower inner lip, projected down the face) of a mesh in
    inter-ocular distances."""
    frame = FaceFrame.of(mesh)
    upper = as_complex(mesh[list(UPPER_INNER_LIP[1:-1]), :2])
    lower = as_complex(mesh[list(LOWER_INNER_LIP[1:-1]), :2])
    return float(np.mean(np.imag((lower - upper) / frame.axis)))


class DriverReference:
    """The driver's reference mesh, its mouth held at the most closed gap seen so far.

    The first mesh with a face is the reference. Its jaw (the lower lip and chin, by
    `MeshAnimator.jaw_weights`) is then moved so its inner-lip gap is the smallest the driver
    has shown up to now: a clip that starts talking, mouth open, would otherwise transfer
    every later closing as the portrait's lips pressing past each other, and its openings
    only beyond the first frame's. The portrait's mouth opens by the driver's gap above that
    floor (a still driver: unchanged). Causal, and without jumps: the portrait's opening falls
    to its own as the driver's gap falls to a new floor.

    Args:
        reference: the driver's first mesh with a face, (478, 2+) px.
        floor: the clip's smallest inner-lip gap (IOD units) when the whole clip is known
            (offline): the floor from the first frame on. None: the running minimum.
    """

    def __init__(self, reference: np.ndarray, floor: float | None = None) -> None:
        self.first = np.asarray(reference, np.float64)[:, :2].copy()
        flat = np.column_stack([self.first, np.zeros(len(self.first))])
        self._jaw = MeshAnimator(flat).jaw_weights()
        self._first_gap = mouth_gap(self.first)
        self.floor = self._first_gap
        self.mesh = self.first.copy()
        if floor is not None:
            self._lower(floor)

    def _lower(self, gap: float) -> None:
        if gap < self.floor:
            self.floor = gap
            frame = FaceFrame.of(self.first)
            move = (gap - self._first_gap) * 1j * frame.axis  # down the driver's face
            self.mesh = as_points(as_complex(self.first) + self._jaw * move)

    def update(self, mesh: np.ndarray) -> np.ndarray:
        """The reference to transfer `mesh`'s motion from (the floor lowered if it is lower).

        Shape:
            mesh: (478, 2+) px; output: (478, 2) px.
        """
        self._lower(mouth_gap(mesh))
        return self.mesh


def transfer(source: np.ndarray, motion: DriverMotion) -> np.ndarray:
    """The source mesh moved as the driver moved (relative, in the source's face frame).

    Shape:
        source: (478, 2+) px; output: (478, 2) float64 px.
    """
    frame = FaceFrame.of(source)
    moved = as_complex(source[:, :2]) + motion.expression * frame.axis
    return as_points(motion.head.apply(frame, moved))

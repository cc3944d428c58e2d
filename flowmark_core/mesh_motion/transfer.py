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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def transfer(source: np.ndarray, motion: DriverMotion) -> np.ndarray:
    """The source mesh moved as the driver moved (relative, in the source's face frame).

    Shape:
        source: (478, 2+) px; output: (478, 2) float64 px.
    """
    frame = FaceFrame.of(source)
    moved = as_complex(source[:, :2]) + motion.expression * frame.axis
    return as_points(motion.head.apply(frame, moved))

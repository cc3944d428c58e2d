"""A portrait warped through its face mesh to a new mesh pose, at the portrait's resolution.

The warp vertices are the 478 mesh vertices, a ring around the face that moves with the head
(hair) and a wider ring that stays with the body (`portrait_warp_parts.head_and_body_rings`);
everything outside the body ring is the portrait as it is. Triangles are the Delaunay
triangles of the portrait's vertices; each is warped affinely (`mesh_warp.backward_map`,
drawn far to near by the portrait mesh's depth so a turned nose covers its cheek), and only
the window the body ring spans is computed. Where the mouth opens wider than in the portrait
the opened band is filled with a dark interior (`portrait_warp_parts.fill_mouth`, as the synthetic
faces-photo clips do) and a soft band of upper teeth under the upper lip, not a stretched
lip line.

Points are image pixels: x, y with (0, 0) the top-left pixel's centre (the pixel convention
of `flowmark_core.geometry`, the mesh code's throughout).
"""

from __future__ import annotations

import cv2
import numpy as np

from flowmark_core.data.synthetic.mesh_animation import LOWER_INNER_LIP, UPPER_INNER_LIP
from flowmark_core.data.synthetic.mesh_warp import backward_map, delaunay, warp_image
from flowmark_core.data.synthetic.portrait_warp_parts import fill_mouth, head_and_body_rings
from flowmark_core.mesh_motion.transfer import FaceFrame, HeadMotion, as_complex, as_points

MIN_OPENING = 0.01
"""Extra mouth opening (inter-ocular distances) below which no interior is drawn."""


class MeshPortrait:
    """A portrait and its face mesh, ready to be warped to any mesh pose.

    Args:
        image: the portrait, RGB uint8 (H, W, 3).
        mesh: its face mesh (478, 3) in `image` pixels (z: larger = farther).
    """

    def __init__(self, image: np.ndarray, mesh: np.ndarray) -> None:
        self.image = np.ascontiguousarray(image)
        self.mesh = np.asarray(mesh, np.float64)
        self.frame = FaceFrame.of(self.mesh)
        face = self.mesh[:, :2]
        self.head_ring, self.body_ring = head_and_body_rings(face)
        self.source = np.vstack([face, self.head_ring, self.body_ring])
        self.triangles = delaunay(self.source)
        iod = self.frame.inter_ocular
        behind = float(np.median(self.mesh[:, 2])) + 1.2 * iod  # the head's turning point
        self.depth = np.concatenate(
            [
                self.mesh[:, 2],
                np.full(len(self.head_ring), behind),
                np.full(len(self.body_ring), behind + 10 * iod),
            ]
        )
        self._opening = self._mouth_offset(face)

    def _mouth_offset(self, face: np.ndarray) -> np.ndarray:
        """Lower minus upper inner lip (complex, px) of a mesh pose."""
        return as_complex(face[list(LOWER_INNER_LIP)]) - as_complex(face[list(UPPER_INNER_LIP)])

    def _window(self, verts: np.ndarray) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the pixels any warp triangle can cover, clipped to the image."""
        h, w = self.image.shape[:2]
        both = np.vstack([verts, self.source])
        x0, y0 = np.floor(both.min(0)).astype(int) - 1
        x1, y1 = np.ceil(both.max(0)).astype(int) + 2
        return max(0, x0), max(0, y0), min(w, x1), min(h, y1)

    def render(self, face: np.ndarray, head: HeadMotion) -> np.ndarray:
        """The portrait with its mesh at `face` and its hair ring moved by `head`.

        Shape:
            face: (478, 2) px; output: (H, W, 3) uint8.
        """
        head_ring = as_points(head.apply(self.frame, as_complex(self.head_ring)))
        verts = np.vstack([face, head_ring, self.body_ring])
        out = self.image.copy()
        x0, y0, x1, y1 = self._window(verts)
        if x1 <= x0 or y1 <= y0:
            return out
        offset = np.array([x0, y0], np.float64)
        map_xy, _ = backward_map(
            verts - offset, self.source - offset, self.triangles, (x1 - x0, y1 - y0), self.depth
        )
        map_xy += offset.astype(np.float32)
        out[y0:y1, x0:x1] = warp_image(self.image, map_xy)
        return self._mouth(out, face, head)

    def _mouth(self, frame: np.ndarray, face: np.ndarray, head: HeadMotion) -> np.ndarray:
        """Dark interior where the inner lips are further apart than the portrait's own."""
        upper = as_complex(face[list(UPPER_INNER_LIP)])
        lower = as_complex(face[list(LOWER_INNER_LIP)])
        # Where the lower lip would be if the mouth were as open as in the portrait.
        closed = upper + head.zoom_turn * self._opening
        down = 1j * self.frame.axis * head.zoom_turn  # the face's v axis in this frame
        extra = np.real((lower - closed) * np.conj(down)) / abs(down)
        if extra.max() <= MIN_OPENING * self.frame.inter_ocular:
            return frame
        closed = np.where(extra > 0, closed, lower)
        frame = fill_mouth(frame, as_points(closed), as_points(lower))
        return _upper_teeth(frame, upper, closed, lower, down / abs(down))


TEETH_RGB = np.array([212.0, 205.0, 190.0])
TEETH_SHARE = 0.3  # of the opening below the upper lip, in the mouth's middle 70 %


def _upper_teeth(
    frame: np.ndarray, upper: np.ndarray, closed: np.ndarray, lower: np.ndarray, down: complex
) -> np.ndarray:
    """Shade a soft band of upper teeth under the upper inner lip, inside the opened band.

    Shape:
        upper, closed, lower: (N,) complex px along the inner lips (corner to corner);
        frame: (H, W, 3) uint8.
    """
    opening = np.clip(np.real((lower - closed) * np.conj(down)), 0, None)
    n = len(upper)
    along = np.abs(np.linspace(-1.0, 1.0, n))
    height = TEETH_SHARE * opening * np.clip((1.0 - along) / 0.3, 0, 1)
    if height.max() < 1.0:
        return frame
    top = closed
    bottom = closed + height * down
    poly = as_points(np.concatenate([top, bottom[::-1]]))
    sigma = max(0.6, 0.15 * float(height.max()))
    # Only the band's window (grown by the blur's reach) is masked, blurred and blended: the
    # rest of the frame is untouched, and this runs on every frame.
    h, w = frame.shape[:2]
    reach = int(np.ceil(4 * sigma)) + 2
    x0, y0 = np.maximum(np.floor(poly.min(0)).astype(int) - reach, 0)
    x1, y1 = np.minimum(np.ceil(poly.max(0)).astype(int) + reach + 1, (w, h))
    if x1 <= x0 or y1 <= y0:
        return frame
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    local = np.round((poly - (x0, y0)) * 16).astype(np.int32)
    cv2.fillPoly(mask, [local], 1.0, cv2.LINE_AA, 4)
    soft = cv2.GaussianBlur(mask, (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)
    a = (0.75 * soft)[..., None]
    window = frame[y0:y1, x0:x1].astype(np.float32)
    lit = window * (1 - a) + TEETH_RGB * a
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(lit + 0.5, 0, 255).astype(np.uint8)
    return out

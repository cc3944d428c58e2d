"""Parts of warping a real portrait through its face mesh, shared by the synthetic faces-photo
clips (`faces_photo`) and the face-mesh animation (`flowmark_core.mesh_motion`): the warp
anchors around the face (a ring that moves with the head, a wider one that stays with the
body) and the dark interior of a mouth the warp opened.

Points are image pixels (x right, y down), as in the mesh code.
"""

from __future__ import annotations

import cv2
import numpy as np

_HEAD_RING, _BODY_RING, _RING_POINTS = 1.45, 2.3, 28
_MOUTH_RGB = np.array([52.0, 22.0, 24.0])


def _ring(hull: np.ndarray, centre: np.ndarray, scale: float) -> np.ndarray:
    """`_RING_POINTS` points evenly spaced along the scaled convex hull."""
    loop = np.vstack([hull, hull[:1]])
    seg = np.linalg.norm(np.diff(loop, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0, s[-1], _RING_POINTS, endpoint=False)
    pts = np.stack([np.interp(at, s, loop[:, 0]), np.interp(at, s, loop[:, 1])], 1)
    return centre + scale * (pts - centre)


def head_and_body_rings(face_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Warp anchors around a face mesh: a ring that moves with the head (hair), and a wider
    one that stays with the body; each `_RING_POINTS` points on the scaled convex hull.

    Shape:
        face_xy: (V, 2) mesh vertices, px; each output: (28, 2) float64.
    """
    hull = cv2.convexHull(face_xy.astype(np.float32))[:, 0].astype(np.float64)
    centre = face_xy.mean(0)
    return _ring(hull, centre, _HEAD_RING), _ring(hull, centre, _BODY_RING)


def fill_mouth(frame: np.ndarray, lower_closed: np.ndarray, lower_open: np.ndarray) -> np.ndarray:
    """Fill the band a jaw opened (lower inner lip where it was closed -> where it is now)
    with a dark mouth interior (anti-aliased edge).

    Shape:
        frame: (H, W, 3) uint8; lower_closed, lower_open: (N, 2) px, the same inner-lip
        vertices; output: (H, W, 3) uint8.
    """
    poly = np.vstack([lower_closed, lower_open[::-1]])
    # Only the band's bounding window is masked and blended (every other pixel would be
    # blended with weight 0, i.e. left as it is): this runs on every rendered frame.
    h, w = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(poly.min(0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(poly.max(0)).astype(int) + 2, (w, h))
    out = frame.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    local = np.round((poly - (x0, y0)) * 16).astype(np.int32)
    cv2.fillPoly(mask, [local], 255, cv2.LINE_AA, 4)
    a = (mask.astype(np.float32) / 255.0)[..., None] * 0.92
    lit = out[y0:y1, x0:x1].astype(np.float32) * (1 - a) + _MOUTH_RGB * a
    out[y0:y1, x0:x1] = np.clip(lit + 0.5, 0, 255).astype(np.uint8)
    return out

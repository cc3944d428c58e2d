"""Piecewise-affine image warping through a triangle mesh, and the dense motion it implies.

A mesh is a set of vertices and triangles over them. Moving the vertices (a "destination"
pose) and warping every triangle's pixels affinely from its "source" pose gives an image
whose every pixel has an exact source position: the backward map is also the ground-truth
dense motion.

The warp is computed as a backward map: each destination triangle is rasterised (OpenCV
`fillPoly`) into a triangle-index image, drawn far to near so that a fold (the nose over a
cheek in a turned head) shows the near surface, and each pixel's source position comes
from its triangle's affine map; `cv2.remap` then samples the source image once. scikit-image's
`PiecewiseAffineTransform` does the same job but locates every pixel's triangle with a
Delaunay point search, several times slower at 512 px, and cannot order folds by depth.
"""

from __future__ import annotations

import cv2
import numpy as np

_NO_TRIANGLE = -1


def delaunay(points: np.ndarray) -> np.ndarray:
    """Delaunay triangles over 2-D points (OpenCV `Subdiv2D`).

    Shape:
        points: (V, 2); output: (F, 3) int32 vertex indices.
    """
    pts = np.asarray(points, np.float64).copy()
    # Subdiv2D works in float32 and returns the inserted corners exactly: look them up by
    # value. Coincident points (closed lips) are split by a hair, the later one lower.
    key: dict[tuple[float, float], int] = {}
    for i in range(len(pts)):
        p32 = pts[i].astype(np.float32)
        while (float(p32[0]), float(p32[1])) in key:
            pts[i, 1] += 1e-3
            p32 = pts[i].astype(np.float32)
        key[(float(p32[0]), float(p32[1]))] = i
    lo = pts.min(0) - 10.0
    hi = pts.max(0) + 10.0
    subdiv = cv2.Subdiv2D((float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])))
    subdiv.insert([(float(x), float(y)) for x, y in pts.astype(np.float32)])
    triangles = []
    for t in subdiv.getTriangleList():
        corners = [key.get((float(t[2 * k]), float(t[2 * k + 1]))) for k in range(3)]
        if None not in corners:  # triangles touching Subdiv2D's outer bounding vertices
            triangles.append(corners)
    return np.asarray(triangles, np.int32).reshape(-1, 3)


def _affine_maps(dst: np.ndarray, src: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Per-triangle 2x3 affine maps taking destination pixels to source pixels.

    Degenerate destination triangles get a zero map (they cover no pixel).

    Shape:
        dst, src: (V, 2); triangles: (F, 3); output: (F, 2, 3) float64.
    """
    d = dst[triangles]  # (F, 3, 2)
    s = src[triangles]
    hom = np.concatenate([d, np.ones((*d.shape[:2], 1))], -1)  # (F, 3, 3)
    det = np.linalg.det(hom)
    ok = np.abs(det) > 1e-9
    maps = np.zeros((len(triangles), 2, 3))
    if ok.any():
        # Solve hom @ M^T = s for each triangle: M^T (3, 2).
        maps[ok] = np.transpose(np.linalg.solve(hom[ok], s[ok]), (0, 2, 1))
    return maps


def triangle_index_map(
    dst: np.ndarray, triangles: np.ndarray, size: tuple[int, int], depth: np.ndarray | None = None
) -> np.ndarray:
    """Which triangle covers each destination pixel (-1: none).

    Args:
        dst: destination vertex positions in pixels (pixel centres, x first).
        size: (width, height) of the destination image.
        depth: per-vertex depth (larger = farther); triangles are drawn far to near.

    Shape:
        dst: (V, 2); triangles: (F, 3); depth: (V,); output: (height, width) int32.
    """
    width, height = size
    index = np.full((height, width), _NO_TRIANGLE, np.int32)
    order = np.arange(len(triangles))
    if depth is not None:
        order = np.argsort(-np.asarray(depth)[triangles].mean(1), kind="stable")
    shift = 4
    corners = np.round(np.asarray(dst, np.float64)[triangles] * (1 << shift)).astype(np.int32)
    for f in order:
        cv2.fillPoly(index, [corners[f]], int(f), cv2.LINE_8, shift)
    return index


def backward_map(
    dst: np.ndarray,
    src: np.ndarray,
    triangles: np.ndarray,
    size: tuple[int, int],
    depth: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each destination pixel, its position in the source image.

    Returns:
        map_xy (H, W, 2) float32 source pixel positions, and covered (H, W) bool: False
        where no triangle covers the pixel (its map is the identity there).
    """
    width, height = size
    index = triangle_index_map(dst, triangles, size, depth)
    maps = _affine_maps(np.asarray(dst, np.float64), np.asarray(src, np.float64), triangles)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    covered = index != _NO_TRIANGLE
    m = maps[np.where(covered, index, 0)]  # (H, W, 2, 3)
    mx = m[..., 0, 0] * xs + m[..., 0, 1] * ys + m[..., 0, 2]
    my = m[..., 1, 0] * xs + m[..., 1, 1] * ys + m[..., 1, 2]
    map_xy = np.stack([np.where(covered, mx, xs), np.where(covered, my, ys)], -1)
    return map_xy.astype(np.float32), covered


def warp_image(
    image: np.ndarray, map_xy: np.ndarray, border: int = cv2.BORDER_REFLECT
) -> np.ndarray:
    """Sample `image` at the backward map (bilinear).

    Shape:
        image: (h, w, C) or (h, w); map_xy: (H, W, 2); output: (H, W, C) or (H, W).
    """
    return cv2.remap(image, map_xy[..., 0], map_xy[..., 1], cv2.INTER_LINEAR, borderMode=border)


def dense_motion(
    mesh_a: np.ndarray,
    mesh_b: np.ndarray,
    triangles: np.ndarray,
    size: tuple[int, int],
    depth_a: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ground-truth motion from frame a to frame b of a mesh-warped clip.

    Every pixel of frame a inside the mesh moves with its triangle's affine map to frame b.

    Returns:
        flow (H, W, 2) float32 px (dx, dy) from a to b, and covered (H, W) bool.

    Shape:
        mesh_a, mesh_b: (V, 2) vertex positions in frames a and b; depth_a: (V,).
    """
    width, height = size
    map_xy, covered = backward_map(mesh_a, mesh_b, triangles, size, depth_a)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    flow = map_xy - np.stack([xs, ys], -1)
    flow[~covered] = 0.0
    return flow, covered

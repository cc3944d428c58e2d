"""Do the keypoints cover the face? Keypoint spread and per-region landmark error.

Keypoints piled on the face's centre line cannot express the eyes or the mouth: spread says
how far apart they are (relative to the face), and the NME of eye and mouth landmarks says
whether those regions are followed.
"""

from __future__ import annotations

import numpy as np

from flowmark_core.metrics.landmarks import box_size, nme, visible_mask

REGIONS: dict[str, tuple[str, ...]] = {
    "eyes": ("eye", "pupil"),
    "mouth": ("mouth", "lip"),
}


def keypoint_spread(track: np.ndarray, face_size: np.ndarray | float) -> float:
    """Mean pairwise keypoint distance divided by the face size, averaged over frames.

    Definition: mean over frames t of (mean over pairs i < j of |x_t,i - x_t,j|) / s_t, with
    s_t the face size in the same pixels (e.g. `box_size` of the ground-truth landmarks).
    For K points spread uniformly over a square of side s the value is about 0.52.

    Shape:
        track: (T, K, 2) px, K >= 2; face_size: scalar or (T,).
    """
    pts = np.asarray(track, dtype=np.float64)
    if pts.ndim != 3 or pts.shape[1] < 2:
        raise ValueError(f"expected a track (T, K >= 2, 2), got {pts.shape}")
    diff = pts[:, :, None, :] - pts[:, None, :, :]
    dist = np.linalg.norm(diff, axis=-1)
    i, j = np.triu_indices(pts.shape[1], k=1)
    per_frame = dist[:, i, j].mean(axis=1) / np.broadcast_to(face_size, (len(pts),))
    return float(np.nanmean(per_frame))


def region_mask(names: np.ndarray | list[str], region: str) -> np.ndarray:
    """Landmarks whose name mentions the region's words. Shape: (L,) bool."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; allowed: {', '.join(REGIONS)}")
    words = REGIONS[region]
    return np.array([any(w in str(n) for w in words) for n in names], dtype=bool)


def region_nme(
    pred: np.ndarray, gt: np.ndarray, visible: np.ndarray | None, names, region: str
) -> float:
    """NME (as `nme`, normalised by the box of *all* visible landmarks) over one region.

    Shape:
        pred, gt: (T, L, 2); visible: (T, L); names: (L,).
    """
    gt = np.asarray(gt, dtype=np.float64)
    mask = visible_mask(gt, visible)
    sizes = box_size(gt, mask)
    keep = region_mask(names, region)
    err = np.linalg.norm(np.asarray(pred, np.float64) - gt, axis=-1) / sizes[:, None]
    use = mask & keep[None, :] & np.isfinite(err)
    return float(err[use].mean()) if use.any() else float("nan")


__all__ = ["REGIONS", "keypoint_spread", "nme", "region_mask", "region_nme"]

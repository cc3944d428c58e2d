"""What an animated photo looks like next to the photo: colour kept, no paste seam, detail kept.

Images are RGB uint8 (H, W, 3); colour differences are in 0..255 units. Regions are boolean
masks (H, W): the face is the convex hull of the face-mesh reference's points, "still" is
what a caller chooses as not moving (e.g. the pasted box minus the face hull dilated well
beyond the head, `still_mask`).

- `colour_shift`: mean colour of a region in the generated frame minus that of a region in
  the photo, per channel (a region may move: its mean is compared, not its pixels).
- `contrast_ratio`: luminance standard deviation of the region, generated / photo.
- `seam_ratio`: the luminance step across a pasted box's edge against the steps on lines
  just inside it (a hard paste of a different-looking patch steps at the edge; a seamless
  one does not).
- `sharpness_ratio`: mean squared luminance gradient of a region, generated / photo.
"""

from __future__ import annotations

import cv2
import numpy as np

SEAM_BAND = (2, 10)
"""Lines `SEAM_BAND[0]`..`SEAM_BAND[1]` px inside the box edge are the seam's baseline."""


def luminance(image: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an RGB image as float64. Shape: (H, W, 3) -> (H, W)."""
    rgb = np.asarray(image, dtype=np.float64)
    return rgb @ np.array([0.299, 0.587, 0.114])


def hull_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The filled convex hull of points (x, y px) as a boolean mask of `shape[:2]`."""
    mask = np.zeros(shape[:2], np.uint8)
    hull = cv2.convexHull(np.round(np.asarray(points)).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool)


def box_mask(box: tuple[int, int, int], shape: tuple[int, ...]) -> np.ndarray:
    """A square box (left, top, side) in px, clipped to the image, as a boolean mask."""
    x, y, side = box
    mask = np.zeros(shape[:2], bool)
    mask[max(y, 0) : max(y + side, 0), max(x, 0) : max(x + side, 0)] = True
    return mask


def still_mask(face: np.ndarray, region: np.ndarray, grow: float = 0.6) -> np.ndarray:
    """`region` minus the face mask dilated by `grow` x the face's larger side.

    The head, hair and neck move with the driver; what is left of the pasted region well
    away from the face (background, shoulders' edges) should look as it did in the photo.
    """
    ys, xs = np.nonzero(face)
    if len(xs) == 0:
        return region.copy()
    side = max(xs.max() - xs.min(), ys.max() - ys.min()) + 1
    radius = max(1, round(grow * side))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    near = cv2.dilate(face.astype(np.uint8), kernel).astype(bool)
    return region & ~near


def colour_shift(
    generated: np.ndarray,
    source: np.ndarray,
    generated_mask: np.ndarray,
    source_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Mean RGB of the generated region minus that of the source region (0..255 units).

    Args:
        generated, source: RGB uint8 images (sizes may differ when the masks do).
        generated_mask: the region in `generated`.
        source_mask: the region in `source` (default: `generated_mask`).

    Returns:
        (3,) float64; NaN when a region is empty.
    """
    src_mask = generated_mask if source_mask is None else source_mask
    if not generated_mask.any() or not src_mask.any():
        return np.full(3, np.nan)
    gen = np.asarray(generated, dtype=np.float64)[generated_mask].mean(axis=0)
    return gen - np.asarray(source, dtype=np.float64)[src_mask].mean(axis=0)


def contrast_ratio(
    generated: np.ndarray,
    source: np.ndarray,
    generated_mask: np.ndarray,
    source_mask: np.ndarray | None = None,
) -> float:
    """Luminance standard deviation in the generated region / in the source region."""
    src_mask = generated_mask if source_mask is None else source_mask
    if not generated_mask.any() or not src_mask.any():
        return float("nan")
    den = float(luminance(source)[src_mask].std())
    return float(luminance(generated)[generated_mask].std()) / den if den > 0 else float("nan")


def _gradient_energy(image: np.ndarray, mask: np.ndarray) -> float:
    lum = luminance(image)
    gx = cv2.Sobel(lum, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(lum, cv2.CV_64F, 0, 1, ksize=3)
    return float(np.mean((gx**2 + gy**2)[mask])) if mask.any() else float("nan")


def sharpness_ratio(
    generated: np.ndarray,
    source: np.ndarray,
    generated_mask: np.ndarray,
    source_mask: np.ndarray | None = None,
) -> float:
    """Mean squared luminance gradient (Sobel) of the generated region / the source region's.

    1 keeps the photo's detail; a blurred face is well below 1.
    """
    src_mask = generated_mask if source_mask is None else source_mask
    den = _gradient_energy(source, src_mask)
    return _gradient_energy(generated, generated_mask) / den if den > 0 else float("nan")


def _edge_profiles(lum: np.ndarray, box: tuple[int, int, int], reach: int) -> list[np.ndarray]:
    """Per box edge inside the image: |step| between lines d-1 and d across the edge, for
    d = 0..reach (d = 0 straddles the edge; d > 0 is inside), averaged along the edge.

    Returns a list of (reach + 1,) arrays, one per usable edge (away from the corners).
    """
    x, y, side = box
    h, w = lum.shape
    profiles = []
    # Each edge: lines across it as (index of line d) for d = -1..reach, and the span along it.
    rows = slice(max(y, 0) + reach, min(y + side, h) - reach)
    cols = slice(max(x, 0) + reach, min(x + side, w) - reach)
    edges = []
    if x >= 1 and x + reach < w:  # left: first inside column x
        edges.append((lum[rows, :].T, [x + d for d in range(-1, reach + 1)]))
    if x + side < w and x + side - 1 - reach >= 0:  # right: last inside column x + side - 1
        edges.append((lum[rows, :].T, [x + side - 1 - d for d in range(-1, reach + 1)]))
    if y >= 1 and y + reach < h:  # top
        edges.append((lum[:, cols], [y + d for d in range(-1, reach + 1)]))
    if y + side < h and y + side - 1 - reach >= 0:  # bottom
        edges.append((lum[:, cols], [y + side - 1 - d for d in range(-1, reach + 1)]))
    for lines, index in edges:
        if lines.shape[1] == 0:
            continue
        values = lines[index]  # (reach + 2, length)
        profiles.append(np.abs(np.diff(values, axis=0)).mean(axis=1))
    return profiles


def seam_ratio(
    image: np.ndarray, box: tuple[int, int, int], band: tuple[int, int] = SEAM_BAND
) -> float:
    """Luminance step across the pasted box's edge / the mean step on lines just inside it.

    Only the box's edges that lie inside the image count (the parts outside were never
    pasted). ~1 for a seamless paste; a hard edge around a patch that differs from its
    surroundings gives much more.

    Args:
        image: the frame the patch was pasted into, RGB uint8.
        box: the pasted square (left, top, side) in the image's pixels.
        band: lines (px inside the edge, first and last) whose steps are the baseline.

    Returns:
        The ratio; NaN when no edge of the box lies inside the image.
    """
    lo, hi = band
    profiles = _edge_profiles(luminance(image), box, hi)
    if not profiles:
        return float("nan")
    profile = np.mean(profiles, axis=0)
    inside = float(profile[lo : hi + 1].mean())
    return float(profile[0]) / inside if inside > 0 else float("nan")

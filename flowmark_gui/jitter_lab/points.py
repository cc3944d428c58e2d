"""Point arithmetic of the lab's views, without Qt: which points a lasso encloses, each
point's colour (by region or by jitter) and which selected points get a trajectory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: Distinct region colours (RGB), given in the order of the track's groups.
REGION_COLOURS: tuple[tuple[int, int, int], ...] = (
    (230, 75, 75), (80, 200, 120), (80, 150, 240), (240, 200, 60), (190, 110, 230),
    (60, 210, 210), (250, 140, 50), (240, 120, 190), (150, 200, 60), (170, 170, 255),
    (255, 255, 140), (120, 120, 120),
)  # fmt: skip
NO_REGION = (200, 200, 200)
MISSING = (110, 110, 110)
#: Jitter colours, low to high (a dark-to-bright ramp readable over video).
JITTER_RAMP: tuple[tuple[int, int, int], ...] = (
    (40, 90, 255), (40, 200, 255), (60, 230, 120), (250, 230, 50), (255, 140, 30),
    (255, 40, 40),
)  # fmt: skip
JITTER_LEVELS = 16


def inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """True for each point inside `polygon` (even-odd rule; NaN points are outside).

    Shape:
        points: (K, 2); polygon: (N, 2) vertices, closed implicitly; output: (K,) bool.
    """
    pts = np.asarray(points, dtype=np.float64)
    poly = np.asarray(polygon, dtype=np.float64)
    inside = np.zeros(len(pts), dtype=bool)
    if len(poly) < 3:
        return inside
    x, y = pts[:, 0], pts[:, 1]
    x0, y0 = poly[:, 0], poly[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b, c, d in zip(x0, y0, x1, y1):
            crosses = (b > y) != (d > y)
            at = a + (y - b) * (c - a) / (d - b)
            inside ^= crosses & (x < at)
    return inside & np.isfinite(pts).all(axis=1)


def region_of_points(num_points: int, groups: Mapping[str, Sequence[int]]) -> np.ndarray:
    """Each point's region number (the first group holding it), -1 for none.

    Shape:
        output: (K,) int64.
    """
    region = np.full(num_points, -1, dtype=np.int64)
    for n, members in enumerate(groups.values()):
        idx = np.asarray(members, dtype=np.int64)
        free = idx[region[idx] < 0]
        region[free] = n
    return region


def region_colours(num_points: int, groups: Mapping[str, Sequence[int]]) -> np.ndarray:
    """Each point's RGB by region (points in no region light grey).

    Shape:
        output: (K, 3) uint8.
    """
    palette = np.array(REGION_COLOURS, dtype=np.uint8)
    region = region_of_points(num_points, groups)
    out = np.tile(np.array(NO_REGION, dtype=np.uint8), (num_points, 1))
    out[region >= 0] = palette[region[region >= 0] % len(palette)]
    return out


def jitter_colours(jitter: np.ndarray) -> tuple[np.ndarray, float]:
    """Each point's RGB on the jitter ramp (quantised to `JITTER_LEVELS`), and the top value.

    The ramp ends at the 95th percentile of the points' jitter (one wild point does not
    flatten the rest), but not below 1% of the largest (when most points stand still);
    points never found are grey.

    Shape:
        jitter: (K,); output: (K, 3) uint8.
    """
    values = np.asarray(jitter, dtype=np.float64)
    seen = np.isfinite(values)
    top = 0.0
    if seen.any():  # not below 1% of the largest: still points' float noise is no scale
        top = max(float(np.percentile(values[seen], 95)), 0.01 * float(values[seen].max()))
    level = np.zeros(len(values))
    if top > 0:
        level = np.clip(np.nan_to_num(values) / top, 0.0, 1.0)
    level = np.round(level * (JITTER_LEVELS - 1)) / (JITTER_LEVELS - 1)
    ramp = np.array(JITTER_RAMP, dtype=np.float64)
    pos = level * (len(ramp) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(ramp) - 1)
    frac = (pos - lo)[:, None]
    rgb = np.round(ramp[lo] * (1 - frac) + ramp[hi] * frac).astype(np.uint8)
    rgb[~seen] = MISSING
    return rgb, top


def plotted_points(selection: Sequence[int], jitter: np.ndarray, cap: int) -> list[int]:
    """The selected points that get a trajectory: all, or the `cap` shakiest, by index."""
    chosen = list(selection)
    if len(chosen) <= cap:
        return chosen
    values = np.nan_to_num(np.asarray(jitter, dtype=np.float64)[chosen], nan=-1.0)
    order = np.argsort(-values, kind="stable")[:cap]
    return sorted(chosen[i] for i in order)

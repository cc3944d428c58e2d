"""Shot changes in a stream of frames, from colour-histogram jumps between neighbours.

A cut is declared between frames t-1 and t when the Hellinger (Bhattacharyya) distance of
their HSV histograms is above `min_distance` and well above the recent typical change
(`ratio` times the median of the previous `window` distances): head motion, speech and
lighting drift change the histogram a little every frame; a cut changes it at once. The
pixels must change too (mean absolute difference of small grey thumbnails at least
`min_pixel_change` levels): a flat backdrop drifting across a histogram bin border moves the
histogram at once while the picture barely changes.
"""

from __future__ import annotations

import itertools
from collections import deque

import cv2
import numpy as np

HIST_BINS = (16, 4, 4)
_WORK_SIDE = 96
_THUMB_SIDE = 32


def frame_histogram(frame: np.ndarray) -> np.ndarray:
    """A normalised HSV histogram of a frame (downscaled first).

    Shape:
        frame: (H, W, 3) uint8 RGB; output: (16 * 4 * 4,) float32 summing to 1.
    """
    h, w = frame.shape[:2]
    scale = _WORK_SIDE / max(h, w)
    small = cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))))
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], None, list(HIST_BINS), [0, 180, 0, 256, 0, 256])
    hist = hist.ravel().astype(np.float32)
    return hist / max(float(hist.sum()), 1.0)


class ShotCutDetector:
    """Feed frames in order; `cuts` lists the indices of frames that start a new shot.

    Args:
        min_distance: smallest histogram distance (0..1) that can be a cut.
        ratio: a cut's distance is at least this many times the recent median distance.
        window: how many recent distances make the median.
    """

    def __init__(
        self,
        min_distance: float = 0.3,
        ratio: float = 4.0,
        window: int = 12,
        min_pixel_change: float = 12.0,
    ) -> None:
        self.min_distance = float(min_distance)
        self.ratio = float(ratio)
        self.min_pixel_change = float(min_pixel_change)
        self._previous_thumb: np.ndarray | None = None
        self.cuts: list[int] = []
        self.distances: list[float] = []
        self._recent: deque[float] = deque(maxlen=window)
        self._previous: np.ndarray | None = None
        self._index = 0

    def push(self, frame: np.ndarray) -> bool:
        """Take the next frame; True when it starts a new shot (the first frame does not)."""
        hist = frame_histogram(frame)
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        thumb = cv2.resize(grey, (_THUMB_SIDE, _THUMB_SIDE), interpolation=cv2.INTER_AREA)
        thumb = thumb.astype(np.float32)
        cut = False
        if self._previous is not None and self._previous_thumb is not None:
            distance = float(cv2.compareHist(self._previous, hist, cv2.HISTCMP_BHATTACHARYYA))
            typical = float(np.median(self._recent)) if self._recent else 0.0
            change = float(np.abs(thumb - self._previous_thumb).mean())
            cut = (
                distance >= self.min_distance
                and distance >= self.ratio * typical
                and change >= self.min_pixel_change
            )
            self.distances.append(distance)
            if cut:
                self.cuts.append(self._index)
                self._recent.clear()
            else:
                self._recent.append(distance)
        self._previous = hist
        self._previous_thumb = thumb
        self._index += 1
        return cut


def shot_ranges(cuts: list[int], frame_count: int) -> list[tuple[int, int]]:
    """[start, end) of each shot of a video of `frame_count` frames with these cuts."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < frame_count), frame_count]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]

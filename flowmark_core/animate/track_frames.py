"""A `KeypointTrack` frame by frame: recorded one detection at a time (`Animator.track`)
and read back one frame at a time (`Animator.render_from_track`, `reference_from_track`).

Pure bookkeeping over numpy arrays: no model, no device, no I/O.
"""

from __future__ import annotations

import numpy as np

from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.results import DetectedKeypoints, KeypointTrack
from flowmark_core.errors import FlowmarkError


def stack_present(arrays: list[np.ndarray | None]) -> np.ndarray | None:
    """The arrays stacked, or None when they are None (a model without Jacobians, say).

    Raises:
        ValueError: some arrays are None and others are not.
    """
    present = [a for a in arrays if a is not None]
    if not present:
        return None
    if len(present) != len(arrays):
        raise ValueError("some frames have this output and some do not")
    return np.stack(present)


class TrackRecorder:
    """Collects each frame's raw detection and stabilised keypoints into a `KeypointTrack`."""

    def __init__(self) -> None:
        self._raw: list[np.ndarray] = []
        self._stable: list[np.ndarray] = []
        self._jacobian_raw: list[np.ndarray | None] = []
        self._jacobian_stable: list[np.ndarray | None] = []
        self._heatmaps: list[np.ndarray | None] = []

    def add(
        self, raw: DetectedKeypoints, stable_value: np.ndarray, stable_jacobian: np.ndarray | None
    ) -> None:
        """Record one frame: its raw detection and its stabilised keypoints (pixels)."""
        self._raw.append(raw.value)
        self._stable.append(stable_value)
        self._jacobian_raw.append(raw.jacobian)
        self._jacobian_stable.append(stable_jacobian)
        self._heatmaps.append(raw.heatmap)

    def finish(
        self, image_size: int, fps: float, stabilizer: str, crop_box: CropBox | None = None
    ) -> KeypointTrack:
        """The recorded frames as one track (heatmaps kept as float16 when recorded), made
        in the square `crop_box` of every frame (None: whole frames)."""
        if not self._raw:
            raise FlowmarkError("the driving video has no frames")
        jacobian_raw = stack_present(self._jacobian_raw)
        heatmaps = stack_present(self._heatmaps)
        return KeypointTrack(
            raw=np.stack(self._raw),
            stable=np.stack(self._stable),
            jacobian_raw=jacobian_raw,
            jacobian_stable=None if jacobian_raw is None else stack_present(self._jacobian_stable),
            image_size=image_size,
            fps=fps,
            stabilizer=stabilizer,
            heatmaps=None if heatmaps is None else heatmaps.astype(np.float16),
            crop_box=crop_box,
        )


def raw_at(track: KeypointTrack, index: int, heatmap: np.ndarray | None) -> DetectedKeypoints:
    """Frame `index`'s raw detection as recorded, with the given heatmap."""
    jacobian = None if track.jacobian_raw is None else track.jacobian_raw[index]
    return DetectedKeypoints(track.raw[index], jacobian, heatmap)


def keypoints_at(
    track: KeypointTrack, index: int, stabilized: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Frame `index`'s (value, jacobian) in pixels: stabilised, or the raw detection."""
    values = track.stable if stabilized else track.raw
    jacobians = track.jacobian_stable if stabilized else track.jacobian_raw
    return values[index], None if jacobians is None else jacobians[index]

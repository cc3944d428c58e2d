"""A `KeypointTrack` as a .npz file: the arrays `flowmark keypoints` writes (raw, stable,
image_size, fps, stabilizer, jacobian_raw / jacobian_stable when present) plus heatmaps and
`crop_box` (x, y, side in video pixels) when the track has them. Files without `crop_box`
(written before the driving crop was recorded) load with `crop_box=None`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.results import KeypointTrack
from flowmark_core.errors import InputFileError
from flowmark_core.io.atomic import atomic_output

_REQUIRED = ("raw", "stable", "image_size", "fps", "stabilizer")


def track_arrays(track: KeypointTrack) -> dict[str, np.ndarray]:
    """The track's arrays by name, as `save_track` writes them."""
    arrays = {
        "raw": track.raw,
        "stable": track.stable,
        "image_size": np.array(track.image_size),
        "fps": np.array(track.fps),
        "stabilizer": np.array(track.stabilizer),
    }
    optional = {
        "jacobian_raw": track.jacobian_raw,
        "jacobian_stable": track.jacobian_stable,
        "heatmaps": track.heatmaps,
    }
    arrays.update({k: v for k, v in optional.items() if v is not None})
    if track.crop_box is not None:
        box = track.crop_box
        arrays["crop_box"] = np.array([box.x, box.y, box.size], np.float64)
    return arrays


def save_track(
    path: str | Path, track: KeypointTrack, extra: dict[str, np.ndarray] | None = None
) -> None:
    """Write `track` as .npz, atomically, with `extra` arrays beside it (e.g. video_size)."""
    with atomic_output(path) as tmp, tmp.open("wb") as f:
        np.savez(f, **{**(extra or {}), **track_arrays(track)})  # type: ignore[arg-type]  # numpy's stubs type **kwds like allow_pickle


def load_track(path: str | Path) -> KeypointTrack:
    """Read a track written by `save_track` (or `flowmark keypoints`).

    Raises:
        InputFileError: a required array is missing.
    """
    with np.load(Path(path), allow_pickle=False) as data:
        missing = [k for k in _REQUIRED if k not in data.files]
        if missing:
            raise InputFileError(
                f"{path}: not a keypoint track (no {missing[0]!r}); expected the arrays "
                f"{', '.join(_REQUIRED)}"
            )
        arrays = {k: data[k] for k in data.files}
    box = arrays.get("crop_box")
    return KeypointTrack(
        raw=arrays["raw"],
        stable=arrays["stable"],
        jacobian_raw=arrays.get("jacobian_raw"),
        jacobian_stable=arrays.get("jacobian_stable"),
        image_size=int(arrays["image_size"]),
        fps=float(arrays["fps"]),
        stabilizer=str(arrays["stabilizer"]),
        heatmaps=arrays.get("heatmaps"),
        crop_box=None if box is None else CropBox(*(float(v) for v in box)),
    )

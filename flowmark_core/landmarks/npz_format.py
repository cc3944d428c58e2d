"""flowmark's NPZ track: the `DetectorTrack` fields as arrays (no pickles).

Arrays: `points` (T, K, 2) float64 pixels, `names` (K,) str, `frame_indices` (T,) int64;
optional `confidence` (T, K), `timestamps` (T,); scalars `detector`, `fps` (NaN: unknown),
`frame_size` (2,) int (0, 0: unknown) and `groups` (a JSON object: name -> indices).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from flowmark_core.landmarks.reading import ReadOptions, bad, check_points
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "npz"


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a flowmark NPZ track."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise bad(path, "no such file") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise bad(path, f"is not a readable .npz file ({exc})") from None
    for name in ("points", "names"):
        if name not in arrays:
            raise bad(path, f"has no {name!r} array; expected a flowmark landmark track")
    points = arrays["points"].astype(np.float64)
    if points.ndim != 3 or points.shape[2] != 2:
        raise bad(path, f"points has shape {points.shape}, expected (frames, points, 2)")
    check_points(path, points)
    fps = float(arrays["fps"]) if "fps" in arrays else np.nan
    w, h = (int(v) for v in arrays.get("frame_size", np.zeros(2)))
    groups = json.loads(str(arrays["groups"])) if "groups" in arrays else {}
    try:
        return DetectorTrack(
            points,
            names=tuple(str(n) for n in arrays["names"]),
            confidence=arrays.get("confidence"),
            groups=groups,
            detector=str(arrays.get("detector", "unknown")),
            fps=fps if np.isfinite(fps) else options.fps,
            frame_size=(w, h) if w and h else None,
            frame_indices=arrays.get("frame_indices", np.zeros(0, dtype=np.int64)),
            timestamps=arrays.get("timestamps"),
            source=SourceLayout(FORMAT, {}),
        )
    except ValueError as exc:
        raise bad(path, f"inconsistent arrays ({exc})") from None


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as a flowmark NPZ."""
    arrays: dict[str, Any] = {
        "points": track.points,
        "names": np.array(track.names, dtype=str),
        "frame_indices": track.frame_indices,
        "detector": np.array(track.detector),
        "fps": np.array(np.nan if track.fps is None else track.fps),
        "frame_size": np.array(track.frame_size or (0, 0), dtype=np.int64),
        "groups": np.array(json.dumps({g: list(i) for g, i in track.groups.items()})),
    }
    if track.confidence is not None:
        arrays["confidence"] = track.confidence
    if track.timestamps is not None:
        arrays["timestamps"] = track.timestamps
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)

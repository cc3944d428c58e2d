"""iBUG / dlib `.pts` files: one file per frame, in a folder (or one file: one frame).

```
version: 1
n_points: 68
{
x y
...
}
```

iBUG 300-W coordinates are 1-based (the top-left pixel's centre is (1, 1)); flowmark's are
0-based, so 1 is subtracted on reading and added on writing. A frame without a face has no
file; the frame index is the last number in the file name (else the file's position).
Writing back gives the same file names and header.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.landmarks.layouts import face68_layout, indexed_names
from flowmark_core.landmarks.reading import (
    ReadOptions,
    bad,
    check_points,
    frame_numbers,
    natural_key,
    number,
    read_text,
)
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "pts"
ORIGIN = 1.0  # iBUG's first pixel centre


def parse(path: Path) -> tuple[list[str], np.ndarray]:
    """(header lines before '{', points (N, 2) in the file's own coordinates)."""
    lines = [line.strip() for line in read_text(path).splitlines() if line.strip()]
    try:
        start, end = lines.index("{"), lines.index("}")
    except ValueError:
        raise bad(path, "expected a .pts file with the points between '{' and '}'") from None
    header = lines[:start]
    declared = next((ln.split(":", 1)[1] for ln in header if ln.startswith("n_points")), None)
    rows = lines[start + 1 : end]
    pts = np.zeros((len(rows), 2))
    for i, row in enumerate(rows):
        cells = row.split()
        if len(cells) != 2:
            raise bad(path, f"point {i}: expected 'x y', got {row!r}")
        pts[i] = [number(c, path, f"point {i}") for c in cells]
        if not np.isfinite(pts[i]).all():
            raise bad(path, f"point {i}: NaN coordinates; .pts has no missing points")
    if declared is not None and int(number(declared, path, "n_points")) != len(rows):
        raise bad(path, f"n_points says {declared.strip()} but the file lists {len(rows)} points")
    return header, pts


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a folder of .pts files (or one .pts file)."""
    files = [path]
    if path.is_dir():
        files = sorted(path.glob("*.pts"), key=lambda p: natural_key(p.name))
        if not files:
            raise bad(path, "has no .pts files")
    headers, arrays = zip(*(parse(f) for f in files))
    counts = {len(a) for a in arrays}
    if len(counts) > 1:
        bad_file = next(f for f, a in zip(files, arrays) if len(a) != len(arrays[0]))
        raise bad(
            bad_file, f"has {counts - {len(arrays[0])}} points, the first file {len(arrays[0])}"
        )
    points = np.stack(arrays) - ORIGIN
    check_points(path, points)
    count = points.shape[1]
    names, groups = face68_layout(count) if count == 68 else (indexed_names("point_", count), {})
    names_list = [f.name for f in files]
    return DetectorTrack(
        points,
        names=names,
        groups=groups,
        detector="dlib-68" if count == 68 else "pts",
        fps=options.fps,
        frame_indices=frame_numbers(names_list, ".pts"),
        source=SourceLayout(
            FORMAT, {"names": names_list, "headers": list(headers), "points": points.copy()}
        ),
    )


def _text(header: list[str], points: np.ndarray) -> str:
    rows = [f"{x + ORIGIN:.3f} {y + ORIGIN:.3f}" for x, y in points]
    return "\n".join([*header, "{", *rows, "}"]) + "\n"


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as a new folder of .pts files (its source names and headers, if any).

    A NaN point keeps its source value; a track not read from .pts must have no NaN.
    """
    source = track.source.details if track.format == FORMAT else None  # type: ignore[union-attr]
    path.mkdir()
    for t, frame in enumerate(track.frame_indices.tolist()):
        pts = track.points[t]
        if source is not None:
            name, header = source["names"][t], source["headers"][t]
            pts = np.where(np.isfinite(pts), pts, source["points"][t])
        else:
            if not np.isfinite(pts).all():
                continue  # no face in this frame: no file, as iBUG does
            name, header = f"frame_{frame:06d}.pts", ["version: 1", f"n_points: {len(pts)}"]
        (path / name).write_text(_text(header, pts), encoding="utf-8")

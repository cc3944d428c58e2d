"""OpenFace 2.0 CSV (FeatureExtraction / FaceLandmarkVid output).

The header is `frame, face_id, timestamp, confidence, success, ..., x_0, ..., x_67, y_0, ...,
y_67, ...` (a space after each comma). Landmarks are 0-based image pixels (OpenCV), the same
as flowmark's; `frame` is 1-based (row with frame 1 is video frame 0). Rows with `success`
0 are missing. With several faces (`face_id`), the lowest id is read and the other rows are
kept as they are on writing. Writing back changes only the x_i/y_i cells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.landmarks import csv_rows
from flowmark_core.landmarks.layouts import face68_layout
from flowmark_core.landmarks.reading import ReadOptions, bad, check_points, number, read_text
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "openface"
POINTS = 68


def looks_like(header: list[str]) -> bool:
    """True for an OpenFace header (x_0, y_0 and success columns)."""
    return "x_0" in header and "y_0" in header and "success" in header


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read an OpenFace 2.0 CSV."""
    lines = csv_rows.read_rows(path, read_text(path))
    header = [c.strip() for c in csv_rows.split(lines[0])]
    col = {name: i for i, name in enumerate(header)}
    xs = sorted(int(c[2:]) for c in header if c.startswith("x_") and c[2:].isdigit())
    if not looks_like(header) or "frame" not in col:
        raise bad(path, "expected an OpenFace CSV header with frame, success, x_0.. and y_0..")
    if xs != list(range(POINTS)) or any(f"y_{i}" not in col for i in xs):
        raise bad(path, f"{len(xs)} landmark columns x_i/y_i; expected {POINTS} (x_0..x_67)")
    rows = [(n, csv_rows.split(line)) for n, line in enumerate(lines) if n > 0]
    if "face_id" in col:
        ids = [number(r[col["face_id"]], path, f"line {n + 1}") for n, r in rows]
        rows = [row for row, face in zip(rows, ids) if face == min(ids)]
    if not rows:
        raise bad(path, "has a header but no rows")
    x_col = np.array([col[f"x_{i}"] for i in range(POINTS)])
    y_col = np.array([col[f"y_{i}"] for i in range(POINTS)])
    t_count = len(rows)
    pts = np.full((t_count, POINTS, 2), np.nan)
    conf = np.full((t_count, POINTS), np.nan) if "confidence" in col else None
    stamps = np.zeros(t_count) if "timestamp" in col else None
    frames = np.zeros(t_count, dtype=np.int64)
    line_of = np.full((t_count, POINTS), -1, dtype=np.int64)
    for t, (n, row) in enumerate(rows):
        where = f"line {n + 1}"
        if len(row) != len(header):
            raise bad(path, f"{where}: {len(row)} cells, expected {len(header)}")
        frames[t] = int(number(row[col["frame"]], path, where)) - 1
        if stamps is not None:
            stamps[t] = number(row[col["timestamp"]], path, where)
        if conf is not None:
            conf[t] = number(row[col["confidence"]], path, where)
        line_of[t] = n
        if number(row[col["success"]], path, where) == 0:
            continue
        pts[t, :, 0] = [number(row[c], path, where) for c in x_col]
        pts[t, :, 1] = [number(row[c], path, where) for c in y_col]
    if len(frames) > 1 and np.any(np.diff(frames) <= 0):
        raise bad(path, "frame numbers must increase from row to row (one face)")
    check_points(path, pts)
    names, groups = face68_layout(POINTS)
    details = {"lines": lines, "cells": csv_rows.CellMap(line_of, x_col, y_col)}
    return DetectorTrack(
        pts,
        names=names,
        confidence=conf,
        groups=groups,
        detector="openface",
        fps=options.fps,
        frame_indices=frames,
        timestamps=stamps,
        source=SourceLayout(FORMAT, details),
    )


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as OpenFace CSV (the source lines patched, or a minimal new table)."""
    if track.format == FORMAT:
        d = track.source.details  # type: ignore[union-attr]
        csv_rows.write_lines(path, csv_rows.patch_lines(d["lines"], d["cells"], track.points, _fmt))
        return
    if track.num_points != POINTS:
        raise ValueError(f"OpenFace CSV holds {POINTS} points, the track has {track.num_points}")
    header = ["frame", "face_id", "timestamp", "confidence", "success"]
    header += [f"x_{i}" for i in range(POINTS)] + [f"y_{i}" for i in range(POINTS)]
    out = [", ".join(header)]
    fps = track.fps or 30.0
    for t, frame in enumerate(track.frame_indices.tolist()):
        found = bool(np.isfinite(track.points[t]).all())
        stamp = track.timestamps[t] if track.timestamps is not None else frame / fps
        conf = 1.0 if track.confidence is None else float(np.nanmean(track.confidence[t]))
        pts = np.nan_to_num(track.points[t])
        cells = [str(frame + 1), "0", f"{stamp:.3f}", f"{conf:.2f}", str(int(found))]
        cells += [_fmt(v) for v in pts[:, 0]] + [_fmt(v) for v in pts[:, 1]]
        out.append(", ".join(cells))
    csv_rows.write_lines(path, out)

"""Plain CSV: one row per (frame, point): `frame,point,x,y[,confidence][,timestamp]`.

Coordinates are flowmark pixels (x = column, y = row, (0, 0) the centre of the top-left
pixel). `point` is a name or an index; points are ordered by index when every name is an
integer, else by first appearance. Empty or `nan` x/y is a missing point. Other columns are
kept when the track is written back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.landmarks import csv_rows
from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.landmarks.reading import ReadOptions, bad, check_points, number, read_text
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "csv"
REQUIRED = ("frame", "point", "x", "y")


def header_columns(line: str) -> list[str]:
    """The lower-cased, stripped column names of a header line."""
    return [c.strip().lower() for c in csv_rows.split(line)]


def looks_like(header: list[str]) -> bool:
    """True for a header with frame, point, x and y."""
    return all(c in header for c in REQUIRED)


def _point_order(names: list[str]) -> list[str]:
    unique = list(dict.fromkeys(names))
    if all(n.strip().lstrip("-").isdigit() for n in unique):
        return sorted(unique, key=lambda n: int(n))
    return unique


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a plain CSV track."""
    lines = csv_rows.read_rows(path, read_text(path))
    header = header_columns(lines[0])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise bad(path, f"expected columns frame,point,x,y[,confidence]; missing {missing[0]!r}")
    col = {name: header.index(name) for name in header}
    rows = [csv_rows.split(line) for line in lines[1:]]
    if not rows:
        raise bad(path, "has a header but no rows")
    frames, names = [], []
    for n, row in enumerate(rows, start=2):
        if len(row) < len(header):
            raise bad(path, f"line {n}: {len(row)} cells, expected {len(header)}")
        try:
            frames.append(int(row[col["frame"]].strip()))
        except ValueError:
            raise bad(path, f"line {n}: frame {row[col['frame']]!r} is not an integer") from None
        names.append(row[col["point"]].strip())
    order = _point_order(names)
    point_of = {name: k for k, name in enumerate(order)}
    frame_ids = np.array(sorted(set(frames)), dtype=np.int64)
    row_of = {int(f): t for t, f in enumerate(frame_ids)}
    pts = np.full((len(frame_ids), len(order), 2), np.nan)
    conf = np.full(pts.shape[:2], np.nan) if "confidence" in col else None
    stamps = np.full(len(frame_ids), np.nan) if "timestamp" in col else None
    line_of = np.full(pts.shape[:2], -1, dtype=np.int64)
    for n, (row, frame, name) in enumerate(zip(rows, frames, names)):
        t, k = row_of[frame], point_of[name]
        if line_of[t, k] >= 0:
            raise bad(path, f"line {n + 2}: frame {frame}, point {name!r} appears twice")
        line_of[t, k] = n + 1
        where = f"line {n + 2}"
        pts[t, k] = number(row[col["x"]], path, where), number(row[col["y"]], path, where)
        if conf is not None:
            conf[t, k] = number(row[col["confidence"]], path, where)
        if stamps is not None:
            stamps[t] = number(row[col["timestamp"]], path, where)
    check_points(path, pts)
    cells = csv_rows.CellMap(line_of, np.full(len(order), col["x"]), np.full(len(order), col["y"]))
    known = mediapipe_layout(len(order))
    detector, groups = "unknown", {}
    if known is not None and tuple(order) == known[1]:
        detector, _, groups = known
    return DetectorTrack(
        pts,
        names=tuple(order),
        confidence=conf,
        groups=groups,
        detector=detector,
        fps=options.fps,
        frame_size=None,
        frame_indices=frame_ids,
        timestamps=None if stamps is None or np.isnan(stamps).any() else stamps,
        source=SourceLayout(FORMAT, {"lines": lines, "cells": cells}),
    )


def _fmt(value: float) -> str:
    return f"{value:.4f}"


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as a plain CSV (its own lines patched when it was read from one)."""
    details = track.source.details if track.format == FORMAT else None
    if details is not None:
        lines = csv_rows.patch_lines(details["lines"], details["cells"], track.points, _fmt)
        csv_rows.write_lines(path, lines)
        return
    header = ["frame", "point", "x", "y"]
    if track.confidence is not None:
        header.append("confidence")
    if track.timestamps is not None:
        header.append("timestamp")
    out = [",".join(header)]
    for t, frame in enumerate(track.frame_indices.tolist()):
        for k, name in enumerate(track.names):
            x, y = track.points[t, k]
            cells = [str(frame), name, _cell(x), _cell(y)]
            if track.confidence is not None:
                cells.append(_cell(track.confidence[t, k]))
            if track.timestamps is not None:
                cells.append(f"{track.timestamps[t]:.6f}")
            out.append(csv_rows.join(cells))
    csv_rows.write_lines(path, out)


def _cell(value: float) -> str:
    return "nan" if not np.isfinite(value) else _fmt(float(value))

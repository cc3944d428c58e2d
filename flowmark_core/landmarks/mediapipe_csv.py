"""MediaPipe landmarks as CSV, normalised 0..1 image coordinates as MediaPipe gives them.

Two layouts are accepted:

- long: one row per landmark, columns `frame` (or `frame_index`), `landmark` (or
  `landmark_index`, `point`, `index`, `id`), `x`, `y` and optional `z`, `visibility`,
  `presence`, `timestamp` (s) or `timestamp_ms`;
- wide: one row per frame, columns `frame` and `x_0, y_0[, z_0, visibility_0], x_1, ...`
  (or `x0, y0, ...`).

Empty cells are missing points. The point count must be MediaPipe's: 468/478 (face
mesh), 33 (pose), 21 (hands). Writing back changes only the x/y cells.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from flowmark_core.landmarks import csv_rows
from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.landmarks.reading import (
    ReadOptions,
    bad,
    check_points,
    normalised_to_pixels,
    number,
    pixels_to_normalised,
    read_text,
    require_size,
)
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "mediapipe-csv"
FRAME_KEYS = ("frame", "frame_index", "frame_idx")
POINT_KEYS = ("landmark", "landmark_index", "landmark_id", "point", "index", "id")
_WIDE = re.compile(r"^(x|y|z|visibility|presence)_?(\d+)$")


def _wide_columns(header: list[str]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for c, name in enumerate(header):
        match = _WIDE.match(name)
        if match:
            out.setdefault(match.group(1), {})[int(match.group(2))] = c
    return out


def looks_like(header: list[str]) -> bool:
    """True for a long header (landmark + z/visibility/presence) or a wide x_i/y_i one."""
    if any(k in header for k in POINT_KEYS) and {"x", "y"} <= set(header):
        return bool({"z", "visibility", "presence"} & set(header))
    wide = _wide_columns(header)
    return "success" not in header and mediapipe_layout(len(wide.get("x", {}))) is not None


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a MediaPipe CSV (long or wide layout)."""
    lines = csv_rows.read_rows(path, read_text(path))
    header = [c.strip().lower() for c in csv_rows.split(lines[0])]
    rows = [csv_rows.split(line) for line in lines[1:]]
    if not rows:
        raise bad(path, "has a header but no rows")
    fkey = next((k for k in FRAME_KEYS if k in header), None)
    pkey = next((k for k in POINT_KEYS if k in header), None)
    if pkey is not None and {"x", "y"} <= set(header):
        table = _long(path, header, rows, fkey, pkey)
    else:
        table = _wide(path, header, rows, fkey)
    norm, conf, frames, line_of, x_col, y_col, stamps = table
    known = mediapipe_layout(norm.shape[1])
    if known is None:
        raise bad(
            path,
            f"{norm.shape[1]} landmarks per frame; expected 468 or 478 (face mesh), 33 (pose) "
            "or 21 (hands)",
        )
    size = require_size(path, options.frame_size, "MediaPipe")
    points = normalised_to_pixels(norm, size)
    check_points(path, points)
    detector, names, groups = known
    cells = csv_rows.CellMap(line_of, x_col, y_col)
    return DetectorTrack(
        points,
        names=names,
        confidence=conf,
        groups=groups,
        detector=detector,
        fps=options.fps,
        frame_size=size,
        frame_indices=frames,
        timestamps=stamps,
        source=SourceLayout(FORMAT, {"lines": lines, "cells": cells}),
    )


def _stamp_column(header: list[str]) -> tuple[int | None, float]:
    if "timestamp_ms" in header:
        return header.index("timestamp_ms"), 1e-3
    if "timestamp" in header:
        return header.index("timestamp"), 1.0
    return None, 1.0


def _long(path: Path, header: list[str], rows: list[list[str]], fkey: str | None, pkey: str):
    if fkey is None:
        raise bad(path, f"long layout needs a frame column ({', '.join(FRAME_KEYS)})")
    fc, pc, xc, yc = (header.index(k) for k in (fkey, pkey, "x", "y"))
    vc = next((header.index(k) for k in ("visibility", "presence") if k in header), None)
    sc, scale = _stamp_column(header)
    try:
        frame_of = [int(r[fc]) for r in rows]
        point_of = [int(r[pc]) for r in rows]
    except (ValueError, IndexError):
        raise bad(path, f"{fkey!r} and {pkey!r} must be integers in every row") from None
    frames = np.array(sorted(set(frame_of)), dtype=np.int64)
    t_of = {int(f): t for t, f in enumerate(frames)}
    count = max(point_of) + 1
    norm = np.full((len(frames), count, 2), np.nan)
    conf = np.full(norm.shape[:2], np.nan) if vc is not None else None
    stamps = np.zeros(len(frames)) if sc is not None else None
    line_of = np.full(norm.shape[:2], -1, dtype=np.int64)
    for n, (row, f, k) in enumerate(zip(rows, frame_of, point_of)):
        t, where = t_of[f], f"line {n + 2}"
        line_of[t, k] = n + 1
        norm[t, k] = number(row[xc], path, where), number(row[yc], path, where)
        if conf is not None:
            conf[t, k] = number(row[vc], path, where)  # type: ignore[index]
        if stamps is not None:
            stamps[t] = number(row[sc], path, where) * scale  # type: ignore[index]
    x_col, y_col = np.full(count, xc), np.full(count, yc)
    return norm, conf, frames, line_of, x_col, y_col, stamps


def _wide(path: Path, header: list[str], rows: list[list[str]], fkey: str | None):
    wide = _wide_columns(header)
    xs, ys = wide.get("x", {}), wide.get("y", {})
    count = len(xs)
    if not count or sorted(xs) != list(range(count)) or sorted(ys) != sorted(xs):
        raise bad(path, "expected MediaPipe CSV columns frame,landmark,x,y,z or x_0,y_0,...")
    vis = wide.get("visibility") or wide.get("presence")
    sc, scale = _stamp_column(header)
    x_col = np.array([xs[i] for i in range(count)])
    y_col = np.array([ys[i] for i in range(count)])
    norm = np.full((len(rows), count, 2), np.nan)
    conf = np.full(norm.shape[:2], np.nan) if vis and len(vis) == count else None
    stamps = np.zeros(len(rows)) if sc is not None else None
    frames = np.arange(len(rows), dtype=np.int64)
    for t, row in enumerate(rows):
        where = f"line {t + 2}"
        if len(row) != len(header):
            raise bad(path, f"{where}: {len(row)} cells, expected {len(header)}")
        if fkey is not None:
            frames[t] = int(number(row[header.index(fkey)], path, where))
        norm[t, :, 0] = [number(row[c], path, where) for c in x_col]
        norm[t, :, 1] = [number(row[c], path, where) for c in y_col]
        if conf is not None:
            conf[t] = [number(row[vis[i]], path, where) for i in range(count)]  # type: ignore[index]
        if stamps is not None:
            stamps[t] = number(row[sc], path, where) * scale  # type: ignore[index]
    if len(frames) > 1 and np.any(np.diff(frames) <= 0):
        raise bad(path, "frame numbers must increase from row to row")
    line_of = np.repeat(np.arange(1, len(rows) + 1)[:, None], count, axis=1)
    return norm, conf, frames, line_of, x_col, y_col, stamps


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` back into its MediaPipe CSV (x/y cells only, normalised)."""
    if track.format != FORMAT or track.frame_size is None:
        raise ValueError("only a track read from a MediaPipe CSV can be written as one")
    d = track.source.details  # type: ignore[union-attr]
    norm = pixels_to_normalised(track.points, track.frame_size)
    lines = csv_rows.patch_lines(d["lines"], d["cells"], norm, lambda v: f"{v:.7f}")
    csv_rows.write_lines(path, lines)

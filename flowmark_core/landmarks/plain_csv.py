"""Plain CSV: one row per (frame, point): `frame,point,x,y[,confidence][,timestamp]`.

Coordinates are flowmark pixels (x = column, y = row, (0, 0) the centre of the top-left
pixel). `point` is a name or an index; points are ordered by index when every name is an
integer, else by first appearance. Empty or `nan` x/y is a missing point. Other columns are
kept when the track is written back (only then are the file's lines held in memory: a
478-point track of 5,000 frames is 2.4 million rows).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import numpy as np

from flowmark_core.landmarks import csv_rows
from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.landmarks.reading import ReadOptions, bad, check_points, number
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "csv"
REQUIRED = ("frame", "point", "x", "y")
KNOWN = (*REQUIRED, "confidence", "timestamp")


def header_columns(line: str) -> list[str]:
    """The lower-cased, stripped column names of a header line."""
    return [c.strip().lower() for c in csv_rows.split(line)]


def looks_like(header: list[str]) -> bool:
    """True for a header with frame, point, x and y."""
    return all(c in header for c in REQUIRED)


def _point_order(names: list[str]) -> list[str]:
    if all(n.strip().lstrip("-").isdigit() for n in names):
        return sorted(names, key=lambda n: int(n))
    return names


def _column(cells: list[str], dtype: type, path: Path, what: str, lines: list[int]) -> np.ndarray:
    """A column of cells as numbers (C-speed); a bad cell is found row by row for its line.

    `lines[n]` is the file line of data row n."""
    try:
        return np.array(cells, dtype=dtype)
    except ValueError:
        pass
    out: np.ndarray = np.empty(len(cells), dtype=dtype)
    for n, cell in enumerate(cells):
        if dtype is np.int64:
            try:
                out[n] = int(cell)
            except ValueError:
                raise bad(path, f"line {lines[n]}: {what} {cell!r} is not an integer") from None
        else:
            out[n] = number(cell, path, f"line {lines[n]}")
    return out


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a plain CSV track (cells collected per column, converted by numpy)."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise bad(path, f"cannot be read ({exc.strerror})") from None
    with handle:
        header = [c.strip().lower() for c in next(csv.reader(handle), [])]
        if looks_like(header) and all(c in KNOWN for c in header):
            fast = _read_fast(path, header, options)
            if fast is not None:
                return fast
        handle.seek(0)
        return _read(path, handle, options)


def _read_fast(path: Path, header: list[str], options: ReadOptions) -> DetectorTrack | None:
    """numpy's C parser for a table of only the known columns; None when it cannot parse
    it (empty cells, bad numbers: the row-by-row reader then names the line)."""
    numeric = [i for i, c in enumerate(header) if c != "point"]
    try:
        table = np.loadtxt(
            path, delimiter=",", skiprows=1, usecols=numeric, ndmin=2, encoding="utf-8-sig"
        )
        names = np.loadtxt(
            path,
            delimiter=",",
            skiprows=1,
            usecols=(header.index("point"),),
            dtype=str,
            ndmin=1,
            quotechar='"',
            encoding="utf-8-sig",
        )
    except ValueError:
        return None
    if not len(table) or not np.all(table[:, 0] == np.round(table[:, 0])):
        return None
    columns = {header[i]: table[:, j] for j, i in enumerate(numeric)}
    frames = columns.pop("frame").astype(np.int64)
    return _track(path, options, header, [], frames, np.char.strip(names), columns)


def _read(path: Path, handle: TextIO, options: ReadOptions) -> DetectorTrack:
    reader = csv.reader(handle)
    raw_header = next(reader, [])
    header = [c.strip().lower() for c in raw_header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise bad(path, f"expected columns frame,point,x,y[,confidence]; missing {missing[0]!r}")
    wanted = [c for c in KNOWN if c in header]
    index = [header.index(c) for c in wanted]
    columns: list[list[str]] = [[] for _ in wanted]
    keep_lines = any(c not in KNOWN for c in header)
    lines: list[str] = [csv_rows.join(raw_header)] if keep_lines else []
    width = len(header)
    numbers: list[int] = []
    for n, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < width:
            raise bad(path, f"line {n}: {len(row)} cells, expected {width}")
        numbers.append(n)
        for column, i in zip(columns, index):
            column.append(row[i])
        if keep_lines:
            lines.append(csv_rows.join(row))
    if not columns[0]:
        raise bad(path, "has a header but no rows")
    cells = dict(zip(wanted, columns))
    frames = _column(cells["frame"], np.int64, path, "frame", numbers)
    names = np.char.strip(np.array(cells["point"]))
    values = {
        c: _column(cells[c], np.float64, path, c, numbers)
        for c in wanted
        if c not in ("frame", "point")
    }
    return _track(path, options, header, lines, frames, names, values)


def _codes(names: np.ndarray, frames: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(point names in first-appearance order, each row's index into them).

    A table that repeats the same points in the same order for every frame (as flowmark
    writes it) is recognised without hashing each of its millions of names.
    """
    count = int(np.argmax(frames != frames[0])) or len(frames)
    if len(names) % count == 0:
        grid = names.reshape(-1, count)
        regular = len(set(grid[0].tolist())) == count
        if regular and (grid == grid[0]).all():
            return grid[0].tolist(), np.tile(np.arange(count), len(grid))
    code_of: dict[str, int] = {}
    codes = np.fromiter(
        (code_of.setdefault(n, len(code_of)) for n in names.tolist()), np.int64, len(names)
    )
    return list(code_of), codes


def _track(path, options, header, lines, frames, names, values):
    found, codes = _codes(names, frames)
    order = _point_order(found)
    position = {name: k for k, name in enumerate(order)}
    remap = np.array([position[n] for n in found], dtype=np.int64)
    if len(frames) > 1 and np.all(frames[1:] >= frames[:-1]):  # sorted: no hashing needed
        starts = np.concatenate([[True], frames[1:] != frames[:-1]])
        frame_ids, t_idx = frames[starts], np.cumsum(starts) - 1
    else:
        frame_ids, t_idx = np.unique(frames, return_inverse=True)
    k_idx = remap[codes]
    flat = t_idx * len(order) + k_idx
    counts = np.bincount(flat, minlength=len(frame_ids) * len(order))
    if counts.max() > 1:
        t, k = divmod(int(np.argmax(counts > 1)), len(order))
        raise bad(path, f"frame {frame_ids[t]}, point {order[k]!r} appears twice")
    pts = np.full((len(frame_ids), len(order), 2), np.nan)
    pts[t_idx, k_idx, 0] = values["x"]
    pts[t_idx, k_idx, 1] = values["y"]
    conf = None
    if "confidence" in values:
        conf = np.full(pts.shape[:2], np.nan)
        conf[t_idx, k_idx] = values["confidence"]
    times = None
    if "timestamp" in values:
        times = np.full(len(frame_ids), np.nan)
        times[t_idx] = values["timestamp"]
        times = None if np.isnan(times).any() else times
    check_points(path, pts)
    details: dict[str, object] = {}
    if lines:
        line_of = np.full(pts.shape[:2], -1, dtype=np.int64)
        line_of[t_idx, k_idx] = np.arange(1, len(flat) + 1)
        xc, yc = header.index("x"), header.index("y")
        cells = csv_rows.CellMap(line_of, np.full(len(order), xc), np.full(len(order), yc))
        details = {"lines": lines, "cells": cells}
    known = mediapipe_layout(len(order))
    detector = "unknown"
    groups: Mapping[str, tuple[int, ...]] = {}
    if known is not None and tuple(order) == known[1]:
        detector, _, groups = known
    return DetectorTrack(
        pts,
        names=tuple(order),
        confidence=conf,
        groups=groups,
        detector=detector,
        fps=options.fps,
        frame_indices=frame_ids,
        timestamps=times,
        source=SourceLayout(FORMAT, details),
    )


def _fmt(value: float) -> str:
    return f"{value:.4f}"


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as a plain CSV (its own lines patched when it had other columns)."""
    details = track.source.details if track.format == FORMAT else None  # type: ignore[union-attr]
    if details and "lines" in details:
        lines = csv_rows.patch_lines(details["lines"], details["cells"], track.points, _fmt)
        csv_rows.write_lines(path, lines)
        return
    header = ["frame", "point", "x", "y"]
    if track.confidence is not None:
        header.append("confidence")
    if track.timestamps is not None:
        header.append("timestamp")
    names = [csv_rows.join([n]) for n in track.names]
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(header) + "\n")
        for t, frame in enumerate(track.frame_indices.tolist()):
            stamp = f",{track.timestamps[t]:.6f}" if track.timestamps is not None else ""
            xy = track.points[t].tolist()
            conf = track.confidence[t].tolist() if track.confidence is not None else None
            rows = []
            for k, name in enumerate(names):
                x, y = xy[k]
                extra = f",{_cell(conf[k])}" if conf is not None else ""
                rows.append(f"{frame},{name},{_cell(x)},{_cell(y)}{extra}{stamp}\n")
            out.write("".join(rows))


def _cell(value: float) -> str:
    return "nan" if value != value or value in (np.inf, -np.inf) else _fmt(value)

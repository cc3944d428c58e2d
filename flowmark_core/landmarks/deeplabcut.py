"""DeepLabCut CSV: the analysed-video table with its multi-row header.

Single animal: rows `scorer`, `bodyparts`, `coords` (x, y, likelihood per body part);
multi-animal: rows `scorer`, `individuals`, `bodyparts`, `coords`. The first column is the
frame index (an image path is taken as the row number). Empty cells are missing points.
Points are named `bodypart` (or `individual/bodypart`); each individual is a group.
Coordinates are image pixels (as flowmark's). Writing back changes only the x/y cells.
DeepLabCut's H5 files are not read: they need pandas and PyTables (export CSV instead).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.landmarks import csv_rows
from flowmark_core.landmarks.reading import ReadOptions, bad, check_points, number, read_text
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "deeplabcut"


def looks_like(first_cell: str) -> bool:
    """True when a CSV's first cell is DeepLabCut's `scorer`."""
    return first_cell.strip().lower() == "scorer"


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a DeepLabCut CSV."""
    lines = csv_rows.read_rows(path, read_text(path))
    heads = [csv_rows.split(line) for line in lines[:4]]
    labels = [h[0].strip().lower() if h else "" for h in heads]
    if labels[:3] == ["scorer", "bodyparts", "coords"]:
        n_head, individuals = 3, None
    elif labels[:4] == ["scorer", "individuals", "bodyparts", "coords"]:
        n_head, individuals = 4, heads[1]
    else:
        raise bad(path, "expected DeepLabCut header rows scorer, [individuals,] bodyparts, coords")
    parts, coords = heads[n_head - 2], heads[n_head - 1]
    columns: dict[str, dict[str, int]] = {}
    for c in range(1, len(coords)):
        part = parts[c].strip()
        name = f"{individuals[c].strip()}/{part}" if individuals else part
        columns.setdefault(name, {})[coords[c].strip().lower()] = c
    names = tuple(columns)
    if not names or any(not {"x", "y"} <= set(v) for v in columns.values()):
        raise bad(path, "every body part needs x and y columns")
    rows = [(n, csv_rows.split(line)) for n, line in enumerate(lines) if n >= n_head]
    if not rows:
        raise bad(path, "has a header but no rows")
    x_col = np.array([columns[n]["x"] for n in names])
    y_col = np.array([columns[n]["y"] for n in names])
    l_col = [columns[n].get("likelihood") for n in names]
    pts = np.full((len(rows), len(names), 2), np.nan)
    conf = np.full(pts.shape[:2], np.nan) if all(c is not None for c in l_col) else None
    frames = np.arange(len(rows), dtype=np.int64)
    line_of = np.zeros(pts.shape[:2], dtype=np.int64)
    for t, (n, row) in enumerate(rows):
        where = f"line {n + 1}"
        if len(row) != len(coords):
            raise bad(path, f"{where}: {len(row)} cells, expected {len(coords)}")
        if row[0].strip().isdigit():
            frames[t] = int(row[0])
        line_of[t] = n
        pts[t, :, 0] = [number(row[c], path, where) for c in x_col]
        pts[t, :, 1] = [number(row[c], path, where) for c in y_col]
        if conf is not None:
            conf[t] = [number(row[c], path, where) for c in l_col]  # type: ignore[index]
    if len(frames) > 1 and np.any(np.diff(frames) <= 0):
        frames = np.arange(len(rows), dtype=np.int64)
    check_points(path, pts)
    groups: dict[str, tuple[int, ...]] = {}
    if individuals:
        for k, name in enumerate(names):
            who = name.split("/", 1)[0]
            groups[who] = (*groups.get(who, ()), k)
    return DetectorTrack(
        pts,
        names=names,
        confidence=conf,
        groups=groups,
        detector="deeplabcut",
        fps=options.fps,
        frame_indices=frames,
        source=SourceLayout(
            FORMAT, {"lines": lines, "cells": csv_rows.CellMap(line_of, x_col, y_col)}
        ),
    )


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` back into its DeepLabCut table (x/y cells only)."""
    if track.format != FORMAT:
        raise ValueError("only a track read from a DeepLabCut CSV can be written as one")
    d = track.source.details  # type: ignore[union-attr]
    lines = csv_rows.patch_lines(d["lines"], d["cells"], track.points, lambda v: f"{v:.4f}")
    csv_rows.write_lines(path, lines)

"""CSV tables kept as their original lines, so a writer can change only the x/y cells.

A reader records, for each (frame row t, point k), the line holding the point and the
columns of its x and y; the writer rewrites those cells and leaves every other cell (other
columns, spacing after commas as OpenFace writes) as it was. A NaN new value leaves the
original cell unchanged (the format's own "missing" stays what it was).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowmark_core.landmarks.reading import bad


def split(line: str) -> list[str]:
    """The cells of one CSV line (quotes understood, spaces kept)."""
    return next(csv.reader([line]), [])


def join(cells: list[str]) -> str:
    """One CSV line of `cells` (quoted only where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def read_rows(path: Path, text: str) -> list[str]:
    """The non-empty lines of a CSV text (an empty file is an error)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise bad(path, "is empty")
    return lines


@dataclass(frozen=True)
class CellMap:
    """Where each point's x and y are in the lines of a table.

    Shape:
        line_of: (T, K) int, -1 where the point has no cell; x_col, y_col: (K,) int.
    """

    line_of: np.ndarray
    x_col: np.ndarray
    y_col: np.ndarray


def patch_lines(
    lines: list[str],
    cells: CellMap,
    values: np.ndarray,
    fmt: Callable[[float], str],
) -> list[str]:
    """`lines` with the x/y cells of `cells` replaced by `values` (NaN: cell unchanged).

    Shape:
        values: (T, K, 2) in the file's own units.
    """
    edits: dict[int, list[tuple[int, float]]] = {}
    t_idx, k_idx = np.nonzero(cells.line_of >= 0)
    for t, k in zip(t_idx.tolist(), k_idx.tolist()):
        line = int(cells.line_of[t, k])
        x, y = values[t, k]
        if np.isfinite(x) and np.isfinite(y):
            edits.setdefault(line, []).extend(
                ((int(cells.x_col[k]), float(x)), (int(cells.y_col[k]), float(y)))
            )
    out = list(lines)
    for line, changes in edits.items():
        row = split(out[line])
        for col, value in changes:
            old = row[col]
            row[col] = old[: len(old) - len(old.lstrip())] + fmt(value)
        out[line] = join(row)
    return out


def write_lines(path: Path, lines: list[str]) -> None:
    """Write `lines` with newline endings."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

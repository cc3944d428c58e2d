"""Track formats: names, detection by extension and content, reading and atomic writing.

`read_track(path)` finds the format (or takes `format=`), `write_track(track, path)` writes
in the track's own format by default, atomically: a file through a temporary beside it, a
folder (OpenPose, .pts) built under a temporary name and renamed; an existing output folder
is refused, never merged into.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from pathlib import Path
from types import ModuleType

from flowmark_core.errors import InputFileError, OutputFileError
from flowmark_core.landmarks import (
    csv_rows,
    deeplabcut,
    mediapipe_csv,
    mediapipe_json,
    npz_format,
    openface,
    openpose,
    plain_csv,
    pts,
)
from flowmark_core.landmarks.reading import ReadOptions, bad, read_text
from flowmark_core.landmarks.track import DetectorTrack

_MODULES: dict[str, ModuleType] = {
    "mediapipe-json": mediapipe_json,
    "mediapipe-csv": mediapipe_csv,
    "openface": openface,
    "openpose": openpose,
    "pts": pts,
    "deeplabcut": deeplabcut,
    "csv": plain_csv,
    "npz": npz_format,
}
#: Every format name (the values of `--format`).
FORMATS: tuple[str, ...] = tuple(_MODULES)
#: Formats stored as a folder of per-frame files.
FOLDER_FORMATS: tuple[str, ...] = ("openpose", "pts")
#: The file extension of each file format.
EXTENSIONS: dict[str, str] = {
    "mediapipe-json": ".json",
    "mediapipe-csv": ".csv",
    "openface": ".csv",
    "deeplabcut": ".csv",
    "csv": ".csv",
    "npz": ".npz",
}


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of a track file or folder, from its extension and its content.

    Raises:
        InputFileError: missing path, or nothing recognisable.
    """
    p = Path(path)
    if not p.exists():
        raise bad(p, "no such file or folder")
    if p.is_dir():
        if any(p.glob("*.pts")):
            return "pts"
        if openpose.json_files(p):
            return "openpose"
        raise bad(p, "folder without .pts or OpenPose .json files")
    ext = p.suffix.lower()
    if ext in (".npz", ".pts"):
        return ext[1:]
    if ext in (".h5", ".hdf5"):
        raise bad(p, "DeepLabCut .h5 files are not read (no pandas/PyTables); export a CSV")
    if ext == ".json":
        try:
            doc = json.loads(read_text(p))
        except json.JSONDecodeError as exc:
            raise bad(p, f"is not valid JSON ({exc})") from None
        if openpose.looks_like(doc):
            return "openpose"
        if mediapipe_json.looks_like(doc):
            return "mediapipe-json"
        raise bad(p, "JSON is neither MediaPipe landmarks nor OpenPose keypoints")
    if ext in (".csv", ".txt"):
        return _csv_format(p)
    raise bad(p, f"unknown track format {ext or '(no extension)'!r}; {_allowed()}")


def _csv_format(p: Path) -> str:
    with p.open(encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    cells = csv_rows.split(first) if first.strip() else []
    if not cells:
        raise bad(p, "is empty")
    if deeplabcut.looks_like(cells[0]):
        return "deeplabcut"
    header = [c.strip().lower() for c in cells]
    if openface.looks_like(header):
        return "openface"
    if mediapipe_csv.looks_like(header):
        return "mediapipe-csv"
    if plain_csv.looks_like(header):
        return "csv"
    raise bad(p, f"CSV header {first.strip()[:60]!r} matches no known track layout; {_allowed()}")


def _allowed() -> str:
    return f"known formats: {', '.join(FORMATS)} (see docs/jitter-lab.md)"


def read_track(
    path: str | os.PathLike[str],
    format: str | None = None,
    frame_size: tuple[int, int] | None = None,
    fps: float | None = None,
) -> DetectorTrack:
    """Read a track; `format` None detects it. Errors are one-line `InputFileError`s.

    Args:
        frame_size: the video's (width, height), for normalised coordinates.
        fps: the video's frame rate, for formats that do not store one.
    """
    p = Path(path)
    name = detect_format(p) if format is None else format
    if name not in _MODULES:
        raise InputFileError(f"--format {name!r}: unknown; {_allowed()}")
    if not p.exists():
        raise bad(p, "no such file or folder")
    return _MODULES[name].read(p, ReadOptions(frame_size=frame_size, fps=fps))


def output_format(path: str | os.PathLike[str]) -> str:
    """The format a new track file gets from its extension (.csv, .json, .npz)."""
    ext = Path(path).suffix.lower()
    found = {".csv": "csv", ".json": "mediapipe-json", ".npz": "npz"}.get(ext)
    if found is None:
        raise OutputFileError(f"{path}: expected a .csv, .json or .npz output file")
    return found


def check_output(path: str | os.PathLike[str], format: str) -> None:
    """Before any work: the output suits `format` (extension, or a new folder)."""
    p = Path(path)
    if format in FOLDER_FORMATS:
        if p.exists():
            raise OutputFileError(f"{p}: exists; {format} tracks are written to a new folder")
    elif p.suffix.lower() != EXTENSIONS[format]:
        raise OutputFileError(f"{p}: a {format} track is written to a {EXTENSIONS[format]} file")
    if not p.resolve().parent.is_dir():
        raise OutputFileError(f"{p}: output folder {p.resolve().parent} does not exist")


def write_track(
    track: DetectorTrack, path: str | os.PathLike[str], format: str | None = None
) -> None:
    """Write `track` atomically in `format` (default: its source format, else from `path`).

    Raises:
        OutputFileError: the format cannot hold this track, or the output cannot be written.
    """
    from flowmark_core.io.atomic import atomic_output

    p = Path(path)
    name = format or track.format or output_format(p)
    check_output(p, name)
    module = _MODULES[name]
    try:
        if name in FOLDER_FORMATS:
            _write_folder(module, track, p)
        else:
            with atomic_output(p) as tmp:
                module.write(track, tmp)
    except ValueError as exc:
        raise OutputFileError(f"{p}: {exc}") from None


def _write_folder(module: ModuleType, track: DetectorTrack, target: Path) -> None:
    tmp = target.resolve().parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        module.write(track, tmp)
        os.rename(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise

"""The presented duration of an mp4/mov video track, read from the container's own boxes.

A track's sample table may hold more frames than it shows: an edit list can present only
part of it (a clip trimmed without re-encoding). FFmpeg honours the edit list when it
decodes, but the frame count OpenCV reports is the sample count, so such a file "decodes
short" of its header without being damaged. The video track's header (`tkhd`) states the
presented duration, edits included; that duration times the frame rate is the number of
frames a player shows. Only the boxes on the way are read (`moov` is small), never `mdat`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

#: Larger `moov` boxes are not read (a real one holds sample tables: kilobytes to a few MB).
MAX_MOOV_BYTES = 64 * 1024 * 1024
_UNKNOWN_32 = 0xFFFFFFFF
_UNKNOWN_64 = 0xFFFFFFFFFFFFFFFF


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """The boxes in `data[start:end]`: (type, content start, content end)."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > end:
                return
            size = struct.unpack_from(">Q", data, at + 8)[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at + header, at + size
        at += size


def _find(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, lo, hi in _children(data, start, end):
        if found == kind:
            return lo, hi
    return None


def _read_moov(path: Path) -> bytes | None:
    """The content of the file's top-level `moov` box, or None."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        length = f.tell()
        at = 0
        while at + 8 <= length:
            f.seek(at)
            head = f.read(16)
            if len(head) < 8:
                return None
            size, kind = struct.unpack_from(">I4s", head)
            header = 8
            if size == 1:
                if len(head) < 16:
                    return None
                size, header = struct.unpack_from(">Q", head, 8)[0], 16
            elif size == 0:
                size = length - at
            if size < header:
                return None
            if kind == b"moov":
                if size - header > MAX_MOOV_BYTES:
                    return None
                f.seek(at + header)
                return f.read(size - header)
            at += size
    return None


def _duration(data: bytes, lo: int, hi: int, v0_at: int, v1_at: int) -> int | None:
    """A duration field of a full box (`mvhd`, `tkhd`, `mdhd`) by its version."""
    if hi - lo < 4:
        return None
    version = data[lo]
    at, fmt, unknown = (v1_at, ">Q", _UNKNOWN_64) if version == 1 else (v0_at, ">I", _UNKNOWN_32)
    if lo + at + struct.calcsize(fmt) > hi:
        return None
    value = struct.unpack_from(fmt, data, lo + at)[0]
    return None if value == unknown else int(value)


def video_track_seconds(path: str | Path) -> float | None:
    """Presented duration (s) of the first video track of an mp4/mov file, edits included.

    None when the file has no readable `moov`, no video track, or no stated duration.
    """
    try:
        moov = _read_moov(Path(path))
    except OSError:
        return None
    if moov is None:
        return None
    mvhd = _find(moov, 0, len(moov), b"mvhd")
    if mvhd is None or mvhd[1] - mvhd[0] < 24:
        return None
    version = moov[mvhd[0]]
    timescale = struct.unpack_from(">I", moov, mvhd[0] + (20 if version == 1 else 12))[0]
    if timescale <= 0:
        return None
    for kind, lo, hi in _children(moov, 0, len(moov)):
        if kind != b"trak":
            continue
        mdia = _find(moov, lo, hi, b"mdia")
        hdlr = None if mdia is None else _find(moov, mdia[0], mdia[1], b"hdlr")
        if hdlr is None or moov[hdlr[0] + 8 : hdlr[0] + 12] != b"vide":
            continue
        tkhd = _find(moov, lo, hi, b"tkhd")
        duration = None if tkhd is None else _duration(moov, *tkhd, v0_at=20, v1_at=28)
        return None if not duration else duration / timescale
    return None

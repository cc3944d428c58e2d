"""MediaPipe landmarks as JSON: the per-frame lists people write from the Python API, and
flowmark's own layout.

Accepted documents (coordinates normalised 0..1 over the image, as MediaPipe gives them):

- a list with one entry per frame; an entry is either the frame's landmark list or an
  object holding it under `landmarks`, `face_landmarks`, `pose_landmarks`, `hand_landmarks`,
  `multi_face_landmarks` or `multi_hand_landmarks` (a list of faces/hands: the first is
  used), next to optional `frame`/`frame_index` and `timestamp` (s) or `timestamp_ms`;
- flowmark's layout: an object with `frames` (as above) and optional `image_width`,
  `image_height`, `fps`, `detector`, `names`, `groups`.

A landmark is an object with `x`, `y` and optional `z`, `visibility`, `presence` (or a
protobuf-style `{"landmark": [...]}` wrapper). A frame without a detection is `null` or
`[]`. Without `names`, the point count must be MediaPipe's: 468/478 (face mesh), 33 (pose)
or 21 (hands). Writing back keeps the layout, the other keys of each frame and each
landmark's z/visibility/presence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.landmarks.reading import (
    ReadOptions,
    bad,
    check_points,
    normalised_to_pixels,
    pixels_to_normalised,
    read_text,
    require_size,
)
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "mediapipe-json"
LANDMARK_KEYS = (
    "landmarks",
    "face_landmarks",
    "pose_landmarks",
    "hand_landmarks",
    "multi_face_landmarks",
    "multi_hand_landmarks",
)
FRAME_KEYS = ("frame", "frame_index", "frame_idx")
TIME_KEYS = (("timestamp_ms", 1e-3), ("timestamp", 1.0), ("time", 1.0))
FLOWMARK_TAG = "flowmark-landmarks"


def looks_like(doc: Any) -> bool:
    """True for a document this reader accepts (by shape, not by content)."""
    if isinstance(doc, dict):
        return isinstance(doc.get("frames"), list)
    return isinstance(doc, list)


def _landmark_list(value: Any) -> tuple[list[dict] | None, bool, bool]:
    """(landmarks, nested, wrapped) of one frame's value; None when it has no detection."""
    nested = wrapped = False
    if isinstance(value, dict) and "landmark" in value:
        value, wrapped = value["landmark"], True
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        first = value[0]
        if isinstance(first, list) or (isinstance(first, dict) and "landmark" in first):
            nested = True
            value = first["landmark"] if isinstance(first, dict) else first
            wrapped = wrapped or isinstance(first, dict)
    if not value:
        return None, nested, wrapped
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise ValueError("expected a list of landmark objects with x and y")
    return value, nested, wrapped


def _split_frame(entry: Any) -> tuple[Any, dict | None, str | None]:
    """(landmark value, the frame's other keys or None for a bare list, landmark key)."""
    if isinstance(entry, dict):
        key = next((k for k in LANDMARK_KEYS if k in entry), None)
        if key is None and "landmark" in entry:
            return entry, None, None
        rest = {k: v for k, v in entry.items() if k != key}
        return (entry.get(key) if key else None), rest, key
    return entry, None, None


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read MediaPipe landmarks JSON (see the module docstring for the layouts)."""
    try:
        doc = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise bad(path, f"is not valid JSON ({exc})") from None
    return from_document(path, doc, options)


def from_document(path: Path, doc: Any, options: ReadOptions) -> DetectorTrack:
    """Build the track of a parsed MediaPipe JSON document."""
    if not looks_like(doc):
        raise bad(path, "expected a list of frames or an object with 'frames' (MediaPipe JSON)")
    top = {k: v for k, v in doc.items() if k != "frames"} if isinstance(doc, dict) else None
    entries = doc["frames"] if isinstance(doc, dict) else doc
    if not entries:
        raise bad(path, "has no frames")
    parsed, rests, keys = [], [], set()
    nested = wrapped = False
    for t, entry in enumerate(entries):
        value, rest, key = _split_frame(entry)
        try:
            marks, n, w = _landmark_list(value)
        except ValueError as exc:
            raise bad(path, f"frame entry {t}: {exc}") from None
        nested, wrapped = nested or n, wrapped or w
        parsed.append(marks)
        rests.append(rest)
        keys.add(key)
    counts = {len(m) for m in parsed if m is not None}
    if len(counts) > 1:
        raise bad(path, f"frames have different landmark counts: {sorted(counts)}")
    if not counts:
        raise bad(path, "no landmark in any frame (every frame is empty)")
    count = counts.pop()
    names, groups, detector = _layout(path, top, count)
    first = next(m for m in parsed if m is not None)
    point_keys = list(first[0].keys())
    if "x" not in point_keys or "y" not in point_keys:
        raise bad(path, "landmarks need 'x' and 'y'")
    extras = {k: np.full((len(parsed), count), np.nan) for k in point_keys if k not in ("x", "y")}
    norm = np.full((len(parsed), count, 2), np.nan)
    for t, marks in enumerate(parsed):
        for k, mark in enumerate(marks or ()):
            norm[t, k] = _num(mark.get("x")), _num(mark.get("y"))
            for key, arr in extras.items():
                arr[t, k] = _num(mark.get(key))
    size = _size(top) or options.frame_size
    size = require_size(path, size, "MediaPipe")
    points = normalised_to_pixels(norm, size)
    check_points(path, points)
    frames, stamps = _frames_and_times(path, rests)
    confidence = extras.get("visibility", extras.get("presence"))
    details = {
        "top": top,
        "rests": rests,
        "key": next(iter(keys)) if len(keys) == 1 else "landmarks",
        "nested": nested,
        "wrapped": wrapped,
        "point_keys": point_keys,
        "extras": extras,
        "normalised": norm,
        "missing": [e if m is None else None for e, m in zip(entries, parsed)],
    }
    fps = top.get("fps") if top else None
    return DetectorTrack(
        points,
        names=names,
        confidence=confidence,
        groups=groups,
        detector=str(top.get("detector", detector)) if top else detector,
        fps=float(fps) if isinstance(fps, (int, float)) else options.fps,
        frame_size=size,
        frame_indices=frames,
        timestamps=stamps,
        source=SourceLayout(FORMAT, details),
    )


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else np.nan


def _layout(
    path: Path, top: dict | None, count: int
) -> tuple[tuple[str, ...], Mapping[str, Any], str]:
    if top and isinstance(top.get("names"), list):
        names = tuple(str(n) for n in top["names"])
        if len(names) != count:
            raise bad(path, f"'names' has {len(names)} entries for {count} landmarks per frame")
        groups = top.get("groups")
        return names, groups if isinstance(groups, dict) else {}, "unknown"
    known = mediapipe_layout(count)
    if known is None:
        raise bad(
            path,
            f"{count} landmarks per frame; expected 468 or 478 (face mesh), 33 (pose) or "
            "21 (hands)",
        )
    detector, names, groups = known
    return names, dict(groups), detector


def _size(top: dict | None) -> tuple[int, int] | None:
    if not top:
        return None
    for wk, hk in (("image_width", "image_height"), ("width", "height")):
        w, h = top.get(wk), top.get(hk)
        if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
            return w, h
    return None


def _frames_and_times(path: Path, rests: list[dict | None]) -> tuple[np.ndarray, Any]:
    frames = np.arange(len(rests), dtype=np.int64)
    fkey = next((k for k in FRAME_KEYS if rests[0] and k in rests[0]), None)
    if fkey is not None:
        try:
            frames = np.array([int(r[fkey]) for r in rests], dtype=np.int64)  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            raise bad(path, f"every frame needs an integer {fkey!r}") from None
        if len(frames) > 1 and np.any(np.diff(frames) <= 0):
            raise bad(path, f"{fkey!r} values must increase from frame to frame")
    for key, scale in TIME_KEYS:
        if rests[0] and key in rests[0]:
            values = [r.get(key) if r else None for r in rests]
            if all(isinstance(v, (int, float)) for v in values):
                return frames, np.array(values, dtype=np.float64) * scale
    return frames, None


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` as MediaPipe JSON: its source layout, or flowmark's layout."""
    if track.frame_size is None:
        raise ValueError("a MediaPipe JSON track needs the frame size")
    norm = pixels_to_normalised(track.points, track.frame_size)
    with path.open("w", encoding="utf-8") as out:
        if track.format == FORMAT:
            json.dump(_patched(track, norm), out)
        else:
            _write_fresh(track, norm, out)


def _marks(xy: np.ndarray, extras: Mapping[str, np.ndarray], keys: list[str]) -> list[dict]:
    out = []
    for k in range(xy.shape[0]):
        mark: dict[str, float | None] = {}
        for key in keys:
            value = xy[k, ("x", "y").index(key)] if key in ("x", "y") else extras[key][k]
            mark[key] = round(float(value), 7) if np.isfinite(value) else None
        out.append(mark)
    return out


def _patched(track: DetectorTrack, norm: np.ndarray) -> Any:
    d: dict[str, Any] = dict(track.source.details)  # type: ignore[union-attr]
    norm = np.where(np.isfinite(norm), norm, d["normalised"])
    frames = []
    for t in range(track.num_frames):
        if d["missing"][t] is not None or not np.isfinite(norm[t]).any():
            frames.append(d["missing"][t] if d["missing"][t] is not None else _empty(d, t))
            continue
        extras = {key: arr[t] for key, arr in d["extras"].items()}
        value: Any = _marks(norm[t], extras, d["point_keys"])
        if d["wrapped"]:
            value = {"landmark": value}
        if d["nested"]:
            value = [value]
        rest = d["rests"][t]
        frames.append(value if rest is None else {**rest, d["key"]: value})
    return frames if d["top"] is None else {**d["top"], "frames": frames}


def _empty(d: dict, t: int) -> Any:
    rest = d["rests"][t]
    return [] if rest is None else {**rest, d["key"]: []}


def _write_fresh(track: DetectorTrack, norm: np.ndarray, out: TextIO) -> None:
    """flowmark's layout, written frame by frame (a long face-mesh track is millions of
    landmark objects: never all in memory at once)."""
    w, h = track.frame_size  # type: ignore[misc]
    head = {
        "format": FLOWMARK_TAG,
        "version": 1,
        "detector": track.detector,
        "fps": track.fps,
        "image_width": w,
        "image_height": h,
        "names": list(track.names),
        "groups": {g: list(i) for g, i in track.groups.items()},
    }
    out.write(json.dumps(head)[:-1] + ', "frames": [')
    keys = ["x", "y"] + (["visibility"] if track.confidence is not None else [])
    for t, frame in enumerate(track.frame_indices.tolist()):
        entry: dict[str, Any] = {"frame": frame}
        if track.timestamps is not None:
            entry["timestamp"] = round(float(track.timestamps[t]), 6)
        found = np.isfinite(norm[t]).all(axis=1).any()
        extras = {"visibility": track.confidence[t]} if track.confidence is not None else {}
        entry["landmarks"] = _marks(norm[t], extras, keys) if found else []
        out.write(("" if t == 0 else ", ") + json.dumps(entry))
    out.write("]}")

"""OpenPose / DWPose per-frame JSON: a folder of `*_keypoints.json` (or `*.json`) files.

Each file is `{"people": [{"pose_keypoints_2d": [x, y, c, ...], "face_keypoints_2d": [...],
"hand_left_keypoints_2d": [...], "hand_right_keypoints_2d": [...]}]}`; the first person is
read. The parts present in the first frame with a person are concatenated (pose, face, left
hand, right hand; points named `pose/right_shoulder`, `face/face_12`, ...). A triplet with
c = 0 is a missing point. Coordinates are image pixels; files with `canvas_width` and
`canvas_height` whose coordinates all lie in 0..1 (DWPose) are scaled to that canvas. The
frame index is the last number of the file name. Writing back gives the same file names
with only the x, y of found points changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from flowmark_core.landmarks.layouts import (
    HAND21_GROUPS,
    HAND21_NAMES,
    OPENPOSE_BODY25_NAMES,
    OPENPOSE_COCO18_NAMES,
    Groups,
    face68_layout,
    indexed_names,
    openpose_body_groups,
    prefixed,
)
from flowmark_core.landmarks.reading import (
    ReadOptions,
    bad,
    check_points,
    frame_numbers,
    natural_key,
    normalised_to_pixels,
    pixels_to_normalised,
)
from flowmark_core.landmarks.track import DetectorTrack, SourceLayout

FORMAT = "openpose"
PARTS = (
    ("pose", "pose_keypoints_2d"),
    ("face", "face_keypoints_2d"),
    ("hand_left", "hand_left_keypoints_2d"),
    ("hand_right", "hand_right_keypoints_2d"),
)


def json_files(folder: Path) -> list[Path]:
    """The frame files of a folder, in natural order (`*_keypoints.json` first choice)."""
    files = sorted(folder.glob("*_keypoints.json"), key=lambda p: natural_key(p.name))
    return files or sorted(folder.glob("*.json"), key=lambda p: natural_key(p.name))


def looks_like(doc: Any) -> bool:
    """True for an OpenPose frame document."""
    return isinstance(doc, dict) and isinstance(doc.get("people"), list)


def _part_layout(part: str, count: int) -> tuple[tuple[str, ...], Groups]:
    if part == "pose":
        names = {25: OPENPOSE_BODY25_NAMES, 18: OPENPOSE_COCO18_NAMES}.get(count)
        if names is None:
            return indexed_names("point_", count), {}
        return names, dict(openpose_body_groups(names))
    if part == "face":
        return face68_layout(count)
    if count == 21:
        return HAND21_NAMES, dict(HAND21_GROUPS)
    return indexed_names("point_", count), {}


def _load(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(path, f"is not a readable OpenPose JSON file ({exc})") from None
    if not looks_like(doc):
        raise bad(path, "expected an OpenPose JSON object with a 'people' list")
    return doc


def _triplets(path: Path, person: dict, key: str, count: int) -> np.ndarray:
    flat = person.get(key) or []
    if len(flat) != 3 * count:
        raise bad(
            path, f"{key} has {len(flat) // 3} points, expected {count} as in the first frame"
        )
    try:
        return np.asarray(flat, dtype=np.float64).reshape(count, 3)
    except (TypeError, ValueError):
        raise bad(path, f"{key}: expected numbers") from None


def read(path: Path, options: ReadOptions) -> DetectorTrack:
    """Read a folder of OpenPose JSON files (or a single file: one frame)."""
    files = json_files(path) if path.is_dir() else [path]
    if not files:
        raise bad(path, "has no OpenPose .json files")
    docs = [_load(f) for f in files]
    first = next((d["people"][0] for d in docs if d["people"]), None)
    if first is None:
        raise bad(path, "no person in any frame")
    parts = [(p, k, len(first.get(k) or []) // 3) for p, k in PARTS if first.get(k)]
    names: list[str] = []
    groups: dict[str, tuple[int, ...]] = {}
    for part, _key, count in parts:
        part_names, part_groups = _part_layout(part, count)
        groups.update(prefixed(part_groups, part, len(names)))
        names += [f"{part}/{n}" for n in part_names]
    raw = np.zeros((len(docs), len(names), 3))
    for t, (file, doc) in enumerate(zip(files, docs)):
        if not doc["people"]:
            continue
        blocks = [_triplets(file, doc["people"][0], key, count) for _p, key, count in parts]
        raw[t] = np.concatenate(blocks)
    canvas = _canvas(docs[0])
    found = raw[..., 2] > 0
    if canvas is not None and np.all(raw[found][:, :2] <= 1.0):
        xy = normalised_to_pixels(raw[..., :2], canvas)
    else:
        xy, canvas = raw[..., :2].copy(), None
    points = np.where(found[..., None], xy, np.nan)
    check_points(path, points)
    file_names = [f.name for f in files]
    details = {
        "names": file_names,
        "texts": [json.dumps(d) for d in docs],
        "parts": parts,
        "canvas": canvas,
    }
    return DetectorTrack(
        points,
        names=tuple(names),
        confidence=np.where(found, raw[..., 2], np.nan),
        groups=groups,
        detector="openpose",
        fps=options.fps,
        frame_size=canvas,
        frame_indices=frame_numbers(file_names, "_keypoints.json"),
        source=SourceLayout(FORMAT, details),
    )


def _canvas(doc: dict) -> tuple[int, int] | None:
    w, h = doc.get("canvas_width"), doc.get("canvas_height")
    return (w, h) if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0 else None


def write(track: DetectorTrack, path: Path) -> None:
    """Write `track` back as its folder of OpenPose JSON files (`path` a new folder)."""
    if track.format != FORMAT:
        raise ValueError("only a track read from OpenPose JSON can be written as one")
    d = track.source.details  # type: ignore[union-attr]
    values = track.points
    if d["canvas"] is not None:
        values = pixels_to_normalised(values, d["canvas"])
    path.mkdir()
    for t, (name, text) in enumerate(zip(d["names"], d["texts"])):
        doc = json.loads(text)
        if doc["people"]:
            person, start = doc["people"][0], 0
            for _part, key, count in d["parts"]:
                flat = person[key]
                for k in range(count):
                    x, y = values[t, start + k]
                    if flat[3 * k + 2] > 0 and np.isfinite(x) and np.isfinite(y):
                        flat[3 * k], flat[3 * k + 1] = round(float(x), 4), round(float(y), 4)
                start += count
        (path / name).write_text(json.dumps(doc), encoding="utf-8")

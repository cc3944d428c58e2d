"""Portrait-evaluation results as JSON and as a Markdown table (one row per model and clip)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import numpy as np

from flowmark_core.evaluation.portrait import PortraitClipRow, PortraitResults
from flowmark_core.metrics.region_follow import REGIONS

FORMAT_TAG = "flowmark-portrait-evaluation-v1"


def _pooled(rows: list[PortraitClipRow]) -> dict[str, float | None]:
    """Frame-weighted means of every numeric measure over a model's clips (None skipped)."""

    def mean(values: list[tuple[float | None, int]]) -> float | None:
        kept = [(v, n) for v, n in values if v is not None]
        if not kept:
            return None
        return float(np.average([v for v, _ in kept], weights=[n for _, n in kept]))

    out: dict[str, float | None] = {"face_found": mean([(r.face_found, r.frames) for r in rows])}
    for key in rows[0].follow:
        out[key] = mean([(r.follow[key], r.frames) for r in rows])
    for key in ("colour_still", "colour_face", "contrast_face", "sharpness_face", "seam"):
        out[key] = mean([(getattr(r, key), r.frames) for r in rows])
    return out


def portrait_to_dict(results: PortraitResults) -> dict[str, Any]:
    """A JSON-ready dict: every per-clip row and each model's frame-weighted pooled row."""
    out = asdict(results)
    out["format"] = FORMAT_TAG
    out["pooled"] = {
        model: _pooled([r for r in results.rows if r.model == model]) for model in results.models
    }
    return out


def portrait_json(results: PortraitResults) -> str:
    """The results as indented JSON (no NaN: undefined values are null)."""
    return json.dumps(portrait_to_dict(results), indent=2, allow_nan=False) + "\n"


def _cell(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def portrait_markdown(results: PortraitResults) -> str:
    """One table: per (model, clip) the follow r (range ratio) of each region, the face found,
    colour shifts (0..255), face contrast and sharpness vs the photo, seam ratio."""
    head = ["model", "clip", "frames", "face found"]
    head += [f"{name} r (range)" for name in REGIONS]
    head += ["colour still", "colour face", "contrast", "sharpness", "seam"]
    lines = [
        f"Portrait `{results.portrait}` driven by {len({r.clip for r in results.rows})} clip(s).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * 2 + "---:|" * (len(head) - 2),
    ]
    pooled = portrait_to_dict(results)["pooled"]
    rows = [(r.model, r.clip, r.frames, r.face_found, r.follow, asdict(r)) for r in results.rows]
    for model in results.models:
        p = pooled[model]
        frames = sum(r.frames for r in results.rows if r.model == model)
        rows.append((model, "**all (frame-weighted)**", frames, p["face_found"], p, p))
    for model, clip, frames, found, follow, rest in rows:
        cells = [model, clip, str(frames), _cell(found)]
        cells += [f"{_cell(follow[f'{n}_r'])} ({_cell(follow[f'{n}_range'])})" for n in REGIONS]
        cells += [_cell(rest["colour_still"], 1), _cell(rest["colour_face"], 1)]
        cells += [_cell(rest["contrast_face"]), _cell(rest["sharpness_face"]), _cell(rest["seam"])]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *[f"- {note}" for note in results.notes]]
    return "\n".join(lines) + "\n"

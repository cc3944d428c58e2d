"""`evaluate --task portrait`: which clips it reads, and how rows are pooled and written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmark_core.cli.evaluate_portrait import clip_paths
from flowmark_core.errors import InputFileError
from flowmark_core.evaluation.portrait import PortraitClipRow, PortraitResults
from flowmark_core.evaluation.portrait_report import portrait_json, portrait_markdown
from flowmark_core.metrics.region_follow import REGIONS


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_clips_come_from_a_folder_a_list_or_one_file(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    b, a10, a2 = (_touch(folder / n) for n in ("b.mp4", "a10.mp4", "a2.mp4"))
    assert clip_paths(folder) == [a2, a10, b]  # natural order
    assert clip_paths(folder, max_videos=1) == [a2]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# held out\nclips/b.mp4\n\n{a2}\n", encoding="utf-8")
    assert clip_paths(listing) == [b, a2]  # relative to the list, or absolute
    assert clip_paths(b) == [b]
    listing.write_text("clips/missing.mp4\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing.mp4"):
        clip_paths(listing)
    with pytest.raises(InputFileError):
        clip_paths(tmp_path / "nothing")


def _row(clip: str, frames: int, mouth_r: float | None, seam: float | None) -> PortraitClipRow:
    follow: dict[str, float | None] = {}
    for name in REGIONS:
        follow[f"{name}_r"], follow[f"{name}_range"] = 0.5, 1.0
    follow["mouth_r"] = mouth_r
    return PortraitClipRow(
        model="m", clip=clip, frames=frames, face_found=1.0 if frames == 10 else 0.5,
        follow=follow, colour_still=2.0, colour_still_rgb=(2.0, -1.0, 0.0), colour_face=1.0,
        colour_face_rgb=(1.0, 0.0, 0.0), contrast_face=1.0, sharpness_face=0.8, seam=seam,
    )  # fmt: skip


def test_rows_pool_frame_weighted_skipping_undefined_values() -> None:
    results = PortraitResults(
        "photo.jpg",
        ("m",),
        (_row("a/x", 10, 0.2, 1.0), _row("a/y", 30, 0.6, None), _row("a/z", 20, None, 2.0)),
    )
    data = json.loads(portrait_json(results))
    pooled = data["pooled"]["m"]
    assert pooled["mouth_r"] == pytest.approx((10 * 0.2 + 30 * 0.6) / 40)
    assert pooled["face_found"] == pytest.approx((10 * 1.0 + 50 * 0.5) / 60)
    assert pooled["seam"] == pytest.approx((10 * 1.0 + 20 * 2.0) / 30)
    assert [r["clip"] for r in data["rows"]] == ["a/x", "a/y", "a/z"]
    text = portrait_markdown(results)
    assert "| m | a/z | 20 | 0.50 | — (1.00) |" in text
    assert "| m | **all (frame-weighted)** | 60 | 0.58 | 0.50 (1.00) |" in text

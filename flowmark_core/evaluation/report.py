"""Evaluation results as a Markdown table, and the results.json / results.md pair on disk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from flowmark_core.errors import OutputFileError
from flowmark_core.evaluation.results import EvaluationResults, VariantResult
from flowmark_core.io.atomic import atomic_output
from flowmark_core.io.output_set import OutputSet

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
MISSING = "—"


def _number(digits: int, scale: float = 1.0) -> Callable[[float | int | None], str]:
    def fmt(value: float | int | None) -> str:
        return MISSING if value is None else f"{float(value) * scale:.{digits}f}"

    return fmt


# (header, row attribute, formatter); ↓ marks lower-is-better.
COLUMNS: tuple[tuple[str, str, Callable[[float | int | None], str]], ...] = (
    ("L1 ↓", "l1", _number(4)),
    ("identity L1", "identity_l1", _number(4)),
    ("AKD ↓ (px)", "akd", _number(2)),
    ("MKR ↓ (%)", "mkr", _number(1, 100.0)),
    ("AED ↓", "aed", _number(3)),
    ("NME ↓ (%)", "nme", _number(2, 100.0)),
    ("NMJ ↓ (%)", "nmj", _number(2, 100.0)),
    ("flow residual ↓ (px)", "flow_residual", _number(3)),
    ("accel. ↓ (px/f²)", "acceleration", _number(3)),
)

# Shown only when some row has them (videos scored against the face-mesh reference).
REFERENCE_COLUMNS: tuple[tuple[str, str, Callable[[float | int | None], str]], ...] = (
    ("ref NME ↓ (% IOD)", "ref_nme", _number(2, 100.0)),
    ("ref NMJ ↓ (% IOD)", "ref_nmj", _number(2, 100.0)),
    ("ref floor NMJ (% IOD)", "ref_floor_nmj", _number(2, 100.0)),
    ("ref accel. (px/f²)", "ref_acceleration", _number(3)),
)
REFERENCE_LEGEND = (
    "ref NME/NMJ: landmarks mapped linearly from the keypoints (fitted on alternate 10-frame "
    "blocks of each clip) vs the MediaPipe face-mesh reference on the other blocks, in % of "
    "the inter-ocular distance; ref floor NMJ: the reference's own jitter on the clip's first "
    "frame warped along a known smooth path; ref accel.: the reference's own acceleration."
)

LEGEND = (
    "L1: mean |driving − reconstruction| in [0, 1], every frame reconstructed from the first "
    "with its own keypoints (absolute); identity L1: the first frame as prediction. "
    "AKD/MKR/AED: dlib landmarks and identity embeddings, real vs reconstructed. "
    "NME/NMJ: landmarks regressed linearly from the keypoints (fitted on train/) vs ground "
    "truth, in % of the landmark box size. Flow residual: how far keypoints move differently "
    "from the DIS optical flow under them; accel.: mean second difference of the keypoint "
    "track. Pixel values at the model size. See docs/evaluation.md."
)


def _has_reference(rows: Sequence[VariantResult]) -> bool:
    return any(getattr(r, c[1]) is not None for r in rows for c in REFERENCE_COLUMNS)


def markdown_table(rows: Sequence[VariantResult]) -> str:
    """One Markdown table, a row per (model, stabiliser)."""
    columns = COLUMNS + (REFERENCE_COLUMNS if _has_reference(rows) else ())
    headers = ["model", "stabiliser", *(c[0] for c in columns)]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(["---", "---"] + ["---:"] * len(columns)) + "|",
    ]
    for row in rows:
        cells = [row.model, row.stabilizer, *(fmt(getattr(row, attr)) for _, attr, fmt in columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _protocol_line(results: EvaluationResults) -> str:
    first = results.rows[0] if results.rows else None
    opts = results.options
    limits = []
    if opts.get("max_videos") is not None:
        limits.append(f"first {opts['max_videos']} videos")
    if opts.get("max_frames") is not None:
        limits.append(f"first {opts['max_frames']} frames each")
    kind = "videos without ground truth" if opts.get("protocol") == "no-truth" else "test videos"
    extent = f"{first.videos} {kind}, {first.frames} frames" if first is not None else "no rows"
    return f"Data: `{results.data_dir}` — {extent}" + (f" ({', '.join(limits)})" if limits else "")


def markdown_report(results: EvaluationResults) -> str:
    """The table with a line on the data evaluated, skip reasons, notes and a legend."""
    parts = [
        "## Evaluation results\n",
        _protocol_line(results) + ".\n",
        markdown_table(results.rows),
    ]
    for group, reason in sorted(results.skipped.items()):
        parts.append(f"- Skipped ({group}): {reason}\n")
    for note in results.notes:
        parts.append(f"- Note: {note}\n")
    parts.append("\n" + LEGEND + "\n")
    if _has_reference(results.rows):
        parts.append(REFERENCE_LEGEND + "\n")
    return "\n".join(parts)


def write_results(results: EvaluationResults, out_dir: str | Path) -> tuple[Path, Path]:
    """Write `results.json` and `results.md` into `out_dir` (created if needed), atomically.

    Returns:
        The two paths written.

    Raises:
        OutputFileError: `out_dir` is a file or cannot be created.
    """
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputFileError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"{folder}: cannot create the output folder ({exc})") from None
    json_path, md_path = folder / RESULTS_JSON, folder / RESULTS_MD
    with OutputSet() as together:  # both files of one run, or neither
        with atomic_output(json_path, group=together) as tmp:
            tmp.write_text(results.to_json(), encoding="utf-8")
        with atomic_output(md_path, group=together) as tmp:
            tmp.write_text(markdown_report(results), encoding="utf-8")
        together.commit()
    return json_path, md_path

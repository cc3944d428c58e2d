"""Evaluation results as dataclasses, and their JSON form.

A metric is None when it was not computed (its reason is in `EvaluationResults.skipped`) or
is undefined on the data (e.g. AKD when dlib found no face in any generated frame). JSON has
no NaN, so undefined values are written as null.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from flowmark_core.errors import InputFileError

FORMAT_TAG = "flowmark-evaluation-v1"


def finite_or_none(value: float | None) -> float | None:
    """`value` as a float, or None when it is None, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class VideoMetrics:
    """Metrics of one test video under one (model, stabiliser); see `VariantResult`."""

    name: str
    frames: int
    l1: float
    identity_l1: float
    nme: float | None = None
    nmj: float | None = None
    flow_residual: float | None = None
    acceleration: float | None = None
    ref_nme: float | None = None
    ref_nmj: float | None = None
    ref_floor_nmj: float | None = None
    ref_acceleration: float | None = None
    akd: float | None = None
    aed: float | None = None


@dataclass(frozen=True)
class VariantResult:
    """One row of the results table: a model evaluated with one inference-time stabiliser.

    Attributes:
        model: short label of the model (file stem, or its folder for `model.safetensors`).
        model_path: the checkpoint evaluated.
        stabilizer: "none", "one-euro" or "flow".
        image_size: model input size S (px); L1, flow residual, acceleration are at S x S.
        num_kp: number of keypoints K.
        videos, frames: test videos and frames evaluated.
        l1: mean |driving - reconstruction| in [0, 1] over every frame, pixel and channel.
        identity_l1: the same with the source frame as prediction (a do-nothing baseline).
        akd: average keypoint distance (px at S) of dlib landmarks, real vs reconstructed.
        mkr: missing keypoint rate of the reconstructions, in [0, 1].
        aed: average dlib identity-embedding distance, real vs reconstructed.
        face_frames: frames with a face found by dlib in both the real and reconstructed frame.
        nme: normalised mean error of regressed landmarks vs ground truth (fraction of box).
        nmj: normalised mean jitter of regressed landmarks vs ground truth (fraction of box).
        flow_residual: mean |x_{t+1} - (x_t + F_t(x_t))| in px at S.
        acceleration: mean |x_{t+1} - 2 x_t + x_{t-1}| in px/frame² at S.
        ref_nme, ref_nmj: on videos without ground truth, landmark-follow error and jitter
            against the MediaPipe face-mesh reference (linear map fitted on half the frames,
            scored on the other half), in fractions of the inter-ocular distance.
        ref_floor_nmj: the reference's own jitter on each video's first frame warped along a
            known path (what ref_nmj cannot go below), same units.
        ref_acceleration: the reference landmarks' own acceleration, px/frame² at S.
        per_video: the metrics of each video.
    """

    model: str
    model_path: str
    stabilizer: str
    image_size: int
    num_kp: int
    videos: int
    frames: int
    l1: float
    identity_l1: float
    akd: float | None = None
    mkr: float | None = None
    aed: float | None = None
    face_frames: int | None = None
    nme: float | None = None
    nmj: float | None = None
    flow_residual: float | None = None
    acceleration: float | None = None
    ref_nme: float | None = None
    ref_nmj: float | None = None
    ref_floor_nmj: float | None = None
    ref_acceleration: float | None = None
    per_video: tuple[VideoMetrics, ...] = ()

    @property
    def label(self) -> str:
        """The row's name in tables and plots: "model / stabiliser"."""
        return f"{self.model} / {self.stabilizer}"


@dataclass(frozen=True)
class EvaluationResults:
    """Everything one `flowmark evaluate` run measured.

    Attributes:
        data_dir: the data set evaluated (its test/ split).
        options: the `EvalOptions` used, as a dict.
        rows: one `VariantResult` per (model, stabiliser), models in the order given.
        skipped: metric group ("face", "landmarks") -> why it was not computed.
        notes: other remarks (e.g. videos without ground truth).
    """

    data_dir: str
    options: dict[str, Any]
    rows: tuple[VariantResult, ...]
    skipped: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists, NaN never appears)."""
        out = asdict(self)
        out["format"] = FORMAT_TAG
        return out

    def to_json(self) -> str:
        """The results as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResults:
        """Rebuild results from `to_dict` output (e.g. a loaded results.json)."""
        rows = []
        for row in data["rows"]:
            video_keys = {f.name for f in fields(VideoMetrics)}
            videos = tuple(
                VideoMetrics(**{k: v[k] for k in video_keys if k in v})
                for v in row.get("per_video", ())
            )
            known = {f.name for f in fields(VariantResult)} - {"per_video"}
            rows.append(VariantResult(**{k: row[k] for k in known if k in row}, per_video=videos))
        return cls(
            data_dir=data["data_dir"],
            options=dict(data.get("options", {})),
            rows=tuple(rows),
            skipped=dict(data.get("skipped", {})),
            notes=tuple(data.get("notes", ())),
        )


def load_results(path: str | Path) -> EvaluationResults:
    """Read a results.json written by `flowmark evaluate`.

    Raises:
        InputFileError: the file is missing, not JSON or not evaluation results.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{p}: cannot read evaluation results ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_TAG:
        raise InputFileError(f"{p}: not a flowmark evaluation results file")
    try:
        return EvaluationResults.from_dict(data)
    except (KeyError, TypeError) as exc:
        raise InputFileError(f"{p}: evaluation results are incomplete ({exc})") from None

"""Model evaluation on a data set's test split: the published metrics, landmark accuracy and
keypoint stability, per model and inference-time stabiliser; JSON and Markdown reports.

Example:
    >>> from flowmark_core.evaluation import EvalOptions, evaluate, write_results  # doctest: +SKIP
    >>> results = evaluate("data/puppets", ["runs/a/model.safetensors"],
    ...                    EvalOptions(stabilizers=("none", "flow")))
    >>> write_results(results, "eval-out")
"""

from __future__ import annotations

from flowmark_core.evaluation.options import EvalOptions
from flowmark_core.evaluation.report import markdown_report, markdown_table, write_results
from flowmark_core.evaluation.results import (
    EvaluationResults,
    VariantResult,
    VideoMetrics,
    load_results,
)
from flowmark_core.evaluation.runner import (
    evaluate,
    evaluate_animator,
    model_labels,
    planned_frames,
    test_videos,
)
from flowmark_core.evaluation.trajectories import VideoTrajectories, video_trajectories

__all__ = [
    "EvalOptions",
    "EvaluationResults",
    "VariantResult",
    "VideoMetrics",
    "VideoTrajectories",
    "evaluate",
    "evaluate_animator",
    "load_results",
    "markdown_report",
    "markdown_table",
    "model_labels",
    "planned_frames",
    "test_videos",
    "video_trajectories",
    "write_results",
]

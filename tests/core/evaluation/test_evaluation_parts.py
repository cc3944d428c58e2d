"""Pieces of the evaluation: pooling, labels, options, the JSON round trip and the table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.errors import ConfigError, InputFileError
from flowmark_core.evaluation import (
    EvalOptions,
    EvaluationResults,
    VariantResult,
    VideoMetrics,
    load_results,
    markdown_table,
    model_labels,
    write_results,
)
from flowmark_core.evaluation.accumulate import transition_jitter_squares
from flowmark_core.metrics import nmj


def test_nmj_pooled_over_transitions_equals_nmj_of_one_video() -> None:
    rng = np.random.default_rng(0)
    gt = rng.uniform(10, 50, size=(9, 6, 2))
    pred = gt + rng.normal(0, 1.5, size=gt.shape)
    visible = np.ones((9, 6), bool)
    squares = transition_jitter_squares(pred, gt, visible)
    assert len(squares) == 8
    assert np.sqrt(np.mean(squares)) == pytest.approx(nmj(pred, gt, visible), rel=1e-12)


def test_model_labels_are_short_and_distinct() -> None:
    runs = [Path("runs/flow/model.safetensors"), Path("runs/noflow/model.safetensors")]
    assert model_labels(runs) == ["flow", "noflow"]
    assert model_labels([Path("x/vox.safetensors")]) == ["vox"]
    same = [Path("x/vox.safetensors"), Path("y/vox.safetensors")]
    assert model_labels(same) == [str(p) for p in same]


@pytest.mark.parametrize(
    "kwargs",
    [{"stabilizers": ("kalman",)}, {"stabilizers": ()}, {"max_frames": 0}, {"max_videos": -1}],
)
def test_bad_options_are_config_errors(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        EvalOptions(**kwargs)


def _results() -> EvaluationResults:
    video = VideoMetrics("v0", 8, 0.1, 0.2, nme=0.05, nmj=None)
    row = VariantResult(
        model="m",
        model_path="m.safetensors",
        stabilizer="flow",
        image_size=64,
        num_kp=5,
        videos=1,
        frames=8,
        l1=0.123456,
        identity_l1=0.2,
        mkr=0.25,
        nme=0.0512,
        per_video=(video,),
    )
    return EvaluationResults("data", {"stabilizers": ["flow"]}, (row,), {"face": "no dlib"})


def test_results_round_trip_through_json(tmp_path: Path) -> None:
    results = _results()
    json_path, md_path = write_results(results, tmp_path / "new" / "folder")
    assert load_results(json_path) == results
    assert "| m | flow | 0.1235 | 0.2000 | — | 25.0 | — | 5.12 | — |" in md_path.read_text()


def test_table_has_one_row_per_variant_and_marks_missing_values() -> None:
    table = markdown_table(_results().rows).splitlines()
    assert len(table) == 3 and table[0].startswith("| model | stabiliser |")
    assert table[2].count("—") == 5  # akd, aed, nmj, flow residual, acceleration


def test_loading_other_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"rows": []}')
    with pytest.raises(InputFileError, match="not a flowmark evaluation"):
        load_results(path)

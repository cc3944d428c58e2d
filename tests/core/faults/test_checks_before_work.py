"""Inputs are checked before the work: the evaluation names a bad landmarks.npz
before it loads a model, so the user hears of the bad file first, not after the whole run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program


def test_evaluate_reports_bad_landmarks_before_loading_the_model(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    missing_model = tmp_path / "not-there.safetensors"
    argv = [
        "evaluate",
        str(kit / "data-badlm"),
        "-o",
        str(tmp_path / "ev"),
        "--model",
        str(missing_model),
        "--max-frames",
        "2",
        "--no-face-metrics",
    ]
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    # the model would fail too (it does not exist): the landmarks must be what is named
    check_one_line_failure(err, code, 2, "landmarks.npz")
    assert not (tmp_path / "ev").exists()

"""`flowmark evaluate --task generate` end to end on a tiny synthetic data set."""

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen-eval") / "faces"
    args = ["data", "synth", "--family", "faces", "--videos", "4", "--frames", "7", "--size", "64"]
    assert main([*args, "--test-fraction", "0.5", "--clips-per-id", "1", str(root)]) == 0
    return root


def test_generate_task_writes_every_method(
    tiny_data: Path, generation_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            str(tiny_data),
            "--task",
            "generate",
            "--model",
            str(generation_files["model"]),
            "--max-frames",
            "6",
            "--samples",
            "2",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    rows = results["methods"]
    assert results["videos"] == 2 and results["options"]["frames"] == 6
    assert rows["true_keypoints"]["track_error_px"] == 0.0
    assert rows["static"]["speed_mean"] == 0.0
    # best of N is never worse than the mean over the same samples
    assert rows["best_of_n"]["track_error_px"] <= rows["samples"]["track_error_px"] + 1e-9
    assert rows["best_of_n"]["l1"] <= rows["samples"]["l1"] + 1e-9
    for m in ("static", "constant_velocity", "samples", "prior_mean", "true_keypoints"):
        assert np.isfinite(rows[m]["l1"]) and np.isfinite(rows[m]["fd_detector"])
    assert "NOT comparable" in (out / "results.md").read_text()
    assert set(results["references"]) >= {"real_raw", "real_flow", "landmarks"}


def test_generate_task_needs_two_samples(
    tiny_data: Path,
    generation_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            str(tiny_data),
            "--task",
            "generate",
            "--model",
            str(generation_files["model"]),
            "--samples",
            "1",
            "-o",
            str(out),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--samples 1" in err and len(err.splitlines()) == 1
    assert not out.exists()

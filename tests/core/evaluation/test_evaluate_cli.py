"""`flowmark evaluate` end to end on a tiny synthetic data set with random-weights models."""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.animate import Animator
from flowmark_core.cli.main import main
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.io.images import read_image

ROW_KEYS = {
    "model",
    "model_path",
    "stabilizer",
    "image_size",
    "num_kp",
    "videos",
    "frames",
    "l1",
    "identity_l1",
    "akd",
    "mkr",
    "aed",
    "face_frames",
    "nme",
    "nmj",
    "flow_residual",
    "acceleration",
    "ref_nme",
    "ref_nmj",
    "ref_floor_nmj",
    "ref_acceleration",
    "per_video",
}
ALWAYS_FINITE = ("l1", "identity_l1", "nme", "nmj", "flow_residual", "acceleration")


def _test_frames(dataset: Path) -> list[list[np.ndarray]]:
    """Every test video's frames, read straight from the PNG files."""
    return [
        [read_image(p) for p in sorted(folder.glob("*.png"))]
        for folder in sorted((dataset / "test").iterdir())
    ]


def _hand_identity_l1(dataset: Path) -> float:
    """Mean over all test frames of mean |frame - first frame of its video| / 255."""
    per_frame = [
        np.abs(frame.astype(np.float64) - frames[0]).mean() / 255.0
        for frames in _test_frames(dataset)
        for frame in frames
    ]
    return float(np.mean(per_frame))


@pytest.fixture(scope="module")
def evaluated(
    dataset: Path, checkpoints: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """One evaluation run with all three stabilisers: (output folder, its stdout).

    Module-scoped, so stdout is captured here rather than with `capsys`.
    """
    out = tmp_path_factory.mktemp("eval") / "out"
    args = ["evaluate", str(dataset), "--model", str(checkpoints[0]), "-o", str(out)]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main([*args, "--stabilize", "none", "one-euro", "flow", "--no-face-metrics"])
    assert code == 0
    return out, buffer.getvalue()


def test_results_json_has_every_metric_finite(evaluated: tuple[Path, str]) -> None:
    out, _ = evaluated
    data = json.loads((out / "results.json").read_text())
    assert data["format"] == "flowmark-evaluation-v1"
    assert [row["stabilizer"] for row in data["rows"]] == ["none", "one-euro", "flow"]
    assert "face" in data["skipped"] and "landmarks" not in data["skipped"]
    for row in data["rows"]:
        assert set(row) == ROW_KEYS
        assert row["model"] == "run-a" and row["videos"] == 2 and row["frames"] == 16
        for key in ALWAYS_FINITE:
            assert isinstance(row[key], float) and math.isfinite(row[key]), key
        assert 0.0 <= row["l1"] <= 1.0
        assert row["akd"] is None and row["mkr"] is None and row["aed"] is None
        assert len(row["per_video"]) == 2


def test_identity_baseline_equals_hand_computation(
    evaluated: tuple[Path, str], dataset: Path
) -> None:
    out, _ = evaluated
    data = json.loads((out / "results.json").read_text())
    expected = _hand_identity_l1(dataset)
    assert expected > 0.0
    for row in data["rows"]:
        assert row["identity_l1"] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_reconstruction_l1_matches_the_streaming_animator(
    evaluated: tuple[Path, str], dataset: Path, checkpoints: tuple[Path, Path]
) -> None:
    """The "none" row's L1 equals absolute-mode `Animator.animate` from the first frame."""
    out, _ = evaluated
    row = json.loads((out / "results.json").read_text())["rows"][0]
    animator = Animator.from_checkpoint(checkpoints[0], precision="float32")
    animator.set_transfer(mode="absolute")
    errors = []
    for frames in _test_frames(dataset):
        animator.set_source(frames[0])
        for frame, result in zip(frames, animator.animate(frames)):
            errors.append(np.abs(frame.astype(np.float64) - result.output).mean() / 255.0)
    assert row["l1"] == pytest.approx(float(np.mean(errors)), rel=1e-9)


def test_markdown_written_and_printed(evaluated: tuple[Path, str]) -> None:
    out, stdout = evaluated
    markdown = (out / "results.md").read_text()
    table_rows = [line for line in markdown.splitlines() if line.startswith("| run-a |")]
    assert [r.split("|")[2].strip() for r in table_rows] == ["none", "one-euro", "flow"]
    assert "| model | stabiliser | L1 ↓ | identity L1 |" in markdown
    assert "Skipped (face)" in markdown
    assert markdown.strip() in stdout
    assert not list(out.glob(".*tmp*"))  # atomic writes left no temporary files


def test_compare_two_checkpoints_gives_two_rows(
    dataset: Path, checkpoints: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "cmp"
    args = ["evaluate", str(dataset), "--compare", *map(str, checkpoints), "-o", str(out)]
    assert main([*args, "--max-frames", "3", "--max-videos", "1", "--no-face-metrics"]) == 0
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert [(r["model"], r["stabilizer"]) for r in rows] == [("run-a", "none"), ("run-b", "none")]
    assert all(r["frames"] == 3 and r["videos"] == 1 for r in rows)
    assert rows[0]["l1"] != rows[1]["l1"]
    markdown = (out / "results.md").read_text()
    assert "| run-a | none |" in markdown and "| run-b | none |" in markdown


def test_missing_test_split_is_the_layout_error(
    dataset: Path, checkpoints: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    broken = tmp_path / "no-test"
    shutil.copytree(dataset / "train", broken / "train")
    code = main(["evaluate", str(broken), "--model", str(checkpoints[0]), "-o", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("flowmark: error:") and "no test/ folder" in err and "\n" not in err


def test_model_and_compare_together_is_a_user_error(
    dataset: Path, checkpoints: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    a, b = map(str, checkpoints)
    code = main(["evaluate", str(dataset), "--model", a, "--compare", a, b, "-o", str(tmp_path)])
    assert code == 2 and "--compare" in capsys.readouterr().err


def test_test_split_without_landmarks_skips_nme_with_a_reason(
    dataset: Path, checkpoints: tuple[Path, Path], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(dataset, plain)
    for video in VideoFolder(plain, "test"):
        (video.path / "landmarks.npz").unlink()
    out = tmp_path / "out"
    args = ["evaluate", str(plain), "--model", str(checkpoints[0]), "-o", str(out)]
    assert main([*args, "--max-frames", "3", "--no-face-metrics"]) == 0
    data = json.loads((out / "results.json").read_text())
    assert "landmarks.npz" in data["skipped"]["landmarks"]
    assert data["rows"][0]["nme"] is None and data["rows"][0]["nmj"] is None
    assert math.isfinite(data["rows"][0]["flow_residual"])

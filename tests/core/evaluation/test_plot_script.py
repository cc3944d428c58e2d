"""scripts/plot_results.py: both plots are written as PNG; the trajectories it draws."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from flowmark_core.animate import Animator
from flowmark_core.cli.main import main
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.evaluation import EvalOptions, video_trajectories

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "plot_results.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def plot_script() -> ModuleType:
    pytest.importorskip(
        "matplotlib", reason='matplotlib not installed (pip install "flowmark[eval]")'
    )
    spec = importlib.util.spec_from_file_location("plot_results", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trajectories_track_every_stabilizer_and_regress_landmarks(
    dataset: Path, checkpoints: tuple[Path, Path]
) -> None:
    animator = Animator.from_checkpoint(checkpoints[0], precision="float32")
    options = EvalOptions(max_frames=5)
    traj = video_trajectories(animator, dataset, 0, ("none", "one-euro", "flow"), options)
    frames = list(VideoFolder(dataset, "test")[0].open())[:5]
    np.testing.assert_allclose(traj.tracks["none"], animator.track(frames).raw, atol=1e-5)
    assert set(traj.regressed) == {"none", "one-euro", "flow"}
    assert traj.truth is not None and traj.truth.shape == (5, len(traj.landmark_names), 2)
    assert all(r.shape == traj.truth.shape for r in traj.regressed.values())
    assert not np.allclose(traj.tracks["one-euro"], traj.tracks["none"])


def test_both_plots_are_written(
    plot_script: ModuleType, dataset: Path, checkpoints: tuple[Path, Path], tmp_path: Path
) -> None:
    ckpt = str(checkpoints[0])
    out = tmp_path / "eval"
    args = ["evaluate", str(dataset), "--model", ckpt, "-o", str(out), "--max-frames", "4"]
    assert main([*args, "--stabilize", "none", "flow", "--no-face-metrics"]) == 0
    scatter = tmp_path / "docs" / "nmj_vs_l1.png"
    assert plot_script.main(["nmj-l1", str(out / "results.json"), "-o", str(scatter)]) == 0
    lines = tmp_path / "docs" / "trajectories.png"
    traj_args = ["trajectories", str(dataset), "--model", ckpt, "--max-frames", "4"]
    assert plot_script.main([*traj_args, "--landmark", "nose_tip", "-o", str(lines)]) == 0
    for path in (scatter, lines):
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5000

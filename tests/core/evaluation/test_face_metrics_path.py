"""AKD / MKR / AED inside an evaluation: dlib when installed, a stated reason when not."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.animate import Animator
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import FlowmarkError
from flowmark_core.evaluation import EvalOptions, evaluate, evaluate_animator, markdown_report
from flowmark_core.evaluation import face as face_module

SMALL = {"max_videos": 1, "max_frames": 3}


class RealOnlyBackend:
    """Finds a "face" only in frames it was told are real, so every reconstruction misses."""

    def __init__(self, real_frames: list[np.ndarray]) -> None:
        self.real = {frame.tobytes() for frame in real_frames}

    def landmarks(self, image: np.ndarray) -> np.ndarray | None:
        if image.tobytes() not in self.real:
            return None
        return np.full((68, 2), float(image.mean()))

    def embedding(self, image: np.ndarray) -> np.ndarray | None:
        return None if image.tobytes() not in self.real else np.array([float(image.mean())])


def test_face_metrics_pool_real_and_reconstructed_detections(
    dataset: Path, checkpoints: tuple[Path, Path]
) -> None:
    video = VideoFolder(dataset, "test")[0]
    real = list(video.open())[:3]
    animator = Animator.from_checkpoint(checkpoints[0], precision="float32")
    rows, _ = evaluate_animator(
        animator, "a", dataset, EvalOptions(**SMALL), backend=RealOnlyBackend(real)
    )
    row = rows[0]
    assert row.mkr == 1.0  # faces in all 3 real frames, none in the reconstructions
    assert row.face_frames == 0 and row.akd is None and row.aed is None


def test_missing_dlib_is_skipped_with_its_reason(
    dataset: Path, checkpoints: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise FlowmarkError('dlib is not installed; install with: pip install "flowmark[eval]"')

    monkeypatch.setattr(face_module, "DlibFaceBackend", unavailable)
    results = evaluate(dataset, [checkpoints[0]], EvalOptions(**SMALL))
    assert "dlib is not installed" in results.skipped["face"]
    row = results.rows[0]
    assert row.akd is None and row.mkr is None and row.aed is None and row.face_frames is None
    assert "Skipped (face): AKD/MKR/AED not computed: dlib is not installed" in markdown_report(
        results
    )


def test_dlib_backend_scores_the_reconstructions(
    dataset: Path, checkpoints: tuple[Path, Path]
) -> None:
    pytest.importorskip("dlib", reason='dlib not installed (pip install "flowmark[eval]")')
    backend, reason = face_module.open_face_backend(True)
    if backend is None:
        pytest.skip(f"dlib face models unavailable: {reason}")
    results = evaluate(dataset, [checkpoints[0]], EvalOptions(**SMALL))
    assert "face" not in results.skipped
    row = results.rows[0]
    assert isinstance(row.face_frames, int) and 0 <= row.face_frames <= 3
    assert row.mkr is None or 0.0 <= row.mkr <= 1.0
    if row.face_frames:
        assert math.isfinite(row.akd) and row.akd >= 0 and math.isfinite(row.aed)

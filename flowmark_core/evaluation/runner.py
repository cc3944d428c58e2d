"""Evaluate models on a data set's test split: reconstruction, face, landmark and jitter metrics.

Protocol (the published reconstruction protocol, plus flowmark's stability metrics): in each
test video the first frame is the source, and every frame (the first included) is
reconstructed from the source posed by that frame's own keypoints (absolute transfer). Each
requested stabiliser runs online over the driving keypoints; its track is what the keypoint
metrics score and what the reconstruction is rendered with. Frames are streamed once per
model: keypoints are detected once and shared by the stabilisers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from flowmark_core.animate import Animator
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.data.video_folder import VideoEntry, VideoFolder
from flowmark_core.errors import DatasetError
from flowmark_core.evaluation.accumulate import LandmarkTruth, VariantTotals, VideoStream
from flowmark_core.evaluation.face import FaceDetections, face_scores, open_face_backend
from flowmark_core.evaluation.landmark_fit import (
    FitOutcome,
    fit_split_regressor,
    predict_landmarks_px,
)
from flowmark_core.evaluation.options import EvalOptions
from flowmark_core.evaluation.results import EvaluationResults, VariantResult
from flowmark_core.flow import FlowEstimator
from flowmark_core.metrics import FaceBackend, LandmarkRegressor
from flowmark_core.metrics.reconstruction import reconstruction_l1
from flowmark_core.stabilize import make_stabilizer

Progress = Callable[[int], None]
"""Called with the number of test frames just finished (for a progress bar)."""


def model_labels(paths: Sequence[Path]) -> list[str]:
    """Short, distinct row labels: the file stem, or the folder for `model.safetensors`.

    Labels still equal after that are replaced by the full path.
    """
    labels = [p.parent.name if p.stem == "model" and p.parent.name else p.stem for p in paths]
    return [str(p) if labels.count(label) > 1 else label for p, label in zip(paths, labels)]


def test_videos(data_dir: str | Path, max_videos: int | None) -> list[VideoEntry]:
    """The first `max_videos` (None = all) videos of the test split.

    Raises:
        DatasetError: the data set has no test/ split or it holds no videos.
    """
    entries = list(VideoFolder(data_dir, "test"))
    return entries if max_videos is None else entries[:max_videos]


def planned_frames(entries: Sequence[VideoEntry], max_frames: int | None) -> int | None:
    """Test frames one model will go through, or None when a video does not say its length."""
    total = 0
    for entry in entries:
        count = entry.open().frame_count
        if count is None:
            return None
        total += count if max_frames is None else min(count, max_frames)
    return total


def _video_truth(entry: VideoEntry, frames: int, video_size: tuple[int, int]) -> LandmarkTruth:
    """Ground truth of the first `frames` frames of a test video."""
    track = entry.landmarks()
    if track is None:
        raise DatasetError(f"{entry.path}: landmarks.npz disappeared during the evaluation")
    if len(track.landmarks) < frames:
        raise DatasetError(
            f"{entry.path}: landmarks.npz has {len(track.landmarks)} frames, the video {frames}"
        )
    return LandmarkTruth(track.landmarks[:frames], track.visible[:frames], video_size)


class _ModelRun:
    """One model over the test split, every requested stabiliser side by side."""

    def __init__(
        self,
        animator: Animator,
        options: EvalOptions,
        backend: FaceBackend | None,
        regressor: LandmarkRegressor | None,
        progress: Progress | None,
    ) -> None:
        self.animator = animator
        self.options = options
        self.backend = backend
        self.regressor = regressor
        self.progress = progress
        self.flow = FlowEstimator("dis", options.flow_preset)
        self.real_faces = FaceDetections()
        self.totals = {name: VariantTotals(name) for name in options.stabilizers}

    def run_video(self, entry: VideoEntry) -> None:
        """Stream one test video through every variant and fold its scores in."""
        reader = entry.open()
        streams = {
            name: VideoStream(
                make_stabilizer(name, self.animator.size, fps=reader.fps),
                self.options.fb_threshold,
            )
            for name in self.options.stabilizers
        }
        frames = itertools.islice(reader, self.options.max_frames)
        identity_sum = 0.0
        previous = None
        count = 0
        for index, frame in enumerate(frames):
            prepared = self.animator.prepare(frame)
            if index == 0:
                self.animator.set_source(frame)
            raw = self.animator.detect(prepared)
            flow = None if previous is None else self.flow.pair(previous, prepared)
            identity_sum += reconstruction_l1(prepared, self.animator.source_image)
            if self.backend is not None:
                self.real_faces.add(self.backend, prepared)
            for name, stream in streams.items():
                output = stream.step(self.animator, prepared, raw, flow, index)
                if self.backend is not None:
                    self.totals[name].faces.add(self.backend, output)
            previous = prepared
            count += 1
            if self.progress is not None:
                self.progress(1)
        use_truth = self.regressor is not None and entry.has_landmarks
        truth = _video_truth(entry, count, reader.size) if use_truth else None
        for name, stream in streams.items():
            predicted = None
            if truth is not None and self.regressor is not None:
                predicted = predict_landmarks_px(
                    self.regressor, stream.track, self.animator.size, truth.video_size
                )
            self.totals[name].add_video(entry.name, stream, identity_sum, predicted, truth)

    def results(self, label: str) -> list[VariantResult]:
        """One finished row per stabiliser."""
        path = str(self.animator.meta.get("path", label))
        rows = []
        for totals in self.totals.values():
            face = None if self.backend is None else face_scores(self.real_faces, totals.faces)
            rows.append(totals.result(label, path, self.animator.size, self.animator.num_kp, face))
        return rows


def evaluate_animator(
    animator: Animator,
    label: str,
    data_dir: str | Path,
    options: EvalOptions,
    backend: FaceBackend | None = None,
    progress: Progress | None = None,
) -> tuple[list[VariantResult], str | None]:
    """Evaluate one loaded model on the test split (see the module docstring for the protocol).

    The animator is switched to absolute transfer; its own stabiliser is not used.

    Args:
        animator: the model to evaluate.
        label: its row label.
        data_dir: data set root with test/ (and train/ for the landmark regressor).
        options: what to evaluate.
        backend: face backend for AKD/MKR/AED, or None to leave them out.
        progress: called after each test frame.

    Returns:
        (one row per stabiliser, why NME/NMJ were not computed or None).

    Raises:
        DatasetError: no test/ split, or it holds no videos.
    """
    entries = test_videos(data_dir, options.max_videos)
    animator.set_transfer(mode="absolute")
    fit: FitOutcome = (None, "test videos have no landmarks.npz ground truth")
    if any(entry.has_landmarks for entry in entries):
        fit = fit_split_regressor(
            animator,
            str(data_dir),
            options.regressor_videos,
            options.regressor_frames,
            options.ridge,
        )
    regressor, why_not = fit
    run = _ModelRun(animator, options, backend, regressor, progress)
    for entry in entries:
        run.run_video(entry)
    return run.results(label), why_not


def evaluate(
    data_dir: str | Path,
    models: Sequence[str | Path | None],
    options: EvalOptions | None = None,
    config: str | Path | None = None,
    device: str = "cpu",
    precision: str = "float32",
    progress: Progress | None = None,
) -> EvaluationResults:
    """Evaluate one or more models (each with every requested stabiliser) on a data set.

    Args:
        data_dir: data set root in the FOMM layout (test/ required, train/ for NME/NMJ).
        models: checkpoint paths or bundled model names (None = the default model).
        options: what to evaluate (default `EvalOptions()`).
        config: YAML config for every model (needed for FOMM `.pth.tar` checkpoints).
        device: "cpu" or "cuda".
        precision: Animator precision; "float32" (default) is exact.
        progress: called after each test frame of each model.

    Returns:
        The results: rows in model order, then stabiliser order.

    Raises:
        DatasetError: no test/ split, or it holds no videos (checked before loading models).
        CheckpointError, ConfigError: a model cannot be loaded.
    """
    options = options or EvalOptions()
    entries = test_videos(data_dir, options.max_videos)
    paths = [resolve_model_path(model) for model in models]
    backend, face_reason = open_face_backend(options.face_metrics)
    rows: list[VariantResult] = []
    landmark_reason: str | None = None
    for path, label in zip(paths, model_labels(paths)):
        animator = Animator.from_checkpoint(path, config=config, device=device, precision=precision)
        model_rows, why_not = evaluate_animator(
            animator, label, data_dir, options, backend, progress
        )
        rows += model_rows
        landmark_reason = landmark_reason or why_not
    skipped = {"face": face_reason} if face_reason else {}
    if landmark_reason:
        skipped["landmarks"] = f"NME/NMJ not computed: {landmark_reason}"
    notes = []
    missing = sum(not entry.has_landmarks for entry in entries)
    if 0 < missing < len(entries):
        notes.append(
            f"{missing} of {len(entries)} test videos have no landmarks.npz; NME/NMJ use the others"
        )
    return EvaluationResults(
        data_dir=str(data_dir),
        options=asdict(options),
        rows=tuple(rows),
        skipped=skipped,
        notes=tuple(notes),
    )

"""Shared pieces of the engine benchmarks: the trained default model at any size, the sample
media at model size, one exportable per-frame step, and interleaved timing.

Timing on a shared machine: every candidate is timed in the same rounds, one after the other,
and the median over rounds is reported, so a burst of load from other processes hits all
candidates alike; ratios are the numbers to read, not the absolute frames/s.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from flowmark_core.animate import Animator
from flowmark_core.checkpoints import load_checkpoint
from flowmark_core.io.images import read_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.models import Keypoints, MotionModel, SourceState, build_model
from flowmark_core.resources import bundled_models, sample_driving, sample_source


def load_average() -> str:
    """The 1/5/15-minute load averages and the core count, for the report."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def bench_arguments(description: str | None) -> argparse.Namespace:
    """--quick, --threads (applied to torch here) and --section, as every engine benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per backend (2 = the target machine)"
    )
    parser.add_argument("--section", default=None, help="docs/benchmarks.md section name")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def write_input_clip(folder: Path, frames: list[np.ndarray]) -> Path:
    """`frames` written to `folder`/in.mp4 at 25 fps (a benchmark's input video)."""
    path = folder / "in.mp4"
    with VideoWriter(path, fps=25) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def file_to_file_fps(animator: Animator, frames: list[np.ndarray]) -> float:
    """Frames/s of `animator` (source already set) from an mp4 of `frames` to an mp4:
    decode, detect, stabilise, render and encode, after a warm-up on the first 3 frames."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_input_clip(Path(tmp), frames)
        list(animator.animate(frames[:3], fps=25.0))  # warm-up
        start = time.perf_counter()
        count = 0
        with VideoWriter(Path(tmp) / "out.mp4", fps=25) as writer:
            reader = open_video(path)
            for result in animator.animate(reader, fps=reader.fps):
                writer.write(result.output)
                count += 1
        return count / (time.perf_counter() - start)


def default_model(size: int) -> MotionModel:
    """The bundled trained default model, run at `size` px (it is fully convolutional)."""
    trained, _ = load_checkpoint(bundled_models()["puppets-faces-128"])
    model = build_model(dataclasses.replace(trained.config, image_size=size))
    model.load_state_dict(trained.state_dict())
    return model.eval()


def sample_frames(size: int, n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The bundled sample source and the first `n` driving frames, resized to `size`."""

    def fit(image: np.ndarray) -> np.ndarray:
        return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)

    source = fit(read_image(sample_source()))
    frames = []
    for frame in open_video(sample_driving()):
        frames.append(fit(frame))
        if len(frames) == n:
            break
    return source, frames


def to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255.0


class FrameStep(nn.Module):
    """One driving frame through the model with the source state as plain tensors:
    detect the driving keypoints, then render the source posed by them (absolute motion).
    Tensors in, tensors out — the shape every backend (compile, ONNX, OpenVINO) can take."""

    def __init__(self, model: MotionModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        driving: torch.Tensor,
        src_value: torch.Tensor,
        src_jacobian: torch.Tensor,
        features: torch.Tensor,
        small: torch.Tensor,
        source: torch.Tensor,
    ) -> torch.Tensor:
        kp = self.model.kp_detector(driving)
        state = SourceState(source, Keypoints(src_value, src_jacobian), features, small)
        driven = Keypoints(kp.value, kp.jacobian)
        return self.model.generator.render(state, driven).prediction


def step_inputs(model: MotionModel, source: np.ndarray, driving: np.ndarray) -> tuple:
    """The FrameStep arguments for one driving frame (source encoded once, float32)."""
    src = to_tensor(source)
    with torch.inference_mode():
        state = model.encode_source(src)
    kp = state.keypoints
    return (
        to_tensor(driving),
        kp.value.clone(),
        kp.jacobian.clone(),
        state.features.clone(),
        state.small_image.clone(),
        src,
    )


def interleaved(
    candidates: dict[str, Callable[[int], object]], rounds: int, per_round: int
) -> dict[str, float]:
    """Median seconds per call of each candidate, timed in alternating rounds."""
    for fn in candidates.values():
        fn(0)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for r in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            for i in range(per_round):
                fn(r * per_round + i)
            times[name].append((time.perf_counter() - start) / per_round)
    return {name: statistics.median(ts) for name, ts in times.items()}


def pixel_errors(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Max, 99.9th percentile and mean absolute difference of two images in [0, 1], in
    8-bit steps (x 255)."""
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64)) * 255.0
    return float(diff.max()), float(np.percentile(diff, 99.9)), float(diff.mean())

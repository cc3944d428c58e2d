"""Where the engine's time goes, file to file: CPU time per step and frame, measured by
wrapping each step of `Animator.animate` (decode, crop, detect, stabilise, render, colour /
uint8, paste or full-resolution render, encode) in one process, on the trained default model
(128 px) with the fast path.

CPU time (all of this process's threads, plus the ffmpeg encoder's, a child process) is what
a step costs on an idle machine; wall time on a shared machine is mostly waiting. Writes the
`profile` section of docs/benchmarks.md. Run: `python benchmarks/bench_profile.py [--quick]`.
"""

from __future__ import annotations

import inspect
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engine_steps import (
    bench_arguments,
    default_model,
    load_average,
    sample_frames,
    write_input_clip,
)
from benchmarks.report import machine, table, write_section
from flowmark_core.animate import Animator, pipeline
from flowmark_core.animate.full_resolution import FullResolutionSource
from flowmark_core.animate.inference_core import InferenceCore
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter

Totals = dict[str, float]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(owner: Any, name: str, label: str, totals: Totals) -> Callable[[], None]:
    """Wrap `owner.name` so its CPU time adds to `totals[label]`; returns the undo."""
    original = inspect.getattr_static(owner, name)
    func = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - start

    static = inspect.isclass(owner) and isinstance(original, staticmethod)
    setattr(owner, name, staticmethod(wrapper) if static else wrapper)
    return lambda: setattr(owner, name, original)


def timed_frames(frames: Iterator[np.ndarray], totals: Totals) -> Iterator[np.ndarray]:
    """The decoder's frames, the time spent producing each added to `totals['decode']`."""
    while True:
        start = time.process_time()
        frame = next(frames, None)
        totals["decode"] = totals.get("decode", 0.0) + time.process_time() - start
        if frame is None:
            return
        yield frame


def profile(animator: Animator, frames: list[np.ndarray]) -> tuple[Totals, int, float]:
    """CPU seconds per step over an mp4 of `frames` animated into an mp4, the frame count
    and the wall seconds."""
    totals: Totals = {}
    undo = [
        timed(pipeline, "to_model_size", "crop + resize to the model", totals),
        timed(InferenceCore, "detect", "detect keypoints", totals),
        timed(InferenceCore, "render", "render (dense motion + generator)", totals),
        timed(InferenceCore, "to_uint8", "to uint8 (host)", totals),
        timed(InferenceCore, "image_tensor", "to tensor", totals),
        timed(pipeline, "paste", "paste back (model-size patch)", totals),
        timed(FullResolutionSource, "render_output", "full-resolution render + paste", totals),
        timed(type(animator._stabilizer), "update", "stabilise", totals),
    ]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = write_input_clip(Path(tmp), frames)
            list(animator.animate(frames[:3], fps=25.0))  # warm-up
            totals.clear()
            count, cpu, child, wall = 0, time.process_time(), children_cpu(), time.perf_counter()
            with VideoWriter(Path(tmp) / "out.mp4", fps=25) as writer:
                reader = open_video(path)
                for result in animator.animate(timed_frames(iter(reader), totals), fps=25.0):
                    start = time.process_time()
                    writer.write(result.output)
                    totals["encode (our side)"] = totals.get("encode (our side)", 0.0) + (
                        time.process_time() - start
                    )
                    count += 1
            wall = time.perf_counter() - wall
            totals["ffmpeg encoder (child process)"] = children_cpu() - child
            totals["total"] = time.process_time() - cpu + totals["ffmpeg encoder (child process)"]
            # the clip's face box, motion transfer, the stabiliser's host copies, Python
            totals["other"] = 2 * totals["total"] - sum(totals.values())
    finally:
        for restore in undo:
            restore()
    return totals, count, wall


CASES = [
    ("128 px, stabiliser none", 128, False, "none", False),
    ("128 px, flow stabiliser", 128, False, "flow", False),
    ("512 px, face crop + paste-back, flow", 512, True, "flow", False),
    ("512 px, face crop, full-resolution output, flow", 512, True, "flow", True),
]


def main() -> None:
    args = bench_arguments(__doc__)
    n = 30 if args.quick else 100
    load_before = load_average()
    columns: list[tuple[str, Totals, int, float]] = []
    for label, size, crop_on, stab, full in CASES:
        source, frames = sample_frames(size, n)
        animator = Animator(
            default_model(128),
            precision="fast",
            stabilizer=stab,
            face_crop=crop_on,
            full_resolution=full,
        )
        animator.set_source(source)
        totals, count, wall = profile(animator, frames)
        columns.append((label, totals, count, wall))
        print(label, {k: round(v / count * 1000, 2) for k, v in totals.items()}, flush=True)
    steps = sorted({k for _, t, _, _ in columns for k in t if k != "total"})
    rows = []
    for step in [*steps, "total"]:
        row = [step]
        for _, totals, count, _ in columns:
            value = totals.get(step, 0.0)
            share = value / totals["total"] if totals["total"] else 0.0
            row.append(f"{value / count * 1000:.2f} ({share:.0%})" if value else "–")
        rows.append(row)
    rows.append(["CPU-bound frames/s (1 / total)"] + [
        f"{count / totals['total']:.1f}" for _, totals, count, _ in columns
    ])  # fmt: skip
    rows.append(["wall frames/s here (shared machine)"] + [
        f"{count / wall:.1f}" for _, _, count, wall in columns
    ])  # fmt: skip
    body = "\n".join(
        [
            "## Where the time goes (`benchmarks/bench_profile.py`)",
            "",
            f"Machine: {machine()}; {load_before} at the start, {load_average()} at the end. "
            "CPU ms per frame of each step (share of the total), file to file, trained "
            "default model at 128 px, fast path; the total includes the ffmpeg encoder's CPU "
            "time. CPU time is what a step costs; on this shared machine wall time is mostly "
            "waiting for a core.",
            "",
            table(["step", *(label for label, _, _, _ in columns)], rows),
        ]
    )
    write_section(args.section or "profile", body)


if __name__ == "__main__":
    main()

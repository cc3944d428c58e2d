"""Inference backends of the core, side by side in one run: eager PyTorch (float32, and
channels-last), torch.compile (inductor, CPU), ONNX Runtime and OpenVINO, each with its
frames/s and its error against eager float32, on the trained default model.

The step timed is one driving frame: detect its keypoints and render the (pre-encoded)
source with them. Writes the `backends` section of docs/benchmarks.md.
Run: `python benchmarks/bench_backends.py [--quick]` (ONNX Runtime / OpenVINO / onnx must be
importable; a missing one is reported as such).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engine_steps import (
    FrameStep,
    bench_arguments,
    default_model,
    interleaved,
    load_average,
    pixel_errors,
    sample_frames,
    step_inputs,
)
from benchmarks.report import machine, table, write_section

NAMES = ("driving", "src_value", "src_jacobian", "features", "small", "source")
Runner = Callable[[tuple], np.ndarray]


def eager(step: FrameStep, channels_last: bool) -> Runner:
    model = step.model
    if channels_last:
        model = model.to(memory_format=torch.channels_last)

    def run(args: tuple) -> np.ndarray:
        with torch.inference_mode():
            if channels_last:
                args = tuple(
                    a.contiguous(memory_format=torch.channels_last) if a.ndim == 4 else a
                    for a in args
                )
            return step(*args).numpy()

    return run


def compiled(step: FrameStep, args: tuple) -> tuple[Runner, float]:
    fn = torch.compile(step, backend="inductor")
    start = time.perf_counter()
    with torch.inference_mode():
        fn(*args)
    warm = time.perf_counter() - start

    def run(a: tuple) -> np.ndarray:
        with torch.inference_mode():
            return fn(*a).numpy()

    return run, warm


def export_onnx(step: FrameStep, args: tuple, path: Path) -> str:
    """Export the step; returns which exporter worked."""
    try:
        torch.onnx.export(
            step, args, str(path), input_names=list(NAMES), opset_version=17, dynamo=False
        )
        return "TorchScript exporter"
    except Exception:
        torch.onnx.export(
            step, args, str(path), input_names=list(NAMES), opset_version=18, dynamo=True
        )
        return "dynamo exporter"


def onnxruntime_runner(path: Path) -> Runner:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]

    def run(args: tuple) -> np.ndarray:
        feed = {n: a.numpy() for n, a in zip(inputs, args[: len(inputs)])}
        return session.run(None, feed)[0]

    return run


def openvino_runner(path: Path, precision: str | None) -> Runner:
    import openvino as ov

    config = {"INFERENCE_NUM_THREADS": torch.get_num_threads()}
    if precision is not None:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled_model = ov.Core().compile_model(str(path), "CPU", config)
    request = compiled_model.create_infer_request()
    inputs = [i.get_any_name() for i in compiled_model.inputs]

    def run(args: tuple) -> np.ndarray:
        feed = {n: a.numpy() for n, a in zip(inputs, args[: len(inputs)])}
        return next(iter(request.infer(feed).values())).copy()

    return run


def measure(size: int, rounds: int, per_round: int) -> tuple[list[list[str]], list[str]]:
    model = default_model(size)
    source, frames = sample_frames(size, 8)
    all_args = [step_inputs(model, source, f) for f in frames]
    step = FrameStep(model).eval()
    notes: list[str] = []
    runners: dict[str, Runner] = {"eager float32": eager(step, channels_last=False)}
    reference = [runners["eager float32"](a) for a in all_args]
    runners["eager float32, channels-last"] = eager(FrameStep(default_model(size)).eval(), True)
    try:
        runners["torch.compile (inductor)"], warm = compiled(
            FrameStep(default_model(size)).eval(), all_args[0]
        )
        notes.append(f"torch.compile at {size} px: first call (compilation) {warm:.0f} s")
    except Exception as exc:
        notes.append(
            f"torch.compile failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "step.onnx"
        try:
            how = export_onnx(FrameStep(default_model(size)).eval(), all_args[0], path)
            notes.append(f"ONNX export at {size} px: {how}")
        except Exception as exc:
            notes.append(
                f"ONNX export failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
            )
        if path.exists():
            for label, make in (
                ("ONNX Runtime (CPU EP)", lambda: onnxruntime_runner(path)),
                ("OpenVINO (f32)", lambda: openvino_runner(path, "f32")),
                ("OpenVINO (default precision)", lambda: openvino_runner(path, None)),
            ):
                try:
                    runners[label] = make()
                except Exception as exc:
                    notes.append(
                        f"{label} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                    )
        errors = {}
        for label, run in runners.items():
            outs = [run(a) for a in all_args]
            errors[label] = pixel_errors(np.stack(outs), np.stack(reference))
        n = len(all_args)
        secs = interleaved(
            {label: (lambda i, run=run: run(all_args[i % n])) for label, run in runners.items()},
            rounds,
            per_round,
        )
    base = secs["eager float32"]
    rows = [
        [
            label,
            str(size),
            f"{1 / secs[label]:.1f}",
            f"{base / secs[label]:.2f}x",
            f"{errors[label][0]:.2f}",
            f"{errors[label][1]:.3f}",
            f"{errors[label][2]:.4f}",
        ]
        for label in runners
    ]
    return rows, notes


def main() -> None:
    args = bench_arguments(__doc__)
    rounds, per_round = (3, 4) if args.quick else (7, 8)
    load_before = load_average()
    rows, notes = [], []
    for size in (128, 256):
        r, n = measure(size, rounds, per_round)
        rows += r
        notes += n
        for row in r:
            print(" | ".join(row), flush=True)
    for note in notes:
        print(note, flush=True)
    body = "\n".join(
        [
            "## Inference backends (`benchmarks/bench_backends.py`)",
            "",
            f"Machine: {machine()}; {load_before} at the start, {load_average()} at the end "
            "(the machine is shared: read the ratios, measured side by side in alternating rounds "
            "— median of rounds). Step = detect the driving frame's keypoints + render the "
            "pre-encoded source (trained default model, sample clip frames). Error in 8-bit "
            "steps against eager float32 (max / 99.9th percentile / mean over 8 frames).",
            "",
            table(
                [
                    "backend",
                    "px",
                    "frames/s",
                    "vs eager float32",
                    "max err",
                    "p99.9 err",
                    "mean err",
                ],
                rows,
            ),
            "",
            *[f"- {n}" for n in notes],
        ]
    )
    write_section(args.section or f"backends-{args.threads}-threads", body)


if __name__ == "__main__":
    main()

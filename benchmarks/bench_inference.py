"""Inference speed: naive vs cached-float32 vs fast paths, end to end, and stabiliser cost.

Prints ratios measured side by side in one run and writes the table to docs/benchmarks.md.
Run: `python benchmarks/bench_inference.py [--quick]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engine_steps import file_to_file_fps, load_average
from benchmarks.report import machine, table, write_section
from flowmark_core.animate import Animator
from flowmark_core.checkpoints import load_checkpoint
from flowmark_core.config import ModelConfig
from flowmark_core.config.files import load_config
from flowmark_core.models import MotionModel, build_model
from flowmark_core.resources import bundled_models
from flowmark_core.stabilize import make_stabilizer

ROOT = Path(__file__).resolve().parent.parent


def default_model(size: int) -> tuple[MotionModel, str]:
    """The bundled default model (random weights if it is not trained yet) at `size` px."""
    models = bundled_models()
    if "puppets-faces-128" in models:
        trained, _ = load_checkpoint(models["puppets-faces-128"])
        cfg = dataclasses.replace(trained.config, image_size=size)
        model = build_model(cfg)
        model.load_state_dict(trained.state_dict())
        return model.eval(), "default (trained)"
    cfg = load_config(ROOT / "configs" / "puppets-faces-128.yaml").model
    return build_model(dataclasses.replace(cfg, image_size=size)).eval(), "default (random weights)"


def frames(size: int, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    base = (rng.random((size, size, 3)) * 255).astype(np.uint8)
    return [np.roll(base, t, axis=1) for t in range(n)]


def timed(fn, n: int) -> float:
    """Seconds per call, after one warm-up call."""
    fn(0)
    start = time.perf_counter()
    for i in range(n):
        fn(i + 1)
    return (time.perf_counter() - start) / n


def naive_path(
    model: MotionModel, src: np.ndarray, drv: list[np.ndarray], n: int
) -> tuple[float, np.ndarray]:
    """The whole model per frame in float32 (source re-encoded each frame), as published."""
    s = torch.from_numpy(src).permute(2, 0, 1)[None].float() / 255
    out = {}

    def step(i: int) -> None:
        d = torch.from_numpy(drv[i % len(drv)]).permute(2, 0, 1)[None].float() / 255
        with torch.no_grad():
            out[i] = model(s, d).prediction

    sec = timed(step, n)
    # Quantised like every output frame, so paths compare on the same 8-bit grid.
    return sec, (out[1][0].permute(1, 2, 0).numpy() * 255).round() / 255


def animator_path(
    model: MotionModel, precision: str, src: np.ndarray, drv: list[np.ndarray], n: int
) -> tuple[float, np.ndarray]:
    anim = Animator(model, precision=precision)
    anim.transfer = dataclasses.replace(anim.transfer, mode="absolute")
    anim.set_source(src)
    out = {}

    def step(i: int) -> None:
        f = drv[i % len(drv)]
        kp = anim.detect(f)
        out[i] = anim.render(f, kp, kp.value, kp.jacobian).output

    sec = timed(step, n)
    return sec, out[1].astype(np.float32) / 255


def end_to_end(model: MotionModel, size: int, n: int) -> float:
    """Frames/s of decode -> detect -> flow stabilise -> render -> encode, from and to mp4."""
    anim = Animator(model, precision="fast", stabilizer="flow")
    anim.set_source(frames(size, 1)[0])
    return file_to_file_fps(anim, frames(size, n))


def stabilizer_cost(size: int, n: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    fr = frames(size, n + 1)
    out = {}
    for name in ("none", "one-euro", "flow"):
        st = make_stabilizer(name, size, fps=25.0)
        kps = rng.uniform(10, size - 10, (n + 1, 10, 2))
        jac = np.tile(np.eye(2), (10, 1, 1))
        st.update(kps[0], jac, fr[0])
        start = time.perf_counter()
        for t in range(1, n + 1):
            st.update(kps[t], jac, fr[t])
        out[name] = (time.perf_counter() - start) / n * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--threads", type=int, default=2, help="torch threads (2 = the target machine)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_before = load_average()
    reps = {"default": 30 if not args.quick else 8, "vox": 4 if not args.quick else 2}
    rows = []
    for arch in ("default", "vox"):
        for size in (128, 256):
            if arch == "default":
                model, label = default_model(size)
            else:
                model, label = (
                    build_model(ModelConfig(image_size=size)).eval(),
                    "vox-256 arch (random)",
                )
            n = reps[arch]
            drv = frames(size, n + 2)
            src = drv[0]
            naive_s, naive_out = naive_path(model, src, drv, n)
            f32_s, f32_out = animator_path(model, "float32", src, drv, n)
            fast_s, fast_out = animator_path(model, "fast", src, drv, n)
            model.float().to(memory_format=torch.contiguous_format)
            err32 = float(np.abs(f32_out - naive_out).max())
            errfast = float(np.abs(fast_out - naive_out).max())
            rows.append(
                [
                    label,
                    str(size),
                    f"{1 / naive_s:.1f}",
                    f"{1 / f32_s:.1f}",
                    f"{naive_s / f32_s:.2f}x",
                    f"{err32:.1e}",
                    f"{1 / fast_s:.1f}",
                    f"{naive_s / fast_s:.2f}x",
                    f"{errfast:.1e}",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    model, _ = default_model(128)
    e2e = end_to_end(model, 128, 150 if not args.quick else 40)
    print(f"default model end to end at 128 px: {e2e:.1f} frames/s", flush=True)
    cost = stabilizer_cost(256, 100 if not args.quick else 20)
    print("stabiliser ms/frame at 256 px:", {k: round(v, 2) for k, v in cost.items()}, flush=True)
    body = "\n".join(
        [
            "## Inference (`benchmarks/bench_inference.py`)",
            "",
            f"Machine: {machine()}; {load_before} at the start, {load_average()} at the end. Frames/s of the model paths (detect driving keypoints + render; "
            "naive = whole model per frame in float32 as the published code runs it, source re-encoded "
            "every frame; float32 = source encoded once + inference mode; fast = float32 path plus "
            "channels-last and bf16 autocast where the CPU has AMX). Error = max abs pixel difference "
            "(in [0, 1]) vs the naive float32 output.",
            "",
            table(
                [
                    "model",
                    "px",
                    "naive fps",
                    "float32 fps",
                    "float32 speed-up",
                    "float32 max err",
                    "fast fps",
                    "fast speed-up",
                    "fast max err",
                ],
                rows,
            ),
            "",
            f"End to end, default model at 128 px (decode mp4 -> detect -> flow stabiliser -> render -> "
            f"encode mp4): **{e2e:.1f} frames/s**.",
            "",
            "Stabiliser cost per frame at 256 px (10 keypoints, with Jacobians): "
            + ", ".join(f"{k}: {v:.2f} ms" for k, v in cost.items())
            + ".",
        ]
    )
    write_section("inference", body)


if __name__ == "__main__":
    main()

"""Training speed: images/s of one optimisation step (compact and vox-256 configs, 128/256 px)
and the share of step time spent computing optical flow for the flow loss.

Prints ratios measured side by side in one run and writes docs/benchmarks.md.
Run: `python benchmarks/bench_training.py [--quick]`.
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

from benchmarks.report import machine, table, write_section
from flowmark_core.config import ExperimentConfig, ModelConfig
from flowmark_core.config.files import load_config
from flowmark_core.flow import FlowEstimator, forward_backward_error
from flowmark_core.models import build_model
from flowmark_core.training.objective import TrainBatch, TrainingObjective

ROOT = Path(__file__).resolve().parent.parent


def step_time(cfg: ExperimentConfig, size: int, batch: int, reps: int) -> float:
    """Seconds per optimisation step (forward + backward + Adam) on random data."""
    model = build_model(dataclasses.replace(cfg.model, image_size=size))
    objective = TrainingObjective(model, cfg, None)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    b = TrainBatch(
        torch.rand(batch, 3, size, size),
        torch.rand(batch, 3, size, size),
        torch.rand(batch, 3, size, size),
        torch.randn(batch, 2, size, size),
        torch.rand(batch, size, size),
        torch.arange(batch),
    )

    def one() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.train.bf16):
            out = objective(b, 1.0)
        opt.zero_grad()
        out.total.backward()
        opt.step()

    one()
    start = time.perf_counter()
    for _ in range(reps):
        one()
    return (time.perf_counter() - start) / reps


def flow_time(size: int, reps: int) -> float:
    """Seconds for the flow of one training sample (forward + backward DIS + consistency)."""
    est = FlowEstimator("dis", "ultrafast")
    rng = np.random.default_rng(0)
    a = (rng.random((size, size, 3)) * 255).astype(np.uint8)
    b = np.roll(a, 2, axis=1)
    start = time.perf_counter()
    for _ in range(reps):
        forward_backward_error(est(a, b), est(b, a))
    return (time.perf_counter() - start) / reps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    compact = load_config(ROOT / "configs" / "puppets-faces-128.yaml")
    vox = dataclasses.replace(
        compact, model=ModelConfig(), train=dataclasses.replace(compact.train, bf16=False)
    )
    rows = []
    for label, cfg, batch in (
        ("compact (default, bf16)", compact, 8),
        (
            "compact (float32)",
            dataclasses.replace(compact, train=dataclasses.replace(compact.train, bf16=False)),
            8,
        ),
        ("vox-256 (float32)", vox, 2),
    ):
        for size in (128, 256):
            reps = 2 if (args.quick or "vox" in label) else 5
            sec = step_time(cfg, size, batch, reps)
            flow = flow_time(size, 20) * batch
            rows.append(
                [
                    label,
                    str(size),
                    str(batch),
                    f"{batch / sec:.1f}",
                    f"{sec:.2f}",
                    f"{100 * flow / (sec + flow):.1f}%",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    body = "\n".join(
        [
            "## Training (`benchmarks/bench_training.py`)",
            "",
            f"Machine: {machine()}. One optimisation step (all losses incl. the flow loss, backward, "
            "Adam) on random data. Flow share = time to compute DIS flow forward + backward and the "
            "forward-backward error for the batch, over (step + flow) time — the data pipeline does "
            "this work, in a DataLoader worker.",
            "",
            table(["config", "px", "batch", "images/s", "s/step", "flow share"], rows),
        ]
    )
    write_section("training", body)


if __name__ == "__main__":
    main()

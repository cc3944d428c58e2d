"""`train.py` command line: parse, load config and data, run the Trainer (DDP-aware)."""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import torch

from flowmark_core.config import ExperimentConfig, load_config
from flowmark_core.errors import ConfigError, DatasetError, FlowmarkError
from flowmark_core.training.distributed import init_distributed, shutdown_distributed

EXAMPLES = """examples:
  python train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 --out runs/faces
  python train.py --config configs/puppets-faces-128.yaml --resume runs/faces/train-state.pt
  python train.py --config configs/puppets-faces-128.yaml --set loss.flow.weight=1 --out runs/w1
  torchrun --nproc_per_node=4 train.py --config configs/vox-256.yaml --data /data/vox --device cuda
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="train.py",
        description="Train a flowmark motion model.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--config", required=True, help="YAML config (ours or a First Order Motion Model one)"
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config key, e.g. --set loss.flow.weight=1 (repeatable)",
    )
    p.add_argument("--data", help="data set root with train/ and test/ (overrides data.root)")
    p.add_argument(
        "--out", default=None, help="run folder for checkpoints and logs (default runs/<config>)"
    )
    p.add_argument(
        "--resume", default=None, help="train-state.pt (or its run folder) to resume from"
    )
    p.add_argument(
        "--init",
        default=None,
        help="start from a model.safetensors (weights + its step, fresh optimiser state)",
    )
    p.add_argument(
        "--max-steps", type=int, default=None, help="stop after this many steps in total"
    )
    p.add_argument(
        "--device", choices=["cpu", "cuda"], default=None, help="default: cuda if available"
    )
    p.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def make_dataset(cfg: ExperimentConfig, root: str) -> torch.utils.data.Dataset:
    """The training data set for a config (flow attached when the flow loss is on)."""
    from flowmark_core.data.dataset import FramesDataset

    fc = cfg.loss.flow
    with_flow = fc.weight > 0 or fc.jacobian_weight > 0 or fc.heatmap_weight > 0
    return FramesDataset(
        root=root,
        split="train",
        image_size=cfg.model.image_size,
        frame_gap=cfg.data.frame_gap,
        with_flow=with_flow,
        id_sampling=cfg.data.id_sampling,
        repeats=cfg.data.repeats,
        augment=cfg.data.augment,
        flow_method=cfg.data.flow_method,
        flow_preset=cfg.data.flow_preset,
    )


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (e.g. a job scheduler stopping us) like Ctrl-C: checkpoint, then exit."""

    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run(args: argparse.Namespace) -> int:
    from flowmark_core.training.trainer import Trainer

    cfg = load_config(args.config, args.overrides)
    root = args.data or cfg.data.root
    if not root:
        raise ConfigError(f"{args.config}: no data folder; pass --data DIR or set data.root")
    if not Path(root).is_dir():
        raise DatasetError(
            f"{root}: data folder not found (expected a folder with train/ and test/)"
        )
    if args.threads:
        torch.set_num_threads(args.threads)
    if cfg.train.deterministic:
        torch.use_deterministic_algorithms(True)
    out = Path(args.out or Path("runs") / Path(args.config).stem)
    _stop_on_sigterm()
    dist = init_distributed(args.device)
    try:
        dataset = make_dataset(cfg, root)
        if dist.is_main:
            out.mkdir(parents=True, exist_ok=True)
        trainer = Trainer(
            cfg,
            dataset,
            out,
            dist,
            max_steps=args.max_steps,
            resume=Path(args.resume) if args.resume else None,
            init=Path(args.init) if args.init else None,
        )
        trainer.run()
        if dist.is_main:
            print(
                f"flowmark train: done at step {trainer.step}; model in {out / 'model.safetensors'}"
            )
    finally:
        shutdown_distributed()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of train.py; exit 0 ok, 2 user error, 130 Ctrl-C, 1 bug."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write("train.py: interrupted; the checkpoint was saved\n")
        return 130
    except FlowmarkError as exc:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"train.py: error: {exc}\n")
        return 2

"""`train.py` command line: parse, check, load config and data, run the Trainer (DDP-aware).

Everything a user can get wrong is checked before any work starts (one line, exit 2): the
options' ranges, the config's values (in the typed config), the data folder, and `--out`,
which must not be a file and must not already hold a run unless `--resume` or `--overwrite`
says what to do with it. SIGINT and SIGTERM (also to the whole process group) save a
checkpoint and exit 130; a full disk is one line naming the folder.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from flowmark_core.cli.common import DEVICES, HelpFormatter, OneLineParser, int_in_range
from flowmark_core.cli.run_record import check_same_run, write_run_record
from flowmark_core.errors import ConfigError, DatasetError, FlowmarkError, OutputFileError

#: Files whose presence means a folder holds a run (= trainer.RUN_FILES; no torch import here).
RUN_FILES = ("train-state.pt", "model.safetensors")

EXAMPLES = """examples:
  python train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 --out runs/faces
  python train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 --resume runs/faces
  python train.py --config configs/puppets-faces-128.yaml --set loss.flow.weight=1 --out runs/w1
  torchrun --nproc_per_node=4 train.py --config configs/vox-256.yaml --data /data/vox --device cuda
"""


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="train.py",
        description="Train a flowmark motion model.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
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
        "--out",
        default=None,
        help="run folder for checkpoints and logs; None: the --resume folder, else runs/<config>",
    )
    p.add_argument(
        "--resume", default=None, help="train-state.pt (or its run folder) to resume from"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh in an --out that already holds a run (its checkpoints are replaced)",
    )
    p.add_argument(
        "--force-resume",
        action="store_true",
        help="resume even with another config or --data than the resumed run's",
    )
    p.add_argument(
        "--init",
        default=None,
        help="start from a model.safetensors (weights + its step, fresh optimiser state)",
    )
    p.add_argument(
        "--max-steps",
        type=int_in_range(1),
        default=None,
        help="stop after this many steps in total; None: the config's train.steps",
    )
    p.add_argument(
        "--device", choices=DEVICES, default=None, help="None: cuda if available, else cpu"
    )
    p.add_argument(
        "--threads", type=int_in_range(1, 1024), default=None, help="CPU threads for PyTorch"
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def run_folder(args: argparse.Namespace) -> Path:
    """The run folder: --out, else the folder of --resume, else runs/<config name>."""
    if args.out:
        return Path(args.out)
    if args.resume:
        resume = Path(args.resume)
        return resume if resume.is_dir() else resume.parent
    return Path("runs") / Path(args.config).stem


def check_run_folder(out: Path, args: argparse.Namespace, data: Path | None = None) -> None:
    """Refuse a run folder that is a file, inside the data set, or that holds a run other
    than the one resumed, unless --overwrite (`flowmark_core.cli.run_folder`)."""
    from flowmark_core.cli.run_folder import check_run_folder as check

    resume = Path(args.resume) if args.resume else None
    check(out, RUN_FILES, resume, args.overwrite, data)


def run(args: argparse.Namespace) -> int:
    import torch

    from flowmark_core.config.files import load_config
    from flowmark_core.training.data import make_dataset
    from flowmark_core.training.distributed import init_distributed, shutdown_distributed
    from flowmark_core.training.interrupts import stop_on_signals
    from flowmark_core.training.trainer import Trainer

    cfg = load_config(args.config, args.overrides)
    root = args.data or cfg.data.root
    if not root:
        raise ConfigError(f"{args.config}: no data folder; pass --data DIR or set data.root")
    if not Path(root).is_dir():
        raise DatasetError(
            f"{root}: data folder not found (expected a folder with train/ and test/)"
        )
    for name, value in (("--resume", args.resume), ("--init", args.init)):
        if value and not Path(value).exists():
            raise OutputFileError(f"{value}: {name} file or folder not found")
    out = run_folder(args)
    check_run_folder(out, args, Path(root))
    if args.threads:
        torch.set_num_threads(args.threads)
    if cfg.train.deterministic:
        torch.use_deterministic_algorithms(True)
    created = not out.exists()
    with stop_on_signals(), _held(out):
        dist = init_distributed(args.device)
        finished = False
        try:
            if args.resume and not args.force_resume:
                check_same_run(resume_folder(args), cfg, root)
            dataset = make_dataset(cfg, root)
            trainer = Trainer(
                cfg,
                dataset,
                out,
                dist,
                max_steps=args.max_steps,
                resume=Path(args.resume) if args.resume else None,
                init=Path(args.init) if args.init else None,
            )
            if dist.is_main:
                write_run_record(out, cfg, root)
            trainer.run()
            if dist.is_main:
                print(
                    f"flowmark train: done at step {trainer.step}; "
                    f"model in {out / 'model.safetensors'}"
                )
            finished = True
        except BaseException:
            if created:  # a failed start leaves no run folder behind (only an empty one goes)
                _remove_if_only_logs(out)
            raise
        finally:
            shutdown_distributed(finished)
    return 0


def _held(out: Path) -> contextlib.AbstractContextManager[object]:
    """The run folder held by this run (the main process of a torchrun job holds it)."""
    import os

    from flowmark_core.cli.run_folder import run_folder_held

    if int(os.environ.get("RANK", "0")) != 0:
        return contextlib.nullcontext()
    return run_folder_held(out, RUN_FILES)


def resume_folder(args: argparse.Namespace) -> Path:
    """The run folder --resume names (it may name its train-state.pt)."""
    resume = Path(args.resume)
    return resume if resume.is_dir() else resume.parent


def _remove_if_only_logs(out: Path) -> None:
    """Remove a run folder this start created when it holds no checkpoint."""
    import shutil

    if not out.is_dir() or any((out / name).exists() for name in RUN_FILES):
        return
    with contextlib.suppress(OSError):
        shutil.rmtree(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of train.py; exit 0 ok, 2 user error, 130 Ctrl-C/SIGTERM, 1 bug."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt as exc:
        if getattr(exc, "saved", False):  # interrupts.Stopped after a checkpoint
            sys.stderr.write("train.py: interrupted; the checkpoint was saved\n")
        else:
            sys.stderr.write(
                "train.py: interrupted; no checkpoint written (any earlier one is kept)\n"
            )
        return 130
    except FlowmarkError as exc:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"train.py: error: {exc}\n")
        return 2
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        if args.debug:
            traceback.print_exc()
        where = Path(exc.filename).parent if exc.filename else run_folder(args)
        sys.stderr.write(f"train.py: error: no space left on {where}\n")
        return 2

"""`flowmark train-prior`: train the keypoint motion prior of an animation model (image-to-video).

Heavy imports (torch, OpenCV) happen inside `run_train_prior`, not at module level.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.cli.common import MAX_SEED, finite_float, int_in_range, positive_float

#: = flowmark_core.motion_prior.config.MAX_FRAMES / MAX_HIDDEN / MAX_LATENT (that package
#: imports torch, which the parser must not; tests/core/faults/test_training_round3.py
#: checks that they agree).
MAX_FRAMES = 256
MAX_HIDDEN = 4096
MAX_LATENT = 1024

EPILOG = """examples:
  flowmark train-prior data/puppets-faces-128 --out runs/prior-faces
  flowmark train-prior data/puppets-faces-128 --tracks flow --steps 3000 --out runs/prior-flow
  flowmark train-prior data/puppets-faces-128 --resume runs/prior-faces

The prior is written to OUT/prior.safetensors (and OUT/prior-train-state.pt for resuming)
every --checkpoint-every steps, at the end and on Ctrl-C, SIGTERM or SIGHUP (after the step
in hand). An OUT that holds a prior needs --resume OUT or --overwrite. Keypoint tracks are
cached in DATA_DIR/.track-cache (or --cache-dir), keyed on the model and the data's files. To use it with
`flowmark generate`, pass --prior OUT/prior.safetensors or copy it to
<model folder>/priors/<model name>.safetensors."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `train-prior` subcommand."""
    p = sub.add_parser(
        "train-prior",
        help="train the keypoint motion prior that `flowmark generate` samples from",
        description="Detect keypoint tracks in DATA_DIR/train with an animation model (once,\n"
        "cached), then train a conditional VAE with a recurrent decoder that predicts the\n"
        "next frames' keypoints and Jacobians from the first frame's.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data_dir", metavar="DATA_DIR", help="data set root holding train/")
    p.add_argument(
        "--model",
        default=None,
        help="animation model (bundled name or .safetensors; default: the bundled default)",
    )
    p.add_argument("--out", default=None, help="run folder (default runs/prior-<model name>)")
    p.add_argument("--resume", default=None, help="run folder or prior-train-state.pt to resume")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh in an --out that already holds a prior (it is replaced)",
    )
    p.add_argument(
        "--force-resume",
        action="store_true",
        help="resume even with other options, data or --model than the resumed run",
    )
    p.add_argument(
        "--tracks",
        choices=["raw", "flow"],
        default="raw",
        help="raw detector tracks or flow-stabilised ones",
    )
    p.add_argument(
        "--frames",
        type=int_in_range(1, MAX_FRAMES),
        default=32,
        help="frames predicted after the first (default 32)",
    )
    p.add_argument(
        "--steps", type=int_in_range(1), default=3000, help="optimisation steps (default 3000)"
    )
    p.add_argument(
        "--max-steps",
        type=int_in_range(1),
        default=None,
        help="stop after this many steps in total",
    )
    p.add_argument(
        "--checkpoint-every",
        type=int_in_range(1),
        default=500,
        help="save the prior and its training state every N steps (default 500)",
    )
    p.add_argument("--batch-size", type=int_in_range(1, 65536), default=64)
    p.add_argument("--lr", type=positive_float(1.0), default=2e-3)
    p.add_argument("--kl-weight", type=finite_float(0.0), default=1e-3)
    p.add_argument(
        "--hidden", type=int_in_range(4, MAX_HIDDEN), default=128, help="recurrent cell width"
    )
    p.add_argument(
        "--latent", type=int_in_range(1, MAX_LATENT), default=16, help="latent code size"
    )
    p.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    p.add_argument("--seed", type=int_in_range(0, MAX_SEED), default=0)
    p.add_argument(
        "--max-videos", type=int_in_range(1), default=None, help="use the first N training videos"
    )
    p.add_argument(
        "--cache-dir", default=None, help="track cache folder (default DATA_DIR/.track-cache)"
    )
    p.add_argument(
        "--threads", type=int_in_range(1, 1024), default=None, help="CPU threads for PyTorch"
    )
    p.set_defaults(func=run_train_prior)


def run_train_prior(args: argparse.Namespace) -> int:
    """Check every option and folder, extract (or load cached) tracks, then train; a stop
    signal saves a checkpoint after the step in hand."""
    import torch

    from flowmark_core.checkpoints import load_checkpoint, resolve_model_path
    from flowmark_core.cli.common import progress_bar
    from flowmark_core.cli.run_folder import check_run_folder, inside, run_folder_held
    from flowmark_core.errors import DatasetError, OutputFileError
    from flowmark_core.io.atomic import resolved
    from flowmark_core.io.file_digest import file_digest
    from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig
    from flowmark_core.motion_prior.tracks import cached_tracks
    from flowmark_core.motion_prior.training import PRIOR_FILE, PRIOR_STATE_FILE, PriorTrainer
    from flowmark_core.training.interrupts import deferred_stops, stop_on_signals

    data = Path(args.data_dir)
    if not data.is_dir():
        raise DatasetError(f"{data}: data folder not found (expected a folder with train/)")
    model_path = resolve_model_path(args.model)
    resume = Path(args.resume) if args.resume else None
    if resume is not None and not resume.exists():
        raise OutputFileError(f"{resume}: --resume file or folder not found")
    out = Path(args.out or args.resume or Path("runs") / f"prior-{model_path.stem}")
    if resume is not None and resume.is_file():
        out = Path(args.out or resume.parent)
    run_files = (PRIOR_FILE, PRIOR_STATE_FILE)
    check_run_folder(out, run_files, resume, args.overwrite, data)
    cache = Path(args.cache_dir or data / ".track-cache")
    _check_cache_folder(cache)
    if args.cache_dir and inside(cache, out):
        raise OutputFileError(f"{cache}: --cache-dir is inside the run folder {out}")
    mcfg = PriorModelConfig(hidden=args.hidden, latent=args.latent, cell=args.cell)
    tcfg = PriorTrainConfig(
        frames=args.frames,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        kl_weight=args.kl_weight,
        seed=args.seed,
        tracks=args.tracks,
        checkpoint_every=args.checkpoint_every,
    )
    if args.threads:
        torch.set_num_threads(args.threads)
    model, _meta = load_checkpoint(model_path)
    mcfg = PriorModelConfig(
        num_kp=model.config.num_kp, hidden=mcfg.hidden, latent=mcfg.latent, cell=mcfg.cell
    )
    with stop_on_signals(), run_folder_held(out, run_files):
        bar = progress_bar(None, f"tracking keypoints ({args.tracks})")
        bar.unit = "video"

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            tracks, cache_path, was_cached = cached_tracks(
                model, model_path, data, cache, "train", args.tracks, args.max_videos, advance
            )
        finally:
            bar.close()
        how = "cached" if was_cached else "extracted"
        print(f"flowmark train-prior: {len(tracks)} tracks {how} ({cache_path})", flush=True)
        meta = {
            "animation_model": model_path.stem,
            "animation_model_digest": file_digest(model_path),
            "num_kp": model.config.num_kp,
            "image_size": model.config.image_size,
            "tracks": args.tracks,
            "train_videos": len(tracks),
            "data": str(resolved(data)),
        }
        del model
        trainer = PriorTrainer(
            mcfg, tcfg, tracks, out, meta, resume, args.max_steps, force=args.force_resume
        )
        print(
            f"flowmark train-prior: steps {trainer.step}->{trainer.total_steps}; "
            f"batch {tcfg.batch_size}",
            flush=True,
        )
        with deferred_stops():
            last = trainer.run()
    summary = ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "lr")
    print(
        f"flowmark train-prior: done at step {trainer.step} ({summary}); prior in {out / PRIOR_FILE}"
    )
    return 0


def _check_cache_folder(cache: Path) -> None:
    """The track cache folder must be a folder we can create or write (before tracking)."""
    import os

    from flowmark_core.errors import OutputFileError
    from flowmark_core.io.atomic import resolved

    if cache.exists() and not cache.is_dir():
        raise OutputFileError(
            f"{cache}: the track cache (--cache-dir) is a file; expected a folder"
        )
    existing = resolved(cache)
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise OutputFileError(
            f"{cache}: the track cache folder cannot be written ({existing} is read-only or "
            "not a folder); pass --cache-dir"
        )

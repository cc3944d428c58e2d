"""`flowmark train-prior`: train the keypoint motion prior of an animation model (image-to-video).

Heavy imports (torch, OpenCV) happen inside `run_train_prior`, not at module level.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from flowmark_core.io.process_guard import signals_handled

EPILOG = """examples:
  flowmark train-prior data/puppets-faces-128 --out runs/prior-faces
  flowmark train-prior data/puppets-faces-128 --tracks flow --steps 3000 --out runs/prior-flow
  flowmark train-prior data/puppets-faces-128 --resume runs/prior-faces

The prior is written to OUT/prior.safetensors (and OUT/prior-train-state.pt for resuming);
keypoint tracks are cached in DATA_DIR/.track-cache (or --cache-dir). To use it with
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
        "--tracks",
        choices=["raw", "flow"],
        default="raw",
        help="raw detector tracks or flow-stabilised ones",
    )
    p.add_argument(
        "--frames", type=int, default=32, help="frames predicted after the first (default 32)"
    )
    p.add_argument("--steps", type=int, default=3000, help="optimisation steps (default 3000)")
    p.add_argument(
        "--max-steps", type=int, default=None, help="stop after this many steps in total"
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--kl-weight", type=float, default=1e-3)
    p.add_argument("--hidden", type=int, default=128, help="recurrent cell width")
    p.add_argument("--latent", type=int, default=16, help="latent code size")
    p.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-videos", type=int, default=None, help="use the first N training videos")
    p.add_argument(
        "--cache-dir", default=None, help="track cache folder (default DATA_DIR/.track-cache)"
    )
    p.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")
    p.set_defaults(func=run_train_prior)


def run_train_prior(args: argparse.Namespace) -> int:
    """Extract (or load cached) tracks, then train; Ctrl-C / SIGTERM save a checkpoint."""
    import torch

    from flowmark_core.checkpoints import load_checkpoint, resolve_model_path
    from flowmark_core.cli.common import progress_bar
    from flowmark_core.errors import DatasetError
    from flowmark_core.io.file_digest import file_digest
    from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig
    from flowmark_core.motion_prior.tracks import cached_tracks
    from flowmark_core.motion_prior.training import PRIOR_FILE, PriorTrainer

    if not Path(args.data_dir).is_dir():
        raise DatasetError(
            f"{args.data_dir}: data folder not found (expected a folder with train/)"
        )
    if args.threads:
        torch.set_num_threads(args.threads)
    model_path = resolve_model_path(args.model)
    model, _meta = load_checkpoint(model_path)
    mcfg = PriorModelConfig(
        num_kp=model.config.num_kp, hidden=args.hidden, latent=args.latent, cell=args.cell
    )
    tcfg = PriorTrainConfig(
        frames=args.frames,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        kl_weight=args.kl_weight,
        seed=args.seed,
        tracks=args.tracks,
    )
    out = Path(args.out or args.resume or Path("runs") / f"prior-{model_path.stem}")
    if args.resume and Path(args.resume).is_file():
        out = Path(args.out or Path(args.resume).parent)
    cache = Path(args.cache_dir or Path(args.data_dir) / ".track-cache")
    bar = progress_bar(None, f"tracking keypoints ({args.tracks})")
    bar.unit = "video"

    def advance(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        tracks, cache_path, was_cached = cached_tracks(
            model, model_path, args.data_dir, cache, "train", args.tracks, args.max_videos, advance
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
        "data": str(args.data_dir),
    }
    del model
    trainer = PriorTrainer(
        mcfg, tcfg, tracks, out, meta, Path(args.resume) if args.resume else None, args.max_steps
    )
    print(
        f"flowmark train-prior: steps {trainer.step}->{trainer.total_steps}; batch {tcfg.batch_size}",
        flush=True,
    )
    try:
        with signals_handled(_sigterm_as_interrupt, [signal.SIGTERM]):  # restored after
            last = trainer.run()
    except KeyboardInterrupt:
        print(f"flowmark train-prior: interrupted at step {trainer.step}; saved {out / PRIOR_FILE}")
        raise
    summary = ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "lr")
    print(
        f"flowmark train-prior: done at step {trainer.step} ({summary}); prior in {out / PRIOR_FILE}"
    )
    return 0


def _sigterm_as_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt

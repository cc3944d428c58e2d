"""`flowmark data ...`: data set tools. `flowmark data synth` renders synthetic puppets."""

from __future__ import annotations

import argparse
import sys
import time

from flowmark_core.data.synthetic.identities import FAMILIES


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `data` command and its subcommands."""
    data = subparsers.add_parser("data", help="data set tools (synthetic puppets)")
    sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    sub.required = True
    synth = sub.add_parser(
        "synth",
        help="render a synthetic data set with landmark ground truth",
        description=(
            "Render synthetic talking heads or dancing figures into OUT/train and OUT/test "
            "(folders of PNG frames plus landmarks.npz), with disjoint identities per split."
        ),
    )
    synth.add_argument("--family", choices=FAMILIES, required=True, help="puppet kind")
    synth.add_argument("--videos", type=int, required=True, help="number of videos in all")
    synth.add_argument("--frames", type=int, default=64, help="frames per video (default 64)")
    synth.add_argument("--size", type=int, default=256, help="frame side in pixels, 64..512")
    synth.add_argument("--seed", type=int, default=0, help="data set seed (default 0)")
    synth.add_argument(
        "--test-fraction", type=float, default=0.15, help="share of identities held out for test"
    )
    synth.add_argument("--clips-per-id", type=int, default=2, help="videos per identity")
    synth.add_argument("--workers", type=int, default=2, help="rendering processes (default 2)")
    synth.add_argument("out", metavar="OUT", help="new (or empty) output folder")
    synth.set_defaults(func=run_synth)
    fetch = sub.add_parser(
        "fetch-real",
        help="extract the real evaluation clips and portraits into a cache (not git)",
        description="Run scripts/fetch_real_media.sh: cache $FLOWMARK_REAL_MEDIA "
        "(default ~/.cache/flowmark/real-media).",
    )
    fetch.set_defaults(func=run_fetch_real)
    from flowmark_core.data.capture_split import register_degrade

    register_degrade(sub)


def run_synth(args: argparse.Namespace) -> int:
    """Render the data set described by the parsed arguments."""
    from flowmark_core.data.synthetic.writer import synthesize_dataset

    start = time.perf_counter()
    counts = synthesize_dataset(
        args.out,
        family=args.family,
        videos=args.videos,
        frames=args.frames,
        size=args.size,
        seed=args.seed,
        test_fraction=args.test_fraction,
        clips_per_id=args.clips_per_id,
        workers=args.workers,
    )
    seconds = time.perf_counter() - start
    sys.stderr.write(
        f"wrote {counts['train']} train and {counts['test']} test videos to {args.out} "
        f"in {seconds:.1f} s\n"
    )
    return 0


def run_fetch_real(args: argparse.Namespace) -> int:
    """Fetch the real media into the cache; exit 2 naming what is still missing."""
    from flowmark_core.data.real_media import fetch_real_media, real_media_dir
    from flowmark_core.errors import InputFileError

    missing = fetch_real_media(python=sys.executable)
    if missing:
        raise InputFileError(
            f"real media cache {real_media_dir()}: still missing {', '.join(missing)}"
        )
    return 0

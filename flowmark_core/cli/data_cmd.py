"""`flowmark data ...`: data set tools. `flowmark data synth` renders synthetic puppets."""

from __future__ import annotations

import argparse
import sys
import time

from flowmark_core.cli.common import PUPPET_FAMILIES, HelpFormatter, int_in_range


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
        formatter_class=HelpFormatter,
    )
    synth.add_argument("--family", choices=PUPPET_FAMILIES, required=True, help="puppet kind")
    synth.add_argument(
        "--videos", type=int_in_range(1, 100_000), required=True, help="number of videos in all"
    )
    synth.add_argument(
        "--frames", type=int_in_range(2, 10_000), default=64, help="frames per video"
    )
    synth.add_argument("--size", type=int, default=256, help="frame side in pixels, 64..512")
    synth.add_argument("--seed", type=int_in_range(0), default=0, help="data set seed")
    synth.add_argument(
        "--test-fraction", type=float, default=0.15, help="share of identities held out for test"
    )
    synth.add_argument(
        "--clips-per-id", type=int_in_range(1, 1000), default=2, help="videos per identity"
    )
    synth.add_argument(
        "--workers", type=int_in_range(0, 256), default=2, help="rendering processes"
    )
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
    if counts["test"] == 0:
        sys.stderr.write(
            f"flowmark: note: no test video: {args.videos} video(s) at {args.clips_per_id} per "
            f"identity and --test-fraction {args.test_fraction} leave no identity for test/\n"
        )
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

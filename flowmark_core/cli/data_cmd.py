"""`flowmark data ...`: data set tools. `flowmark data synth` renders synthetic puppets."""

from __future__ import annotations

import argparse
import sys
import time

from flowmark_core.cli.common import PUPPET_FAMILIES, HelpFormatter, int_in_range


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `data` command and its subcommands."""
    data = subparsers.add_parser(
        "data", help="data set tools (prepare your videos, synthetic puppets)"
    )
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
    synth.add_argument(
        "--portraits",
        metavar="DIR",
        help="faces-photo: animate every .jpg/.png portrait under DIR (recursively) instead of "
        "the five cached faces; identities from a manifest.tsv in DIR or above (file, identity, "
        "source_repo), else one per file; test videos use only held-out identities",
    )
    synth.add_argument(
        "--exclude-identities",
        metavar="LIST_OR_FILE",
        help="with --portraits: identities used on neither side (comma list, a file with one "
        "per line, or a `data prepare` manifest.tsv: its test identities)",
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
    _register_prepare(sub)


def _register_prepare(sub: argparse._SubParsersAction) -> None:
    prepare = sub.add_parser(
        "prepare",
        help="cut your own talking-head videos into a training data set",
        description=(
            "Cut videos at shot changes, find the face (MediaPipe face detection, offline), "
            "give each shot ONE fixed square box with room for head motion (FOMM-style, never "
            "re-centred per frame), drop pieces that are too short, too small, blurred or "
            "mostly without a face, resize, and write OUT/train and OUT/test (folders of PNG "
            "frames named <identity>#<clip>) with manifest.tsv and skipped.tsv. The split keeps "
            "whole identities and whole sources on one side (labels from a manifest.tsv with "
            "file/identity/source_repo columns beside the inputs, or --metadata; otherwise the "
            "name before # (or the video) is the identity and its folder the source). Rerun to "
            "resume."
        ),
        formatter_class=HelpFormatter,
    )
    prepare.add_argument("inputs", nargs="+", metavar="VIDEOS_OR_FOLDERS")
    prepare.add_argument("-o", "--out", required=True, metavar="DATASET", help="output folder")
    prepare.add_argument("--size", type=int_in_range(64, 1024), default=256, help="frame side, px")
    prepare.add_argument("--metadata", help="manifest.tsv with file, identity, source_repo columns")
    prepare.add_argument(
        "--test-sources",
        default="",
        help="comma-separated sources (folder or source_repo) held out for test; "
        "default: drawn by --seed",
    )
    prepare.add_argument(
        "--test-fraction", type=float, default=0.15, help="share of videos held out when drawn"
    )
    prepare.add_argument(
        "--min-test-sources", type=int_in_range(1, 1000), default=3, help="whole sources in test"
    )
    prepare.add_argument(
        "--min-frames", type=int_in_range(2, 100_000), default=32, help="shortest clip kept"
    )
    prepare.add_argument(
        "--max-frames",
        type=int_in_range(2, 100_000),
        default=300,
        help="longer shots are cut into pieces, each with its own box",
    )
    prepare.add_argument(
        "--min-face-fraction",
        type=float,
        default=0.8,
        help="share of a piece's frames that must show a face",
    )
    prepare.add_argument(
        "--min-sharpness",
        type=float,
        default=15.0,
        help="median Laplacian variance of the face (lower: blurred)",
    )
    prepare.add_argument("--seed", type=int_in_range(0), default=0, help="split seed")
    prepare.set_defaults(func=run_prepare)


def _say_skipped(line: str) -> None:
    sys.stderr.write(f"flowmark: skipped: {line}\n")


def run_prepare(args: argparse.Namespace) -> int:
    """Prepare the data set described by the parsed arguments."""
    from pathlib import Path

    from flowmark_core.cli.common import progress_bar
    from flowmark_core.data.prepare.runner import prepare_dataset
    from flowmark_core.data.prepare.segments import SegmentRules
    from flowmark_core.data.prepare.sources import collect_videos
    from flowmark_core.errors import ConfigError

    if not 0.0 < args.test_fraction < 1.0:
        raise ConfigError(f"--test-fraction must be in (0, 1), got {args.test_fraction}")
    if not 0.0 <= args.min_face_fraction <= 1.0:
        raise ConfigError(f"--min-face-fraction must be in [0, 1], got {args.min_face_fraction}")
    if not 0.0 <= args.min_sharpness < 1e9:
        raise ConfigError(f"--min-sharpness must be >= 0, got {args.min_sharpness}")
    if args.min_frames > args.max_frames:
        raise ConfigError(
            f"--min-frames ({args.min_frames}) must not exceed --max-frames ({args.max_frames})"
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder; expected a new or empty folder")
    inputs = [Path(p) for p in args.inputs]
    for item in inputs:
        if item.exists() and (
            out.resolve() == item.resolve() or item.resolve() in out.resolve().parents
        ):
            raise ConfigError(f"{out}: the output folder must not be inside the input {item}")
    videos = collect_videos(inputs, Path(args.metadata) if args.metadata else None)
    rules = SegmentRules(
        size=args.size,
        min_frames=args.min_frames,
        max_frames=args.max_frames,
        min_face_fraction=args.min_face_fraction,
        min_sharpness=args.min_sharpness,
    )
    start = time.perf_counter()
    summary = prepare_dataset(
        videos,
        out,
        rules,
        test_sources=[s.strip() for s in args.test_sources.split(",") if s.strip()],
        test_fraction=args.test_fraction,
        min_test_sources=args.min_test_sources,
        seed=args.seed,
        progress=lambda total: progress_bar(total, "prepare"),
        warn=_say_skipped,
    )
    seconds = time.perf_counter() - start
    resumed = f" ({summary.resumed} video(s) already done)" if summary.resumed else ""
    sys.stderr.write(
        f"wrote {summary.clips['train']} train clips ({summary.frames['train']} frames) and "
        f"{summary.clips['test']} test clips ({summary.frames['test']} frames) to {out}; "
        f"{summary.dropped} piece(s) dropped (see skipped.tsv), "
        f"{len(summary.bad_inputs)} bad input(s){resumed}, in {seconds:.1f} s\n"
    )
    return 0


def run_synth(args: argparse.Namespace) -> int:
    """Render the data set described by the parsed arguments."""
    from flowmark_core.data.synthetic.writer import synthesize_dataset

    if args.portraits is not None or args.exclude_identities is not None:
        return _run_portrait_synth(args)
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


def _run_portrait_synth(args: argparse.Namespace) -> int:
    """`data synth --family faces-photo --portraits DIR`: faces from a folder of portraits."""
    from flowmark_core.data.synthetic.portrait_folder import read_identity_list
    from flowmark_core.data.synthetic.portrait_writer import synthesize_portrait_dataset
    from flowmark_core.errors import ConfigError

    if args.portraits is None:
        raise ConfigError("--exclude-identities needs --portraits DIR")
    if args.family != "faces-photo":
        raise ConfigError(f"--portraits needs --family faces-photo, got --family {args.family}")
    exclude = read_identity_list(args.exclude_identities) if args.exclude_identities else set()
    start = time.perf_counter()
    s = synthesize_portrait_dataset(
        args.out, args.portraits, args.videos, args.frames, args.size, seed=args.seed,
        test_fraction=args.test_fraction, clips_per_id=args.clips_per_id,
        workers=args.workers, exclude=exclude,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if s.counts["test"] == 0:
        sys.stderr.write(
            f"flowmark: note: no test video: {args.videos} video(s) at {args.clips_per_id} per "
            f"identity and --test-fraction {args.test_fraction} leave no identity for test/\n"
        )
    sys.stderr.write(
        f"wrote {s.counts['train']} train and {s.counts['test']} test videos to {args.out} "
        f"from {s.portraits_used} portraits of {s.identities['train']} train and "
        f"{s.identities['test']} test identities in {seconds:.1f} s; skipped {s.no_face} "
        f"portrait(s) without a face, {s.turned} turned too far, {s.unreadable} unreadable, "
        f"{s.excluded} of excluded identities\n"
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

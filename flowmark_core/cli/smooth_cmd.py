"""`flowmark smooth`: a landmark track smoothed over its video, written in its own format."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.cli.common import HelpFormatter

#: = flowmark_core.stabilize.track_smoothing.FILTERS + "auto" (those modules import OpenCV).
FILTER_NAMES: tuple[str, ...] = (
    "none",
    "one-euro",
    "kalman",
    "savgol",
    "flow",
    "flow-offline",
    "auto",
)
#: = flowmark_core.landmarks.formats.FORMATS.
FORMAT_NAMES: tuple[str, ...] = (
    "mediapipe-json",
    "mediapipe-csv",
    "openface",
    "openpose",
    "pts",
    "deeplabcut",
    "csv",
    "npz",
)
MATCH_NAMES: tuple[str, ...] = ("index", "timestamp")


def add_track_options(p: argparse.ArgumentParser) -> None:
    """VIDEO, TRACK, --format and --match (shared with `flowmark jitter`)."""
    p.add_argument("video", help="the video the track was made on (file or folder of frames)")
    p.add_argument("track", help="landmark track file or folder (see docs/jitter-lab.md)")
    p.add_argument(
        "--format",
        choices=FORMAT_NAMES,
        default=None,
        help="the track's format; None: detected from its extension and content",
    )
    p.add_argument(
        "--match",
        choices=MATCH_NAMES,
        default="index",
        help="pair track rows with video frames by frame index or by timestamp",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "smooth",
        help="smooth a landmark track (MediaPipe, OpenFace, OpenPose, dlib, DeepLabCut, ...)",
        description="Smooth TRACK, made by any detector on VIDEO, with one filter and write "
        "it to OUT in TRACK's own format and layout (other columns and keys kept), so the "
        "pipeline that reads TRACK reads OUT unchanged. flow and flow-offline follow the "
        "image content with optical flow; auto measures the clip and picks a filter.",
        epilog="example:\n  flowmark smooth clip.mp4 face.json --filter flow-offline "
        "-o face.smooth.json",
        formatter_class=HelpFormatter,
    )
    add_track_options(p)
    p.add_argument("--filter", choices=FILTER_NAMES, required=True, help="the filter")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter of the filter (repeatable), e.g. window=9 for savgol",
    )
    p.add_argument(
        "--region-strength",
        action="append",
        default=[],
        metavar="GROUP=S",
        help="smoothing strength of a region (repeatable; 1 = as set, 0 = raw), e.g. lips=0.5",
    )
    p.add_argument(
        "-o", "--output", required=True, help="output file (or new folder), TRACK's format"
    )
    p.set_defaults(func=run_smooth)


def run_smooth(args: argparse.Namespace) -> int:
    from flowmark_core.cli.common import note
    from flowmark_core.cli.key_values import parse_key_values
    from flowmark_core.io.atomic import refuse_output_over_input
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.landmarks.formats import check_output, detect_format, write_track
    from flowmark_core.landmarks.smoothing import load_matched, smooth_matched

    params = parse_key_values(args.param, "--param")
    strength = parse_key_values(args.region_strength, "--region-strength")
    track_format = args.format or detect_format(args.track)
    check_output(args.output, track_format)
    refuse_output_over_input(args.output, args.track, args.video)
    video = open_video(args.video)
    matched = load_matched(args.track, video, track_format, args.match)
    smoothed, applied = smooth_matched(matched, video, args.filter, params, strength)
    if applied.reason:
        note(f"auto chose {applied.name}: {applied.reason}")
    write_track(matched.track.with_points(smoothed), args.output, format=track_format)
    shown = ", ".join(f"{k}={v}" for k, v in applied.params.items())
    print(
        f"smoothed {matched.track.num_frames} frames x {matched.track.num_points} points with "
        f"{applied.name}{f' ({shown})' if shown else ''} to {Path(args.output)}"
    )
    return 0

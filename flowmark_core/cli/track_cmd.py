"""`flowmark track`: a built-in detector's landmarks over a video, to a track file."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.cli.common import HelpFormatter, add_model_options, progress_bar

#: = flowmark_core.landmarks.tracking.DETECTORS (that module imports numpy).
DETECTOR_NAMES: tuple[str, ...] = (
    "mediapipe-face",
    "mediapipe-pose",
    "mediapipe-hands",
    "flowmark",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "track",
        help="track landmarks over a video with a built-in detector",
        description="Run a built-in landmark detector over VIDEO, one frame at a time, and "
        "save its track: MediaPipe face mesh (478 points with iris), pose (33), hands (21), "
        "or flowmark's own keypoints. The output format follows the extension: .csv (frame, "
        "point, x, y[, confidence]), .json (MediaPipe landmarks, flowmark layout) or .npz. "
        "Coordinates are pixels; see docs/jitter-lab.md.",
        epilog="example:\n  flowmark track clip.mp4 --detector mediapipe-face -o face.csv",
        formatter_class=HelpFormatter,
    )
    p.add_argument("video", help="video or folder of frames")
    p.add_argument("--detector", choices=DETECTOR_NAMES, required=True, help="landmark detector")
    p.add_argument("-o", "--output", required=True, help="output .csv, .json or .npz file")
    add_model_options(p)
    p.set_defaults(func=run_track)


def run_track(args: argparse.Namespace) -> int:
    from flowmark_core.io.atomic import check_writable_dir, refuse_output_over_input
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.landmarks.formats import output_format, write_track
    from flowmark_core.landmarks.tracking import track_video

    out_format = output_format(args.output)
    check_writable_dir(Path(args.output))
    refuse_output_over_input(args.output, args.video)
    video = open_video(args.video)
    animator = None
    if args.detector == "flowmark":
        from flowmark_core.cli.common import load_animator

        animator = load_animator(args, face_crop=True)
    bar = progress_bar(video.frame_count, f"tracking ({args.detector})")
    try:
        track = track_video(video, args.detector, lambda i, _t: bar.update(1), animator)
    finally:
        bar.close()
    write_track(track, args.output, format=out_format)
    found = int(track.found().any(axis=1).sum())
    print(
        f"wrote {track.num_frames} frames x {track.num_points} points ({found} frames with "
        f"landmarks) to {args.output}"
    )
    return 0

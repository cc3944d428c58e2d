"""`flowmark keypoints` (trajectories to .npz) and `flowmark parts` (heatmap grid PNG)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.cli.common import (
    HelpFormatter,
    add_model_options,
    add_stabilize_option,
    choose_model_for_source,
    load_animator,
    load_source_image,
    open_driving_video,
    parse_stabilizer_params,
    progress_bar,
)
from flowmark_core.errors import FlowmarkError, OutputFileError


def _check_output(output: str, suffix: str, *inputs: str) -> None:
    """Before any work: the right extension, a writable folder, not one of the inputs."""
    from flowmark_core.io.atomic import check_writable_dir, refuse_output_over_input

    if Path(output).suffix.lower() != suffix:
        article = "an" if suffix == ".npz" else "a"  # "an .npz", "a .png"
        raise OutputFileError(f"{output}: expected {article} {suffix} output file")
    check_writable_dir(Path(output))
    refuse_output_over_input(output, *inputs)


def register(sub: argparse._SubParsersAction) -> None:
    k = sub.add_parser(
        "keypoints",
        help="export keypoint trajectories of a video",
        description="Detect (and optionally stabilise) keypoints over VIDEO and save "
        "raw and stabilised (T,K,2) pixel trajectories plus Jacobians.",
        epilog="example:\n  flowmark keypoints clip.mp4 -o track.npz --stabilize flow",
        formatter_class=HelpFormatter,
    )
    k.add_argument("video", help="video or folder of frames")
    k.add_argument("-o", "--output", required=True, help="output .npz file")
    add_model_options(k)
    add_stabilize_option(k)
    k.set_defaults(func=run_keypoints)

    p = sub.add_parser(
        "parts",
        help="draw the part activation maps (heatmaps) of an image",
        description="Save a grid of the K part activation maps over IMAGE with the "
        "landmarks drawn.",
        epilog="example:\n  flowmark parts face.png -o parts.png",
        formatter_class=HelpFormatter,
    )
    p.add_argument("image", help="image file")
    p.add_argument("-o", "--output", required=True, help="output .png file")
    add_model_options(p, "IMAGE")
    p.set_defaults(func=run_parts)


def run_keypoints(args: argparse.Namespace) -> int:
    import numpy as np

    from flowmark_core.animate.track_file import save_track

    _check_output(args.output, ".npz", args.video)
    video = open_driving_video(args.video)
    animator = load_animator(
        args, stabilizer=args.stabilize, stabilizer_params=parse_stabilizer_params(args)
    )
    bar = progress_bar(video.frame_count, "tracking")
    try:
        track = animator.track(video, fps=video.fps, progress=lambda i, _t: bar.update(1))
    finally:
        bar.close()
    save_track(args.output, track, extra={"video_size": np.array(video.size)})
    print(f"wrote {track.raw.shape[0]} frames x {track.raw.shape[1]} keypoints to {args.output}")
    return 0


def run_parts(args: argparse.Namespace) -> int:
    from flowmark_core.drawing import parts_grid
    from flowmark_core.io.images import write_image

    _check_output(args.output, ".png", args.image)
    image = load_source_image(args.image)
    choose_model_for_source(args, image, args.image)
    animator = load_animator(args)
    kp = animator.set_source(image)
    if kp.heatmap is None:  # set_source keeps the source's heatmaps
        raise FlowmarkError(f"{args.image}: the model gave no keypoint heatmaps to draw")
    grid = parts_grid(animator.source_image, kp.heatmap, kp.value)
    write_image(args.output, grid)
    print(f"wrote {len(kp.value)} part maps to {args.output}")
    return 0

"""`flowmark animate` and `flowmark reconstruct`: render a driving video onto a source."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from flowmark_core.cli.common import (
    MAX_FPS,
    MAX_OUTPUT_SIDE,
    MIN_OUTPUT_SIDE,
    MOTION_MODES,
    HelpFormatter,
    add_model_options,
    add_stabilize_option,
    choose_model_for_source,
    int_in_range,
    load_animator,
    load_source_image,
    note,
    open_driving_video,
    parse_stabilizer_params,
    positive_float,
)
from flowmark_core.cli.video_output import (
    VIDEO_OUTPUT_EXTENSIONS as VIDEO_OUTPUT_EXTENSIONS,  # re-exported (moved there)
)
from flowmark_core.cli.video_output import check_video_output, write_outputs
from flowmark_core.errors import ConfigError, InputFileError

if TYPE_CHECKING:
    import numpy as np

    from flowmark_core.animate import Animator
    from flowmark_core.io.video_base import VideoReader
    from flowmark_core.mesh_motion import HybridMotionAnimator


ANIMATE_EXAMPLES = """examples:
  flowmark animate face.png driving.mp4 -o out.mp4
  flowmark animate face.png driving.mp4 -o out.gif --stabilize flow --adapt-scale
  flowmark animate face.png drive.mp4 -o out.mp4 --model vox-cpk.pth.tar --config vox-256.yaml
  flowmark animate portrait.jpg talking.mp4 -o out.mp4 --motion mesh
  flowmark animate portrait.jpg talking.mp4 -o out.mp4 --motion hybrid
"""

MOTIONS: tuple[str, ...] = ("auto", "keypoints", "mesh", "hybrid")
HYBRID_NOTE = " with the face mesh's expression (--motion hybrid)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "animate",
        help="animate a source image with a driving video",
        description="Animate SOURCE (an image) with the motion of DRIVING (a video).",
        epilog=ANIMATE_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("source", help="source image (png, jpg, ...)")
    p.add_argument("driving", help="driving video (mp4, gif, ...) or folder of frames")
    p.add_argument("-o", "--output", required=True, help="output video (.mp4 or .gif)")
    p.add_argument(
        "--motion",
        choices=MOTIONS,
        default="auto",
        help="auto (default): hybrid for a photo of a face (when mediapipe is installed and "
        "no --size is given), keypoints for anything else; keypoints: the model's learned "
        "keypoints; hybrid: the model renders, then the mouth, eyes and brows are moved by the "
        "driver's face mesh (faces only; output at the source's resolution, no --size); mesh: "
        "MediaPipe's face mesh of the driver (flow-stabilised) warps the source's fitted mesh, "
        "faces only, no model (--stabilizer-param sets the flow stabiliser; model, mode and "
        "crop options do not apply)",
    )
    add_model_options(p, "SOURCE")
    p.add_argument("--mode", choices=MOTION_MODES, default="relative", help="motion transfer mode")
    p.add_argument(
        "--adapt-scale", action="store_true", help="scale motion by the keypoint hull areas"
    )
    p.add_argument(
        "--find-best-frame",
        action="store_true",
        help="use the driving frame closest in pose to the source as the reference",
    )
    add_stabilize_option(p)
    p.add_argument(
        "--crop", action="store_true", help="crop faces (OpenCV Haar cascade) and paste back"
    )
    p.add_argument(
        "--fps",
        type=positive_float(MAX_FPS),
        default=None,
        help="output frame rate; None: the driving video's",
    )
    p.add_argument(
        "--size",
        type=int_in_range(MIN_OUTPUT_SIDE, MAX_OUTPUT_SIDE),
        default=None,
        help=f"output side in px ({MIN_OUTPUT_SIDE}..{MAX_OUTPUT_SIDE}), the model's output "
        "resized; None: the source's size (capped at 1024), the motion applied at full resolution",
    )
    p.set_defaults(func=run_animate)

    r = sub.add_parser(
        "reconstruct",
        help="reconstruct a video from its first frame",
        description="Reconstruct VIDEO using its first frame as the source.",
        epilog="example:\n  flowmark reconstruct clip.mp4 -o rec.mp4",
        formatter_class=HelpFormatter,
    )
    r.add_argument("video", help="video to reconstruct")
    r.add_argument("-o", "--output", required=True, help="output video (.mp4 or .gif)")
    add_model_options(r, "VIDEO's first frame")
    add_stabilize_option(r)
    r.set_defaults(func=run_reconstruct)


def _write(
    animator: Animator | HybridMotionAnimator,
    frames_source: VideoReader,
    driving: str,
    output: str,
    fps: float,
    size: int | None,
    find_best: bool = False,
) -> int:
    stream = animator.animate(frames_source, find_best=find_best, fps=frames_source.fps)
    return write_outputs(stream, frames_source, driving, output, fps, size)


def run_animate(args: argparse.Namespace) -> int:
    if args.motion == "mesh":
        from flowmark_core.cli.animate_mesh import run_mesh_animate

        return run_mesh_animate(args)
    if args.motion == "hybrid" and args.size is not None:
        raise ConfigError(
            "--size does not apply to --motion hybrid (the expression is drawn on the output at "
            "the source's resolution, capped at 1024 px)"
        )
    check_video_output(args.output, args.source, args.driving)
    source = load_source_image(args.source)
    driving = open_driving_video(args.driving)
    motion, photo = _motion_for_source(args, source)
    also = HYBRID_NOTE if args.motion == "auto" and motion == "hybrid" else ""
    choose_model_for_source(args, source, args.source, photo=photo, also=also)
    full = args.size is None  # default: output at the source's size (full_resolution.py)
    animator = load_animator(
        args,
        stabilizer=args.stabilize,
        stabilizer_params=parse_stabilizer_params(args),
        face_crop=args.crop,
        full_resolution=full,
    )
    animator.set_transfer(mode=args.mode, adapt_scale=args.adapt_scale)
    s = animator.size
    height, width = source.shape[:2]
    if (height, width) != (s, s) and not args.crop and not full:
        side = min(height, width)
        square = "" if height == width else f", its centred {side}x{side} square (not stretched)"
        note(f"source {width}x{height}{square} is resized to the model's {s}x{s}")
    fps = args.fps or driving.fps
    if motion == "hybrid":
        n = _write_hybrid(animator, source, driving, args, fps, fallback=args.motion == "auto")
    else:
        animator.set_source(source)
        n = _write(
            animator, driving, args.driving, args.output, fps, args.size, args.find_best_frame
        )
    print(f"wrote {n} frames to {args.output}")
    return 0


def _motion_for_source(args: argparse.Namespace, source: np.ndarray) -> tuple[str, bool | None]:
    """The motion to use (`--motion auto` resolved) and whether the source looks like a real
    photo (None: not judged). Auto: hybrid for a photo of a face when mediapipe is installed
    and the output is at the source's resolution (no --size), else keypoints."""
    if args.motion != "auto":
        return args.motion, None
    from flowmark_core.animate.source_kind import looks_like_real_photo
    from flowmark_core.metrics.reference_mesh import mediapipe_available

    photo = looks_like_real_photo(args.source, source)
    hybrid = photo and args.size is None and mediapipe_available() is None
    return ("hybrid" if hybrid else "keypoints"), photo


def _write_hybrid(
    animator: Animator,
    source: np.ndarray,
    driving: VideoReader,
    args: argparse.Namespace,
    fps: float,
    fallback: bool,
) -> int:
    """Animate with the model and the face mesh's expression (`HybridMotionAnimator`); with
    `fallback` (chosen by --motion auto) a photo whose face the mesh does not find is
    animated by the keypoints alone, said in one note line."""
    from flowmark_core.mesh_motion import HybridMotionAnimator

    with HybridMotionAnimator(animator) as hybrid:  # the mesh's own flow stabiliser
        try:
            hybrid.set_source(source, f"SOURCE {args.source}")
        except InputFileError:
            if not fallback:
                raise
            note(f"{args.source}: the face mesh finds no face; animating with the keypoints alone")
            return _write(
                animator, driving, args.driving, args.output, fps, None, args.find_best_frame
            )
        return _write(hybrid, driving, args.driving, args.output, fps, None, args.find_best_frame)


def run_reconstruct(args: argparse.Namespace) -> int:
    import numpy as np

    check_video_output(args.output, args.video)
    video = open_driving_video(args.video)
    first = next(iter(video), None)
    if first is None:
        raise InputFileError(f"{args.video}: the video has no frames")
    label = f"{Path(args.video).name}'s first frame"
    choose_model_for_source(args, np.asarray(first), args.video, label)
    animator = load_animator(
        args, stabilizer=args.stabilize, stabilizer_params=parse_stabilizer_params(args)
    )
    animator.set_transfer(mode="absolute")
    animator.set_source(np.asarray(first))
    n = _write(animator, video, args.video, args.output, video.fps, None)
    print(f"wrote {n} reconstructed frames to {args.output}")
    return 0

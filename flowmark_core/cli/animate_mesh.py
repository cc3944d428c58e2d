"""`flowmark animate SOURCE DRIVING -o OUT --motion mesh`: animate by the face mesh.

No model: the driver's MediaPipe face mesh (flow-stabilised; `--stabilizer-param` sets the
flow stabiliser) moves the source's fitted mesh (`flowmark_core.mesh_motion`). Options of
the keypoint path that have no meaning here are refused, each in one line.
"""

from __future__ import annotations

import argparse

from flowmark_core.errors import ConfigError


def check_mesh_options(args: argparse.Namespace) -> None:
    """Refuse the keypoint-model options `--motion mesh` does not use.

    Raises:
        ConfigError: naming the first such option.
    """
    unused = {
        "--model": args.model is not None,
        "--config": args.config is not None,
        "--mode absolute": args.mode != "relative",
        "--adapt-scale": args.adapt_scale,
        "--find-best-frame": args.find_best_frame,
        "--crop": args.crop,
        f"--stabilize {args.stabilize}": args.stabilize not in ("none", "flow"),
    }
    for option, given in unused.items():
        if given:
            raise ConfigError(
                f"{option} does not apply to --motion mesh (no model; the driver's face mesh is "
                "always flow-stabilised and the whole source is animated)"
            )


def run_mesh_animate(args: argparse.Namespace) -> int:
    """Animate SOURCE by DRIVING's face mesh and write OUT (with the driving clip's sound)."""
    from flowmark_core.animate.full_resolution import MAX_OUTPUT_SIDE
    from flowmark_core.cli.common import (
        load_source_image,
        open_driving_video,
        parse_stabilizer_params,
    )
    from flowmark_core.cli.video_output import check_video_output, write_outputs
    from flowmark_core.mesh_motion import MeshMotionAnimator

    check_mesh_options(args)
    check_video_output(args.output, args.source, args.driving)
    source = load_source_image(args.source)
    driving = open_driving_video(args.driving)
    # --size is the output's longer side here (the source's shape is kept, never upscaled).
    max_side = MAX_OUTPUT_SIDE if args.size is None else args.size
    params = parse_stabilizer_params(args)
    with MeshMotionAnimator(params=params, max_side=max_side) as animator:
        animator.set_source(source, f"SOURCE {args.source}")
        stream = animator.animate(driving, fps=driving.fps)
        fps = args.fps or driving.fps
        n = write_outputs(stream, driving, args.driving, args.output, fps, None)
    print(f"wrote {n} frames to {args.output}")
    return 0

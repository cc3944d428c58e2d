"""`flowmark generate`: animate a still with motion sampled from the keypoint motion prior.

Heavy imports (torch, OpenCV) happen inside `run_generate`, not at module level.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from flowmark_core.cli.common import MAX_SEED, frame_rate, int_in_range

if TYPE_CHECKING:
    from flowmark_core.io.output_set import OutputSet

MAX_SAMPLES = 16
#: = motion_prior.config.MAX_FRAMES (frames after the first; that module imports no torch,
#: but this one stays free of library imports while the parser is built).
MAX_FRAMES = 256

EPILOG = """examples:
  flowmark generate flowmark_core/resources/media/source.png -o out.mp4
  flowmark generate face.png -o out.mp4 --frames 64 --samples 4 --seed 7
  flowmark generate face.png -o out.gif --samples 3 --separate      (out-1.gif out-2.gif out-3.gif)
  flowmark generate face.png -o out.mp4 --model runs/faces/model.safetensors \\
      --prior runs/prior-faces/prior.safetensors

The video has --frames frames, the first being the image itself (as the model renders it).
Each sample is one future drawn from the prior; the same --seed gives the same futures.
--mean renders the prior's most likely future instead (deterministic, no sampling)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `generate` subcommand."""
    p = sub.add_parser(
        "generate",
        help="make a video from a single image with motion sampled from a keypoint prior",
        description="Detect the keypoints of IMAGE, sample how they move from the model's motion\n"
        "prior (a conditional VAE trained with `flowmark train-prior`) and render each\n"
        "sampled future with the animation model.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("image", metavar="IMAGE", help="still image (png, jpg, ...)")
    p.add_argument("-o", "--output", required=True, help="output video (.mp4 or .gif)")
    p.add_argument(
        "--frames",
        type=int_in_range(2, MAX_FRAMES + 1),
        default=32,
        help="video length in frames, the image included (default 32)",
    )
    p.add_argument(
        "--samples",
        type=int_in_range(1, MAX_SAMPLES),
        default=1,
        help="number of sampled futures (default 1)",
    )
    p.add_argument(
        "--seed", type=int_in_range(0, MAX_SEED), default=0, help="sampling seed (default 0)"
    )
    p.add_argument("--mean", action="store_true", help="the prior's mean future instead of samples")
    p.add_argument(
        "--separate",
        action="store_true",
        help="one file per sample (OUT-1, OUT-2, ...) instead of a grid",
    )
    p.add_argument(
        "--model",
        default=None,
        help="bundled model name or .safetensors (default: the bundled default model, whose "
        "motion prior is bundled; a photo of a face gets the real-face model instead only "
        "when a prior for that model is bundled too; a note says so)",
    )
    p.add_argument(
        "--prior",
        default=None,
        help="motion prior (default: <model folder>/priors/<model name>.safetensors)",
    )
    p.add_argument("--fps", type=frame_rate, default=25.0, help="output frame rate (default 25)")
    p.add_argument(
        "--strip",
        default=None,
        metavar="PNG",
        help="also write a contact sheet: one row per sample, every --strip-every-th frame",
    )
    p.add_argument(
        "--strip-every",
        type=int_in_range(1),
        default=4,
        help="frame step of the --strip sheet (default 4)",
    )
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.set_defaults(func=run_generate)


def sample_outputs(output: str, samples: int, separate: bool) -> list[Path]:
    """The files `generate` writes: OUT, or OUT-1 .. OUT-N with --separate."""
    out = Path(output)
    if not separate or samples == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(samples)]


def run_generate(args: argparse.Namespace) -> int:
    """Check every input first, then sample, render and write atomically."""
    from contextlib import ExitStack

    from flowmark_core.cli.animate_cmd import check_video_output
    from flowmark_core.cli.common import note, progress_bar
    from flowmark_core.errors import ConfigError
    from flowmark_core.io.atomic import refuse_output_over_input
    from flowmark_core.io.output_set import OutputSet
    from flowmark_core.io.video_writer import VideoWriter
    from flowmark_core.motion_prior.generate import ImageToVideo, check_frames, tile

    check_frames(args.frames)
    if not 1 <= args.samples <= MAX_SAMPLES:
        raise ConfigError(f"--samples {args.samples}: expected 1..{MAX_SAMPLES}")
    if not args.fps > 0:
        raise ConfigError(f"--fps {args.fps}: expected a positive frame rate")
    outputs = sample_outputs(args.output, args.samples, args.separate)
    for out in outputs:
        check_video_output(str(out))
        refuse_output_over_input(out, args.image)
    if args.strip is not None:
        _check_strip(args.strip, args.strip_every)
        refuse_output_over_input(args.strip, args.image)
    image = load_still(args.image)
    if args.model is None and args.prior is None:
        args.model = model_with_prior_for(image, args.image)
    pipeline = ImageToVideo.load(args.model, args.prior, args.device)
    if pipeline.warning:
        note(pipeline.warning)
    s = pipeline.size
    if image.shape[:2] != (s, s):
        note(f"image {image.shape[1]}x{image.shape[0]} is resized to the model's {s}x{s}")
    motion = pipeline.sample(image, args.frames, args.samples, args.seed, args.mean)
    bar = progress_bar(args.frames, "generating")
    try:
        # Every file of the set is renamed together at the end, or none (a failure midway
        # never leaves new OUT-2/OUT-3 beside an old OUT-1).
        with OutputSet() as together, ExitStack() as stack:
            writers = [
                stack.enter_context(VideoWriter(o, fps=args.fps, group=together)) for o in outputs
            ]
            strip_rows: list[list] = [[] for _ in range(args.samples)]
            for t, frames in enumerate(pipeline.render(image, motion)):
                if args.strip is not None and t % args.strip_every == 0:
                    for row, frame in zip(strip_rows, frames):
                        row.append(frame)
                if len(writers) == 1:
                    writers[0].write(tile(frames))
                else:
                    for writer, frame in zip(writers, frames):
                        writer.write(frame)
                bar.update(1)
            if args.strip is not None:
                _write_strip(args.strip, strip_rows, together)
            stack.close()  # each writer finishes its file
            together.commit()
    finally:
        bar.close()
    names = ", ".join(str(o) for o in outputs + ([Path(args.strip)] if args.strip else []))
    what = "mean future" if args.mean else f"{args.samples} sample(s), seed {args.seed}"
    print(f"wrote {args.frames} frames ({what}) to {names}")
    return 0


def _check_strip(path: str, every: int) -> None:
    from flowmark_core.errors import ConfigError, OutputFileError
    from flowmark_core.io.atomic import check_writable_dir

    if Path(path).suffix.lower() != ".png":
        raise OutputFileError(f"--strip {path}: expected a .png file name")
    if every < 1:
        raise ConfigError(f"--strip-every {every}: expected at least 1")
    check_writable_dir(Path(path))


def _write_strip(path: str, rows: list[list], group: OutputSet | None = None) -> None:
    """Rows of frames as one PNG, 2 px white gaps."""
    import numpy as np

    from flowmark_core.io.images import write_image

    h, w = rows[0][0].shape[:2]
    gap = 2
    sheet = np.full((len(rows) * (h + gap) - gap, len(rows[0]) * (w + gap) - gap, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c, frame in enumerate(row):
            sheet[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = frame
    write_image(path, sheet, group)


def model_with_prior_for(image, path: str) -> str | None:
    """The bundled model for IMAGE when neither --model nor --prior is given (None: the
    default), with a note on stderr when IMAGE looks like a photo.

    Only a model with a bundled motion prior will do: a photo gets the photo model when its
    prior is bundled, else the default (whose prior is); a drawing gets the default, unsaid.
    """
    from flowmark_core.animate.source_kind import choose_model
    from flowmark_core.cli.common import note
    from flowmark_core.motion_prior.checkpoint import default_prior_path
    from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models

    choice = choose_model(path, image)
    if not choice.photo:
        return None
    bundled = bundled_models()
    has_prior = choice.model in bundled and default_prior_path(bundled[choice.model]).is_file()
    if choice.model == DEFAULT_MODEL_NAME or has_prior:
        note(choice.message("choose with --model"))
        return None if choice.model == DEFAULT_MODEL_NAME else choice.model
    note(
        f"{choice.reason}, but {choice.model} has no bundled motion prior: using "
        f"{DEFAULT_MODEL_NAME}, whose prior is bundled (choose with --model and --prior)"
    )
    return None


def load_still(path: str):
    """Read IMAGE, which must be a single image (a video or folder gets one clear line)."""
    from flowmark_core.errors import InputFileError
    from flowmark_core.io.images import read_image
    from flowmark_core.io.video_reader import is_video_path

    p = Path(path)
    if is_video_path(p) or p.is_dir():
        raise InputFileError(
            f"IMAGE {p}: is a video or folder; `generate` animates a single still "
            "(png, jpg, bmp, webp) — for a driving video use `flowmark animate`"
        )
    return read_image(p)


def add_generate_eval_options(p: argparse.ArgumentParser) -> None:
    """Options of `flowmark evaluate --task generate` (image-to-video)."""
    p.add_argument(
        "--task",
        choices=["reconstruction", "generate", "portrait"],
        default="reconstruction",
        help="reconstruction: animate test videos with their own keypoints; generate: "
        "image-to-video from each test video's first frame with the motion prior "
        "(--max-frames sets the video length, default 32); portrait: animate --portrait "
        "with every clip and score the follow of mouth, eyes and head and the photo's look",
    )
    p.add_argument("--prior", default=None, help="generate: motion prior (default: the model's)")
    p.add_argument("--samples", type=int, default=4, help="generate: futures per image (default 4)")
    p.add_argument("--seed", type=int, default=0, help="generate: sampling seed (default 0)")
    p.add_argument(
        "--fid-weights",
        default=None,
        metavar="PATH",
        help="generate: pytorch-fid Inception weights (pt_inception-2015-12-05-*.pth) for FID; "
        "without it only the detector-feature Fréchet distance is reported",
    )


def run_generate_evaluation(args: argparse.Namespace) -> int:
    """`flowmark evaluate --task generate`: write OUT_DIR/results.json and results.md."""
    import json

    from flowmark_core.cli.common import progress_bar
    from flowmark_core.errors import ConfigError
    from flowmark_core.evaluation.generation import (
        GenerateEvalOptions,
        evaluate_generation,
        generation_markdown,
    )
    from flowmark_core.io.atomic import atomic_output
    from flowmark_core.motion_prior.generate import check_frames

    if args.compare:
        raise ConfigError("--task generate evaluates one model; give --model, not --compare")
    if not 2 <= args.samples <= MAX_SAMPLES:
        raise ConfigError(
            f"--samples {args.samples}: expected 2..{MAX_SAMPLES} (diversity needs two)"
        )
    frames = args.max_frames or 32
    check_frames(frames, "--max-frames")
    options = GenerateEvalOptions(
        frames=frames,
        samples=args.samples,
        seed=args.seed,
        max_videos=args.max_videos,
        fid_weights=args.fid_weights,
    )
    bar = progress_bar(args.max_videos, "evaluating image-to-video")
    bar.unit = "video"
    try:
        results = evaluate_generation(
            args.data_dir, args.model, args.prior, options, args.device, bar.update
        )
    finally:
        bar.close()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    text = generation_markdown(results)
    with atomic_output(out / "results.json") as tmp:
        tmp.write_text(json.dumps(results, indent=2))
    with atomic_output(out / "results.md") as tmp:
        tmp.write_text(text + "\n")
    print(text)
    print(f"wrote {out / 'results.json'} and {out / 'results.md'}")
    return 0

"""`flowmark evaluate`: score models on a data set's test split, write results.json / .md."""

from __future__ import annotations

import argparse
import contextlib
import functools
from pathlib import Path

from flowmark_core.cli.common import (
    STABILIZER_NAMES,
    HelpFormatter,
    add_model_options,
    int_in_range,
    progress_bar,
)
from flowmark_core.cli.evaluate_portrait import add_portrait_eval_options, run_portrait_evaluation
from flowmark_core.cli.generate_cmd import add_generate_eval_options, run_generate_evaluation
from flowmark_core.errors import ConfigError, OutputFileError

EPILOG = """examples:
  flowmark evaluate data/puppets-faces-128 --model runs/faces/model.safetensors \\
      --stabilize none one-euro flow -o eval/faces
  flowmark evaluate data/puppets-faces-128 --compare runs/a/model.safetensors \\
      runs/b/model.safetensors --max-videos 10 --max-frames 32 -o eval/compare

  flowmark evaluate clips/ --stabilize none flow -o eval/real   # videos without ground truth

metrics: see docs/evaluation.md"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `evaluate` subcommand."""
    p = sub.add_parser(
        "evaluate",
        help="evaluate models on a data set's test split (L1, AKD/MKR/AED, NME/NMJ, jitter)",
        description="Reconstruct every test video from its first frame with each frame's own\n"
        "keypoints and report reconstruction L1 (with the identity baseline), AKD/MKR/AED\n"
        "(dlib, when installed), landmark NME/NMJ against landmarks.npz ground truth, flow\n"
        "residual and keypoint acceleration, per model and stabiliser. Writes\n"
        "OUT_DIR/results.json and OUT_DIR/results.md and prints the table.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "data_dir",
        metavar="DATA_DIR",
        help="data set root holding test/ (and train/), or a folder of videos without ground "
        "truth (scored by L1, acceleration, flow residual and the face-mesh reference)",
    )
    add_model_options(p)
    p.set_defaults(precision="float32")
    p.add_argument(
        "--compare",
        nargs="+",
        metavar="MODEL",
        default=None,
        help="evaluate several checkpoints (paths or bundled names) side by side",
    )
    p.add_argument(
        "--stabilize",
        nargs="+",
        choices=STABILIZER_NAMES,
        default=["none"],
        help="stabilisers to evaluate, one row each",
    )
    p.add_argument("-o", "--output", default="evaluation", metavar="OUT_DIR", help="output folder")
    p.add_argument(
        "--max-videos", type=int_in_range(1), default=None, metavar="N", help="first N test videos"
    )
    p.add_argument(
        "--max-frames",
        type=int_in_range(2),
        default=None,
        metavar="N",
        help="first N frames of each video",
    )
    p.add_argument(
        "--no-face-metrics", action="store_true", help="skip AKD/MKR/AED even if dlib is installed"
    )
    p.add_argument(
        "--no-reference",
        action="store_true",
        help="videos without ground truth: skip the MediaPipe face-mesh reference",
    )
    add_generate_eval_options(p)  # --task generate (image-to-video)
    add_portrait_eval_options(p)  # --task portrait (a photo driven by real clips)
    p.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation described by the parsed arguments (outputs checked first)."""
    if args.compare and args.model is not None:
        raise ConfigError("give either --model or --compare, not both")
    check_output_folder(Path(args.output), Path(args.data_dir))
    created = not Path(args.output).exists()
    try:
        return _evaluate(args)
    except BaseException:
        if created:  # a failed evaluation leaves no empty output folder behind
            with contextlib.suppress(OSError):
                Path(args.output).rmdir()
        raise


def _evaluate(args: argparse.Namespace) -> int:
    if args.task == "generate":
        return run_generate_evaluation(args)
    if args.task == "portrait":
        return run_portrait_evaluation(args)
    from flowmark_core.evaluation import (
        EvalOptions,
        evaluate,
        markdown_report,
        planned_frames,
        test_videos,
        write_results,
    )
    from flowmark_core.evaluation.no_truth import clip_entries, evaluate_clips, is_clip_folder

    models = list(args.compare) if args.compare else [args.model]
    options = EvalOptions(
        stabilizers=tuple(args.stabilize),
        max_videos=args.max_videos,
        max_frames=args.max_frames,
        face_metrics=not args.no_face_metrics,
    )
    if is_clip_folder(args.data_dir):
        entries = clip_entries(args.data_dir, options.max_videos)
    else:
        entries = test_videos(args.data_dir, options.max_videos)
        for entry in entries:  # a bad landmarks.npz is found before any model work
            entry.landmarks()
    per_model = planned_frames(entries, options.max_frames)
    total = None if per_model is None else per_model * len(models)
    bar = progress_bar(total, "evaluating")
    try:
        run = evaluate
        if is_clip_folder(args.data_dir):
            run = functools.partial(evaluate_clips, use_reference=not args.no_reference)
        results = run(
            args.data_dir,
            models,
            options,
            config=args.config,
            device=args.device,
            precision=args.precision,
            progress=bar.update,
        )
    finally:
        bar.close()
    json_path, md_path = write_results(results, args.output)
    print(markdown_report(results))
    print(f"wrote {json_path} and {md_path}")
    return 0


def check_output_folder(out: Path, data_dir: Path) -> None:
    """OUT_DIR must be a folder we can create or write, not the data set nor inside it (the
    next run would take it for a video)."""
    import os

    from flowmark_core.cli.run_folder import inside
    from flowmark_core.io.atomic import resolved, same_file

    if out.exists() and not out.is_dir():
        raise OutputFileError(f"{out}: is a file; -o expects an output folder")
    if out.exists() and data_dir.exists() and same_file(out, data_dir):
        raise OutputFileError(f"{out}: is the data set folder; choose another output folder")
    if data_dir.is_dir() and inside(out, data_dir):
        raise OutputFileError(
            f"{out}: is inside the data folder {data_dir}; choose an output folder outside it"
        )
    try:
        existing = resolved(out.absolute())
    except OSError as exc:  # the working folder was deleted under us
        raise OutputFileError(f"{out}: cannot be placed ({exc.strerror})") from None
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise OutputFileError(f"{out}: {existing} is a file, not a folder")
    if existing.exists() and not os.access(existing, os.W_OK):
        raise OutputFileError(f"{out}: folder {existing} is not writable")

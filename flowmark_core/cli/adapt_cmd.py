"""`flowmark adapt`: fine-tune a model on one video of a person (self-reconstruction)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowmark_core.cli.common import HelpFormatter, int_in_range, positive_float

EXAMPLES = """examples:
  flowmark adapt me.mp4 --name Anna          # 5 minutes; into the model library (the app's)
  flowmark adapt me.mp4 -o me.safetensors --minutes 10 --held-out 24
  flowmark adapt me.mp4 -o me.safetensors --steps 200 --frames 0:83
  flowmark animate photo.jpg driving.mp4 -o out.mp4 --model me.safetensors

Without -o the model goes to the per-user model library, the folder the app's Model menu
lists (FLOWMARK_MODEL_LIBRARY overrides it); the full path is printed.
Ctrl-C stops early and keeps what was learned (the weights of the last finished step)."""


def _frame_range(text: str) -> tuple[int, int | None]:
    first, sep, last = text.partition(":")
    try:
        a = int(first) if first else 0
        b = int(last) if last else None
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected FIRST:LAST frame numbers, got {text!r}"
        ) from None
    if not sep or a < 0 or (b is not None and b < a):
        raise argparse.ArgumentTypeError(
            f"expected FIRST:LAST with 0 <= FIRST <= LAST, got {text!r}"
        )
    return a, b


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of minutes, got {text!r}") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"expected minutes in (0, 1440], got {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "adapt",
        help="fine-tune a model on one video of a person",
        description=(
            "Fine-tune a motion model on one video of a person by self-reconstruction (every "
            "training loss, the optical-flow loss included), with the face cropped, then "
            "save it as a new model to animate photos of that person."
        ),
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("video", help="video (or folder of frames) of the person")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="new model file (.safetensors); default: NAME in the model library",
    )
    p.add_argument(
        "--name", default=None, help="the model's name (whose face); default: the video's name"
    )
    p.add_argument(
        "--held-out",
        type=int_in_range(0, 1000),
        default=0,
        metavar="N",
        help="keep the last N frames out of training and score the model on them",
    )
    budget = p.add_mutually_exclusive_group()
    budget.add_argument(
        "--minutes", type=_minutes, default=None, help="train this long (default 5)"
    )
    budget.add_argument(
        "--steps", type=int_in_range(1, 1_000_000), default=None, help="train this many steps"
    )
    p.add_argument(
        "--model",
        default=None,
        help="model to start from: bundled name or file (default: real-faces-128, the "
        "bundled model trained on real talking heads)",
    )
    p.add_argument(
        "--frames",
        type=_frame_range,
        default=None,
        metavar="FIRST:LAST",
        help="use only these frames (inclusive)",
    )
    p.add_argument(
        "--no-face-crop", action="store_true", help="use the whole (centred square) frame"
    )
    p.add_argument(
        "--batch-size", type=int_in_range(1, 64), default=4, help="frame triplets per step"
    )
    p.add_argument("--lr", type=positive_float(1.0), default=1e-4, help="Adam learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampled frames")
    p.add_argument(
        "--threads", type=int_in_range(1, 256), default=None, help="CPU threads for PyTorch"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from flowmark_core.adapt.library import held_out_text, library_dir, new_model_path
    from flowmark_core.adapt.session import AdaptRequest, adapt_video
    from flowmark_core.resources import photo_model_name

    name = args.name or Path(args.video).stem
    if args.output is None:
        folder = library_dir()
        folder.mkdir(parents=True, exist_ok=True)
        output = new_model_path(folder, name)
    else:
        output = Path(args.output)
    request = AdaptRequest(
        video=Path(args.video),
        output=output,
        held_out=args.held_out,
        name=name,
        person=args.name or "",
        model=args.model or photo_model_name(),
        steps=args.steps,
        seconds=None if args.steps is not None else 60.0 * (args.minutes or 5.0),
        frames=args.frames,
        face_crop=not args.no_face_crop,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
    )
    result = adapt_video(request, progress=True)
    if result.interrupted:
        if result.steps == 0:
            sys.stderr.write("flowmark: interrupted before the first step; nothing written\n")
        else:
            sys.stderr.write(
                f"flowmark: interrupted after {result.steps} steps; kept what was learned "
                f"in {result.output}\n"
            )
        return 130
    if not result.kept:
        sys.stderr.write(f"flowmark: {result.note}\n")
        return 1
    print(
        f"adapted {result.base} to {request.video.name} ({result.frames} frames): "
        f"{result.steps} steps in {result.seconds:.0f} s, loss {result.first_loss:.3f} -> "
        f"{result.last_loss:.3f}; wrote {result.output.resolve()}"
    )
    if result.held_out_l1 is not None and result.base_l1 is not None:
        print(held_out_text(result.held_out_l1, result.base_l1))
    return 0

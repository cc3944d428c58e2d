"""`flowmark evaluate CLIPS --task portrait --portrait IMAGE`: a photo driven by real clips.

CLIPS is a folder of videos (files or frame folders directly in it), one video, or a text
file listing videos one per line (relative to the list's folder; blank lines and lines
starting with # are skipped). Writes OUT_DIR/results.json and OUT_DIR/results.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmark_core.errors import ConfigError, InputFileError


def add_portrait_eval_options(p: argparse.ArgumentParser) -> None:
    """Options of `flowmark evaluate --task portrait`."""
    p.add_argument(
        "--portrait",
        default=None,
        metavar="IMAGE",
        help="portrait: the photo to animate with every clip of DATA_DIR (a folder of videos, "
        "one video, or a .txt list of videos)",
    )
    p.add_argument(
        "--motion",
        choices=("keypoints", "mesh", "hybrid"),
        default="keypoints",
        help="portrait: keypoints (each model), mesh (the driver's face mesh, as "
        "`flowmark animate --motion mesh`; one row, models unused) or hybrid (each model's "
        "frames given the driver's expression by the mesh, as `--motion hybrid`)",
    )


def clip_paths(source: str | Path, max_videos: int | None = None) -> list[Path]:
    """The driving videos named by CLIPS (see the module docstring).

    Raises:
        InputFileError: nothing there, or a listed video is missing.
    """
    from flowmark_core.data.layout import list_videos

    root = Path(source)
    if root.is_dir():
        paths = list_videos(root)
    elif root.is_file() and root.suffix.lower() == ".txt":
        lines = root.read_text(encoding="utf-8").splitlines()
        names = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        paths = [root.parent / name for name in names]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise InputFileError(f"{root}: listed video(s) not found: {', '.join(missing[:3])}")
    elif root.is_file():
        paths = [root]
    else:
        raise InputFileError(f"{root}: no such folder, video or list of videos")
    if not paths:
        raise InputFileError(f"{root}: lists no videos")
    return paths if max_videos is None else paths[:max_videos]


def run_portrait_evaluation(args: argparse.Namespace) -> int:
    """`flowmark evaluate --task portrait`: write OUT_DIR/results.json and results.md."""
    from flowmark_core.cli.common import progress_bar
    from flowmark_core.evaluation.portrait import evaluate_portrait
    from flowmark_core.evaluation.portrait_report import portrait_json, portrait_markdown
    from flowmark_core.io.atomic import atomic_output
    from flowmark_core.io.images import read_image

    if args.portrait is None:
        raise ConfigError("--task portrait needs --portrait IMAGE (the photo to animate)")
    portrait = read_image(args.portrait)
    clips = clip_paths(args.data_dir, args.max_videos)
    models = list(args.compare) if args.compare else [args.model]
    bar = progress_bar(None, "evaluating portrait")
    try:
        results = evaluate_portrait(
            portrait,
            Path(args.portrait).name,
            clips,
            models,
            max_frames=args.max_frames,
            device=args.device,
            precision=args.precision,
            progress=bar.update,
            motion=args.motion,
        )
    finally:
        bar.close()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    text = portrait_markdown(results)
    with atomic_output(out / "results.json") as tmp:
        tmp.write_text(portrait_json(results), encoding="utf-8")
    with atomic_output(out / "results.md") as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out / 'results.json'} and {out / 'results.md'}")
    return 0

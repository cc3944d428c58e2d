"""Options and input checks shared by the `flowmark` subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from flowmark_core.errors import InputFileError
from flowmark_core.io.images import is_image_path, read_image
from flowmark_core.io.video_base import VideoReader
from flowmark_core.io.video_reader import is_video_path, open_video
from flowmark_core.stabilize import STABILIZERS


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--model/--config/--device/--precision."""
    p.add_argument(
        "--model",
        default=None,
        help="bundled model name or checkpoint path (.safetensors, or FOMM .pth.tar with --config); "
        "default: the bundled default model",
    )
    p.add_argument(
        "--config", default=None, help="YAML config (needed for FOMM .pth.tar checkpoints)"
    )
    p.add_argument(
        "--device", choices=["cpu", "cuda"], default="cpu", help="compute device (default cpu)"
    )
    p.add_argument(
        "--precision",
        choices=["fast", "float32"],
        default="fast",
        help="fast: bf16 + channels-last where the CPU/GPU supports it; float32: exact",
    )


def add_stabilize_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stabilize",
        choices=STABILIZERS,
        default="none",
        help="keypoint stabilisation: none, one-euro or flow (optical-flow guided)",
    )


def load_source_image(path: str) -> np.ndarray:
    """Read SOURCE, which must be an image (a video gets a clear message)."""
    p = Path(path)
    if is_video_path(p) or p.is_dir():
        raise InputFileError(
            f"SOURCE {p}: is a video or folder; expected an image (png, jpg, bmp, webp)"
        )
    return read_image(p)


def open_driving_video(path: str) -> VideoReader:
    """Open DRIVING, which must be a video or a folder of frames (an image gets a message)."""
    p = Path(path)
    if is_image_path(p) and not is_video_path(p):
        raise InputFileError(
            f"DRIVING {p}: is a single image; expected a video (mp4, mov, avi, mkv, webm, gif) "
            "or a folder of frames"
        )
    return open_video(p)


def progress_bar(total: int | None, desc: str):
    """A tqdm progress bar on stderr (silent when stderr is not a terminal and CI=true)."""
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit="frame", file=sys.stderr, dynamic_ncols=True, leave=False
    )


def note(message: str) -> None:
    """A one-line note to stderr."""
    sys.stderr.write(f"flowmark: note: {message}\n")

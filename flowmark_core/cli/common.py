"""Options, choices and input checks shared by the `flowmark` subcommands (and train.py).

This module is imported while the parser is built, so it stays light: no torch, OpenCV or
Qt at module level (`flowmark --help` must not pay for them). The choice lists below are the
one place each is written; `tests/core/cli/test_cli_light.py` checks that the stabiliser
and family names equal those of the modules that implement them.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowmark_core.devices import DEVICES
from flowmark_core.errors import InputFileError

if TYPE_CHECKING:
    import numpy as np

    from flowmark_core.animate import Animator
    from flowmark_core.io.video_base import VideoReader

PRECISIONS: tuple[str, ...] = ("fast", "float32")
MOTION_MODES: tuple[str, ...] = ("relative", "absolute")
#: = flowmark_core.stabilize.STABILIZERS (that package imports OpenCV).
STABILIZER_NAMES: tuple[str, ...] = ("none", "one-euro", "flow")
#: = flowmark_core.data.synthetic.identities.FAMILIES (imports OpenCV).
PUPPET_FAMILIES: tuple[str, ...] = ("faces", "bodies", "faces-photo")
#: Largest output side in pixels an option may ask for (bounds memory and ffmpeg's work).
MAX_OUTPUT_SIDE = 2048
MIN_OUTPUT_SIDE = 16
MAX_FPS = 240.0
#: Slowest output frame rate an option may ask for (ffmpeg cannot parse much less).
MIN_FPS = 0.1
#: Largest sampling seed (numpy's generators take 64-bit seeds; 2**32 is plenty).
MAX_SEED = 2**32 - 1


class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps examples as written and appends "(default: X)" to options that have one."""


def int_in_range(low: int, high: int | None = None):
    """argparse type: an integer in [low, high] (high None: no upper bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f">= {low}" if high is None else f"in {low}..{high}"
            raise argparse.ArgumentTypeError(f"expected an integer {span}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def positive_float(high: float | None = None):
    """argparse type: a finite number > 0 (and <= high)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value <= 0 or (high is not None and value > high):
            span = "> 0" if high is None else f"in (0, {high:g}]"
            raise argparse.ArgumentTypeError(f"expected a number {span}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def frame_rate(text: str) -> float:
    """argparse type: an output frame rate in [MIN_FPS, MAX_FPS] frames per second."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and MIN_FPS <= value <= MAX_FPS):
        raise argparse.ArgumentTypeError(
            f"expected a frame rate in {MIN_FPS:g}..{MAX_FPS:g} frames per second, got {text}"
        )
    return value


frame_rate.__name__ = "frame rate"


def finite_float(low: float = 0.0):
    """argparse type: a finite number >= low."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value < low:
            raise argparse.ArgumentTypeError(f"expected a finite number >= {low:g}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def add_model_options(p: argparse.ArgumentParser, chosen_for: str | None = None) -> None:
    """--model/--config/--device/--precision; `chosen_for` names the image (e.g. "SOURCE")
    whose kind picks the model when --model is not given (`choose_model_for_source`)."""
    from flowmark_core.resources import DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME

    if chosen_for is None:
        default = "the bundled default model"
    else:
        default = (
            f"chosen for {chosen_for}: {PHOTO_MODEL_NAME} (trained on real talking-head "
            f"video) when it looks like a photo of a face, else {DEFAULT_MODEL_NAME} (for "
            "drawn and cartoon faces); a note says which"
        )
    p.add_argument(
        "--model",
        default=None,
        help="bundled model name or checkpoint path (.safetensors, or a FOMM .pth.tar: its "
        f"config is inferred from the weights unless --config gives it); None: {default}",
    )
    p.add_argument(
        "--config",
        default=None,
        help="YAML config of a FOMM .pth.tar checkpoint; None: inferred from its weights",
    )
    p.add_argument("--device", choices=DEVICES, default="cpu", help="compute device")
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="fast",
        help="fast: bf16 + channels-last where the CPU/GPU supports it; float32: exact",
    )


def load_animator(args: argparse.Namespace, **kwargs: Any) -> Animator:
    """The Animator of the `add_model_options` options (+ `kwargs`), noting an inferred config.

    A FOMM checkpoint given without --config gets its architecture inferred from the
    weights; the user is told which one (one note line on stderr).
    """
    from flowmark_core.animate import Animator

    animator = Animator.from_checkpoint(
        args.model, config=args.config, device=args.device, precision=args.precision, **kwargs
    )
    if "inferred_config" in animator.meta:
        note(animator.meta["inferred_config"])
    return animator


def choose_model_for_source(
    args: argparse.Namespace,
    image: np.ndarray,
    path: str,
    label: str | None = None,
    photo: bool | None = None,
    also: str = "",
) -> None:
    """With no --model: set `args.model` to the bundled model for `image` (read from `path`):
    the photo model for a real photo, the default for anything else, said in one note line
    ("LABEL looks like a photo: using real-faces-128 (choose with --model)"). An explicit
    --model always wins; nothing changes when that bundled model is absent.

    Args:
        photo: whether `image` looks like a real photo, when already judged (None: judge).
        also: what else was chosen, said in the same line after the model
            (" with the face mesh's expression (--motion hybrid)"); with --model given, it
            is said in a line of its own.
    """
    from flowmark_core.animate.source_kind import choice_for_kind, looks_like_real_photo
    from flowmark_core.resources import bundled_models

    name = label if label is not None else Path(path).name
    if args.model is not None:
        if also:
            note(f"{name} looks like a photo: animated{also}")
        return
    if photo is None:
        photo = looks_like_real_photo(path, image)
    choice = choice_for_kind(name, photo)
    if choice.model in bundled_models():
        args.model = choice.model
        how = "choose with --model and --motion" if also else "choose with --model"
        note(f"{choice.reason}: using {choice.model}{also} ({how})")
    elif also:
        note(f"{name} looks like a photo: animated{also}")


def add_stabilize_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stabilize",
        choices=STABILIZER_NAMES,
        default="none",
        help="keypoint stabilisation: none, one-euro or flow (optical-flow guided)",
    )
    p.add_argument(
        "--stabilizer-param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="stabilizer_param",
        help="a parameter of the chosen stabiliser (repeatable), e.g. process_noise=0.5 "
        "for flow on webcam or low-light footage (docs/results.md)",
    )


def parse_stabilizer_params(args: argparse.Namespace) -> dict[str, float | int | bool]:
    """The --stabilizer-param KEY=VALUE options as a dict (numbers and true/false).

    Raises:
        ConfigError: an item without `=` or whose value is not a number or true/false.
    """
    from flowmark_core.errors import ConfigError

    out: dict[str, float | int | bool] = {}
    for item in getattr(args, "stabilizer_param", None) or []:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key:
            raise ConfigError(
                f"--stabilizer-param {item!r}: expected KEY=VALUE, e.g. process_noise=0.5"
            )
        if text.lower() in ("true", "false"):
            out[key] = text.lower() == "true"
            continue
        try:
            out[key] = int(text) if text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            raise ConfigError(
                f"--stabilizer-param {item!r}: expected a number or true/false as the value"
            ) from None
        if not math.isfinite(out[key]):
            raise ConfigError(f"--stabilizer-param {item!r}: expected a finite number")
    return out


def load_source_image(path: str) -> np.ndarray:
    """Read SOURCE, which must be an image (a video gets a clear message)."""
    from flowmark_core.io.images import read_image
    from flowmark_core.io.video_reader import is_video_path

    p = Path(path)
    if is_video_path(p) or p.is_dir():
        raise InputFileError(
            f"SOURCE {p}: is a video or folder; expected an image (png, jpg, bmp, webp)"
        )
    return read_image(p)


def open_driving_video(path: str) -> VideoReader:
    """Open DRIVING, which must be a video or a folder of frames (an image gets a message)."""
    from flowmark_core.io.images import is_image_path
    from flowmark_core.io.video_reader import is_video_path, open_video

    p = Path(path)
    if is_image_path(p) and not is_video_path(p):
        raise InputFileError(
            f"DRIVING {p}: is a single image; expected a video (mp4, mov, avi, mkv, webm, gif) "
            "or a folder of frames"
        )
    return open_video(p)


def progress_bar(total: int | None, desc: str) -> Any:
    """A tqdm progress bar on stderr, shown only when stderr is a terminal.

    Off a terminal (logs, CI, pipes) it is silent: carriage-return frames do not belong in
    a log file. The returned object always has `update` and `close`.
    """
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit="frame",
        file=sys.stderr,
        dynamic_ncols=True,
        leave=False,
        disable=not sys.stderr.isatty(),
    )


def note(message: str) -> None:
    """A one-line note to stderr."""
    sys.stderr.write(f"flowmark: note: {message}\n")

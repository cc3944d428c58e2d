"""Which role a dropped or opened file can play: source image, driving video, or model."""

from __future__ import annotations

import enum
import os
from pathlib import Path

from flowmark_core.io.images import is_image_path
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS, is_video_path

MODEL_SUFFIXES = (".safetensors", ".tar", ".pth", ".pt", ".ckpt")


class Role(enum.Enum):
    """What a file is used for."""

    SOURCE = "source"
    DRIVING = "driving"
    MODEL = "model"


def classify(path: str | os.PathLike[str]) -> Role | None:
    """The role a path's type suits, or None for a file flowmark cannot use."""
    p = Path(path)
    if is_image_path(p) and not p.is_dir():
        return Role.SOURCE
    if is_video_path(p):
        return Role.DRIVING
    if p.suffix.lower() in MODEL_SUFFIXES:
        return Role.MODEL
    return None


def route(path: str | os.PathLike[str], target: Role | None) -> tuple[Role | None, str]:
    """Decide what a drop of `path` onto `target` (None: the window) does.

    Returns:
        (role to load it as, "") or (None, a one-line reason for the status bar).
    """
    role = classify(path)
    name = Path(path).name or str(path)
    if role is None:
        return None, (
            f"{name}: not an image, video, GIF, frame folder or model "
            f"(videos: {', '.join(VIDEO_EXTENSIONS)})"
        )
    if target is None or role is target:
        return role, ""
    wanted = "an image" if target is Role.SOURCE else "a video, GIF or frame folder"
    return None, f"{name}: the {target.value} pane takes {wanted}"


def is_fomm_checkpoint(path: str | os.PathLike[str]) -> bool:
    """True for a First Order Motion Model checkpoint (needs a YAML config beside it)."""
    return Path(path).suffix.lower() in MODEL_SUFFIXES[1:]

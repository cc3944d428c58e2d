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

    A file goes where its type belongs, whichever pane it was dropped on (a video dropped
    on Source opens as the driving video), with a note saying so.

    Returns:
        (role to load it as, "" or a one-line note) or (None, a one-line reason).
    """
    role = classify(path)
    name = Path(path).name or str(path)
    if role is None:
        return None, (
            f"{name}: not an image, video, GIF, frame folder or model "
            f"(videos: {', '.join(VIDEO_EXTENSIONS)})"
        )
    if target is None or role is target or role is Role.MODEL:
        return role, ""
    kind, opened = (
        ("an image", "source image") if role is Role.SOURCE else ("a video", "driving video")
    )
    return role, (
        f"{name} is {kind}, so it was opened as the {opened} "
        f"(the {target.value} pane takes {_wanted(target)})"
    )


def _wanted(target: Role) -> str:
    return "an image" if target is Role.SOURCE else "a video, GIF or frame folder"


def is_fomm_checkpoint(path: str | os.PathLike[str]) -> bool:
    """True for a First Order Motion Model checkpoint (needs a YAML config beside it)."""
    return Path(path).suffix.lower() in MODEL_SUFFIXES[1:]

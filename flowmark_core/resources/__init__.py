"""Locate the bundled resources (default models, sample media): `models/` and `media/` in this
package's folder, shipped in the wheel as package data."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_NAME = "puppets-faces-128"
PHOTO_MODEL_NAME = "real-faces-128"
"""The bundled model trained on real talking-head video: for real photos, and what
`flowmark adapt` starts from."""


def resources_dir() -> Path:
    """The folder of `models/` and `media/` (override with the FLOWMARK_RESOURCES variable)."""
    override = os.environ.get("FLOWMARK_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent


def models_dir() -> Path:
    """Folder of the bundled model checkpoints."""
    return resources_dir() / "models"


def bundled_models() -> dict[str, Path]:
    """Bundled models by name (file stem) -> path."""
    folder = models_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.safetensors"))}


def sample_source() -> Path:
    """The bundled sample source image."""
    return resources_dir() / "media" / "source.png"


def sample_driving() -> Path:
    """The bundled sample driving clip."""
    return resources_dir() / "media" / "driving.mp4"


def photo_model_name() -> str:
    """The bundled real-face model's name, or the default model's when it is not bundled."""
    return PHOTO_MODEL_NAME if PHOTO_MODEL_NAME in bundled_models() else DEFAULT_MODEL_NAME

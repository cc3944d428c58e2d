"""Which model a name or a file means, and loading any model file we read.

`load_model` takes our `.safetensors` (`checkpoints.files`), a bundled model by name, or a
published First Order Motion Model `.pth.tar` (`checkpoints.fomm`); the formats themselves
never import this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowmark_core.checkpoints.files import existing_file, load_checkpoint
from flowmark_core.checkpoints.fomm import load_fomm_checkpoint
from flowmark_core.config.files import load_config
from flowmark_core.errors import CheckpointError
from flowmark_core.models import MotionModel
from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models

FOMM_SUFFIXES = (".tar", ".pth", ".pt", ".ckpt")


def load_model(
    path_or_name: str | Path | None = None, config: str | Path | None = None
) -> tuple[MotionModel, dict[str, Any]]:
    """Load any model file we read, in eval mode on the CPU: our `.safetensors` (config from
    its header, or `config` when given), a bundled model by name (None = the default), or a
    First Order Motion Model `.pth.tar` (config from `config`, else inferred from the weights).

    Returns:
        (model, meta); meta["path"] is the file loaded.
    """
    path = resolve_model_path(path_or_name)
    if path.suffix in FOMM_SUFFIXES:
        model, meta = load_fomm_checkpoint(path, config)
    elif path.suffix == ".safetensors":
        model, meta = load_checkpoint(path, None if config is None else load_config(config).model)
    else:
        raise CheckpointError(
            f"{path}: unknown checkpoint type; expected .safetensors or a FOMM .pth.tar"
        )
    return model, dict(meta, path=str(path))


def resolve_model_path(name_or_path: str | Path | None) -> Path:
    """A bundled model name (or None for the default) or a file path -> existing path."""
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL_NAME
    candidate = Path(name_or_path)
    if candidate.exists():
        return existing_file(candidate)
    bundled = bundled_models()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    names = ", ".join(bundled) or "none installed"
    raise CheckpointError(
        f"{name_or_path}: no such model file, and not a bundled model name (bundled: {names})"
    )

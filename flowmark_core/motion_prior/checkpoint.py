"""Motion prior checkpoints: one safetensors file (weights + config + which animation model
the tracks came from), and where the prior of a model file is looked for by default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safetensors import SafetensorError, safe_open

from flowmark_core.checkpoints import (
    check_meta_types,
    check_shapes_before_building,
    load_state_strict,
)
from flowmark_core.config import ModelConfig
from flowmark_core.errors import CheckpointError, ConfigError
from flowmark_core.io.safetensors_file import write_safetensors
from flowmark_core.motion_prior.config import model_config_from, to_plain
from flowmark_core.motion_prior.model import MotionPrior

PRIOR_FORMAT = "flowmark-motion-prior-v1"
PRIORS_FOLDER = "priors"


def save_prior(path: str | Path, prior: MotionPrior, meta: dict[str, Any]) -> Path:
    """Write weights, config and metadata (animation model name/digest/num_kp, step, tracks)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in prior.state_dict().items()}
    header = {
        "format": PRIOR_FORMAT,
        "flowmark.prior_config": json.dumps(to_plain(prior.config)),
        "flowmark.meta": json.dumps(meta),
    }
    return write_safetensors(path, tensors, header)


def load_prior(path: str | Path) -> tuple[MotionPrior, dict[str, Any]]:
    """Load a prior in eval mode with its metadata.

    Raises:
        CheckpointError: missing/unreadable file, not a prior, or weights that do not fit.
    """
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"{p}: motion prior file not found")
    try:
        with safe_open(str(p), framework="pt") as f:
            header = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{p}: not a readable safetensors file ({exc})") from None
    if header.get("format") != PRIOR_FORMAT:
        raise CheckpointError(f"{p}: not a flowmark motion prior (format {header.get('format')!r})")
    try:
        config = model_config_from(json.loads(header["flowmark.prior_config"]))
        meta = json.loads(header.get("flowmark.meta", "{}"))
    except (KeyError, TypeError, json.JSONDecodeError, ConfigError) as exc:
        raise CheckpointError(f"{p}: stored prior config is invalid ({exc})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(
            f"{p}: stored metadata is a JSON {type(meta).__name__}, expected an object"
        )
    check_meta_types(p, meta)
    check_shapes_before_building(lambda: MotionPrior(config), p)
    try:
        with safe_open(str(p), framework="pt") as f:
            tensors = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{p}: not a readable safetensors file ({exc})") from None
    prior = MotionPrior(config)
    load_state_strict(prior, tensors, p)
    return prior.eval(), meta


def default_prior_path(model_path: str | Path) -> Path:
    """Where the prior of a model file lives by default: `<folder>/priors/<model stem>.safetensors`
    (a sub-folder, so it is never listed as an animation model itself)."""
    m = Path(model_path)
    return m.parent / PRIORS_FOLDER / f"{m.stem}.safetensors"


def check_prior_fits(prior: MotionPrior, model_config: ModelConfig, prior_path: Path) -> None:
    """A prior trained for another keypoint count cannot drive this model.

    Raises:
        CheckpointError: naming both counts.
    """
    if prior.config.num_kp != model_config.num_kp:
        raise CheckpointError(
            f"{prior_path}: motion prior trained for {prior.config.num_kp} keypoints, "
            f"but the animation model has {model_config.num_kp}; train one with `flowmark train-prior`"
        )

"""Our checkpoint format: safetensors with the model config in its header, read safely.

Our format is one `.safetensors` file holding the weights of `MotionModel` plus, in its
header metadata, the resolved model config (`flowmark.model_config`, JSON) and training
metadata (`flowmark.meta`, JSON). The full training state for resuming lives in a second
file (see `flowmark_core.training.state`). Loading never executes code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open

from flowmark_core.config import ModelConfig, model_config_from_dict, to_dict
from flowmark_core.errors import CheckpointError, ConfigError
from flowmark_core.io.safetensors_file import stored_shapes, write_safetensors
from flowmark_core.models import MotionModel, build_model

FORMAT_TAG = "flowmark-checkpoint-v1"
#: Largest magnitude a stored weight may have. Weights are float32; a model whose weights
#: grew past this has diverged (products of such values overflow to inf/NaN in a forward
#: pass), so it is neither written nor loaded.
MAX_ABS_WEIGHT = 1e10


def first_bad_tensor(tensors: Mapping[str, torch.Tensor]) -> str | None:
    """A description of the first tensor holding NaN/inf or |x| > MAX_ABS_WEIGHT, else None."""
    for name, value in tensors.items():
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            continue
        if value.numel() == 0:
            continue
        if not bool(torch.isfinite(value).all()):
            return f"{name} holds NaN or infinite values"
        peak = float(value.detach().abs().max())
        if peak > MAX_ABS_WEIGHT:
            return f"{name} holds values up to {peak:.3g} (diverged; limit {MAX_ABS_WEIGHT:.0e})"
    return None


def save_checkpoint(
    path: str | Path,
    model: MotionModel,
    meta: Mapping[str, Any] | None = None,
    *,
    exclusive: bool = False,
) -> Path:
    """Write the model weights + config + metadata atomically to a `.safetensors` file
    (`exclusive`: refuse to replace a file that exists when the write ends)."""
    target = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    bad = first_bad_tensor(tensors)
    if bad is not None:
        raise CheckpointError(f"{target}: not written, weight {bad}")
    header = {
        "format": FORMAT_TAG,
        "flowmark.model_config": json.dumps(to_dict(model.config)),
        "flowmark.meta": json.dumps(dict(meta or {})),
    }
    return write_safetensors(target, tensors, header, exclusive=exclusive)


def read_checkpoint_header(path: str | Path) -> tuple[ModelConfig, dict[str, Any]]:
    """Read the config and metadata of one of our checkpoints without loading weights."""
    p = existing_file(path)
    try:
        with safe_open(str(p), framework="pt") as f:
            header = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{p}: not a readable safetensors checkpoint ({exc})") from None
    if header.get("format") != FORMAT_TAG or "flowmark.model_config" not in header:
        raise CheckpointError(f"{p}: a safetensors file but not a flowmark checkpoint (no config)")
    stored = _json_object(p, header["flowmark.model_config"], "config")
    try:
        config = model_config_from_dict(stored)
    except ConfigError as exc:
        raise CheckpointError(f"{p}: stored config is invalid ({exc})") from None
    meta = _json_object(p, header.get("flowmark.meta", "{}"), "metadata")
    check_meta_types(p, meta)
    return config, meta


#: Types of the metadata entries code reads from a model or prior header.
META_TYPES: dict[str, tuple[type, ...]] = {
    "step": (int,),
    "num_kp": (int,),
    "image_size": (int,),
    "train_videos": (int,),
    "train_config": (dict,),
    "card": (dict, str),  # adapt writes a one-sentence card (model_cards reads both)
    "adapt": (dict,),
    "animation_model": (str,),
    "animation_model_digest": (str,),
    "tracks": (str,),
    "data": (str,),
}


def check_meta_types(path: Path, meta: Mapping[str, Any]) -> None:
    """Each known metadata entry has its type (a step is a whole number >= 0).

    Raises:
        CheckpointError: naming the file, the entry and what it holds.
    """
    for key, types in META_TYPES.items():
        value = meta.get(key)
        if value is None:
            continue
        negative_step = key == "step" and isinstance(value, int) and value < 0
        if not isinstance(value, types) or isinstance(value, bool) or negative_step:
            want = "a whole number >= 0" if types == (int,) else f"a JSON {types[0].__name__}"
            raise CheckpointError(f"{path}: stored metadata {key!r} is {value!r}, expected {want}")


def _json_object(path: Path, text: str, what: str) -> dict[str, Any]:
    """Parse header entry `what` of `path`, which must be a JSON object."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise CheckpointError(f"{path}: stored {what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise CheckpointError(
            f"{path}: stored {what} is a JSON {type(value).__name__}, expected an object"
        )
    return value


def load_checkpoint(
    path: str | Path, config: ModelConfig | None = None
) -> tuple[MotionModel, dict[str, Any]]:
    """Load one of our checkpoints into a new model in eval mode.

    If `config` is given it must agree with the weights (e.g. the number of keypoints).
    """
    p = existing_file(path)
    stored_config, meta = read_checkpoint_header(p)
    check_shapes_before_building(lambda: build_model(config or stored_config), p)
    model = build_model(config or stored_config)
    try:
        tensors = {}
        with safe_open(str(p), framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 (safe_open is not a mapping)
                tensors[key] = f.get_tensor(key)
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{p}: cannot read weights ({exc})") from None
    bad = first_bad_tensor(tensors)
    if bad is not None:
        raise CheckpointError(f"{p}: unusable model, weight {bad}")
    load_state_strict(model, tensors, p)
    return model.eval(), meta


def check_shapes_before_building(build: Callable[[], torch.nn.Module], path: Path) -> None:
    """Compare the shapes stored in `path`'s header with those of the module `build` makes,
    built on the meta device (no memory), so a header claiming a huge network is refused
    before a byte of it is allocated."""
    try:
        shapes = stored_shapes(path)
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: cannot read weights ({exc})") from None
    with torch.device("meta"):
        skeleton = build()
    stored = {k: torch.empty(s, device="meta") for k, s in shapes.items()}
    check_state_shapes(skeleton, stored, path)


def check_state_shapes(
    module: torch.nn.Module, state: Mapping[str, Any], path: Path, prefix: str = ""
) -> None:
    """Every key of `module` in `state` with its shape, and no other key (CheckpointError)."""
    expected = module.state_dict()
    for key, ref in expected.items():
        if key not in state:
            raise CheckpointError(
                f"{path}: missing key {prefix}{key} (expected shape {tuple(ref.shape)})"
            )
        found = state[key]
        if not isinstance(found, torch.Tensor):
            raise CheckpointError(f"{path}: key {prefix}{key} is not a tensor")
        if tuple(found.shape) != tuple(ref.shape):
            raise CheckpointError(
                f"{path}: key {prefix}{key} has shape {tuple(found.shape)}, "
                f"expected {tuple(ref.shape)} (does the config match the checkpoint?)"
            )
    for key in state:
        if key not in expected:
            raise CheckpointError(f"{path}: unexpected key {prefix}{key} for this config")


def load_state_strict(
    module: torch.nn.Module, state: Mapping[str, Any], path: Path, prefix: str = ""
) -> None:
    """Load `state` into `module`; any missing/unexpected key or wrong shape is a CheckpointError."""
    check_state_shapes(module, state, path, prefix)
    module.load_state_dict({k: state[k] for k in module.state_dict()}, strict=True)


def load_state_extending(
    module: torch.nn.Module, state: Mapping[str, Any], path: Path
) -> tuple[list[str], list[str]]:
    """Load `state` into a model whose config adds or removes a head (warm starts).

    Tensors present in both must have the same shape; parameters `state` lacks keep their
    fresh initialisation, tensors the model lacks are dropped. Both lists are returned so the
    caller can say so.

    Returns:
        (fresh keys, dropped keys).

    Raises:
        CheckpointError: a shape differs, or the two share no tensor at all.
    """
    expected = module.state_dict()
    shared = [key for key in expected if key in state]
    if not shared:
        raise CheckpointError(f"{path}: shares no weights with this config")
    fresh = [key for key in expected if key not in state]
    dropped = [key for key in state if key not in expected]
    load_state_strict(module, {**expected, **{k: state[k] for k in shared}}, path)
    return fresh, dropped


def existing_file(path: str | Path) -> Path:
    """`path` as a Path when it is a non-empty file, else a CheckpointError saying why."""
    p = Path(path)
    if not p.exists():
        raise CheckpointError(f"{p}: file not found")
    if p.is_dir():
        raise CheckpointError(f"{p}: is a folder, expected a checkpoint file")
    if p.stat().st_size == 0:
        raise CheckpointError(f"{p}: file is empty")
    return p

"""Import checkpoints of the published First Order Motion Model (`*.pth.tar` + YAML).

The file is a `torch.save` pickle of a dict with `generator` and `kp_detector` state dicts
(plus optimizer states and `epoch`). It is read with `weights_only=True`: a pickle that asks
for anything beyond tensors and plain containers is refused, and nothing in it runs.
"""

from __future__ import annotations

import pickle
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from flowmark_core.checkpoints.files import existing_file, load_state_strict
from flowmark_core.checkpoints.fomm_inference import infer_fomm_config
from flowmark_core.config import ModelConfig
from flowmark_core.config.files import load_config
from flowmark_core.errors import CheckpointError
from flowmark_core.models import MotionModel, build_model


def read_pickle_safely(path: str | Path) -> Any:
    """`torch.load(weights_only=True)` with one-line errors naming the file."""
    p = existing_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(str(p), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        # Only a pickle that names a global (a class or function to call) asks to run
        # code; "Unsupported operand" is merely a pickle that is not a checkpoint.
        asks_code = any("global" in line.lower() for line in lines)
        if asks_code:
            detail = next(line for line in lines if "global" in line.lower())
            raise CheckpointError(
                f"{p}: refused to load: the pickle holds more than tensors and plain containers "
                f"and could run code ({detail[:120]})"
            ) from None
        detail = next((line for line in lines if "Unsupported" in line), "corrupt")
        raise CheckpointError(
            f"{p}: not a PyTorch checkpoint the tensor-only reader can read ({detail[:80]}); "
            "nothing in it was run"
        ) from None
    except Exception as exc:  # any reader failure: truncated, text, zip damage, ...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckpointError(
            f"{p}: not a readable PyTorch checkpoint (truncated or wrong kind of file: "
            f"{type(exc).__name__} {first[:120]})"
        ) from None


def load_fomm_checkpoint(
    checkpoint: str | Path, config: str | Path | ModelConfig | None = None
) -> tuple[MotionModel, dict[str, Any]]:
    """Build our model for a FOMM checkpoint and load its weights into it.

    The config comes from a FOMM YAML (or a ModelConfig); without one it is inferred from the
    weights (see `checkpoints.fomm_inference`) and `meta["inferred_config"]` says
    which. Either way the model samples with `align_corners=False`, as the published code does.
    """
    p = Path(checkpoint)
    data = read_pickle_safely(p)
    if not isinstance(data, dict) or "kp_detector" not in data or "generator" not in data:
        raise CheckpointError(
            f"{p}: not a First Order Motion Model checkpoint (expected a dict with "
            "'generator' and 'kp_detector' state dicts)"
        )
    for part in ("kp_detector", "generator"):
        if not isinstance(data[part], dict):
            raise CheckpointError(f"{p}: '{part}' is not a state dict")
    meta: dict[str, Any] = {"source": "fomm", "epoch": data.get("epoch")}
    if config is None:
        state = {
            f"{part}.{k}": v for part in ("kp_detector", "generator") for k, v in data[part].items()
        }
        model_config, meta["inferred_config"] = infer_fomm_config(state, p)
    else:
        model_config = config if isinstance(config, ModelConfig) else load_config(config).model
        # The published code samples with align_corners=False; a FOMM YAML has no such key.
        model_config = replace(model_config, align_corners=False)
    model = build_model(model_config)
    for part in ("kp_detector", "generator"):
        load_state_strict(getattr(model, part), data[part], p, prefix=f"{part}.")
    return model.eval(), meta

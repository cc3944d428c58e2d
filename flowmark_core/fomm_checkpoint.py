"""Import checkpoints of the published First Order Motion Model (`*.pth.tar` + YAML).

The file is a `torch.save` pickle of a dict with `generator` and `kp_detector` state dicts
(plus optimizer states and `epoch`). It is read with `weights_only=True`: a pickle that asks
for anything beyond tensors and plain containers is refused, and nothing in it runs.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import torch

from flowmark_core.checkpoints import _existing_file, load_state_strict
from flowmark_core.config import ModelConfig, load_config
from flowmark_core.errors import CheckpointError
from flowmark_core.models import MotionModel, build_model


def read_pickle_safely(path: str | Path) -> Any:
    """`torch.load(weights_only=True)` with one-line errors naming the file."""
    p = _existing_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(str(p), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        asks_code = any("Unsupported" in line or "global" in line.lower() for line in lines)
        if asks_code:
            detail = next(
                line for line in lines if "Unsupported" in line or "global" in line.lower()
            )
            raise CheckpointError(
                f"{p}: refused to load: the pickle holds more than tensors and plain containers "
                f"and could run code ({detail[:120]})"
            ) from None
        raise CheckpointError(
            f"{p}: not a readable PyTorch checkpoint ({(lines or ['?'])[0][:160]})"
        ) from None
    except Exception as exc:  # any reader failure: truncated, text, zip damage, ...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckpointError(
            f"{p}: not a readable PyTorch checkpoint (truncated or wrong kind of file: "
            f"{type(exc).__name__} {first[:120]})"
        ) from None


def load_fomm_checkpoint(
    checkpoint: str | Path, config: str | Path | ModelConfig
) -> tuple[MotionModel, dict[str, Any]]:
    """Build our model from a FOMM YAML (or a ModelConfig) and load the FOMM weights into it."""
    model_config = config if isinstance(config, ModelConfig) else load_config(config).model
    p = Path(checkpoint)
    data = read_pickle_safely(p)
    if not isinstance(data, dict) or "kp_detector" not in data or "generator" not in data:
        raise CheckpointError(
            f"{p}: not a First Order Motion Model checkpoint (expected a dict with "
            "'generator' and 'kp_detector' state dicts)"
        )
    model = build_model(model_config)
    for part in ("kp_detector", "generator"):
        state = data[part]
        if not isinstance(state, dict):
            raise CheckpointError(f"{p}: '{part}' is not a state dict")
        load_state_strict(getattr(model, part), state, p, prefix=f"{part}.")
    meta = {"source": "fomm", "epoch": data.get("epoch")}
    return model.eval(), meta

"""Full training state for resuming: weights, optimizers, schedulers, step, RNG states.

Written atomically with `torch.save` (temp file + rename, so the previous state survives a
kill during saving) and read back with `weights_only=True` (nothing in it executes).
Weights holding NaN/inf (or diverged past `MAX_ABS_WEIGHT`) are neither written nor read.
"""

from __future__ import annotations

import pickle
import random
import warnings
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from flowmark_core.checkpoints import first_bad_tensor
from flowmark_core.errors import CheckpointError, TrainingError
from flowmark_core.io.atomic import atomic_output

#: torch.save writes a zip archive; anything else is not one of our states.
_ZIP_MAGIC = b"PK\x03\x04"

STATE_FORMAT = "flowmark-train-state-v1"


def capture_rng() -> dict[str, Any]:
    """The RNG states of torch, numpy and Python's random, as plain tensors and lists."""
    np_state = cast(tuple[Any, ...], np.random.get_state(legacy=True))  # legacy: the tuple form
    py_state = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "numpy": [
            str(np_state[0]),
            torch.from_numpy(np.asarray(np_state[1]).astype(np.int64)),
            int(np_state[2]),
            int(np_state[3]),
            float(np_state[4]),
        ],
        "python": [int(py_state[0]), list(py_state[1]), py_state[2]],
    }


def restore_rng(state: dict[str, Any]) -> None:
    """Restore what `capture_rng` captured."""
    torch.set_rng_state(state["torch"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))


def save_train_state(path: str | Path, state: dict[str, Any]) -> None:
    """Atomically write a training state dict (adds the format tag)."""
    bad = first_bad_tensor(state.get("model", {}))
    if bad is not None:
        raise TrainingError(
            f"{path}: not written at step {state.get('step')}: weight {bad}; "
            "the previous checkpoint is kept"
        )
    payload = dict(state, format=STATE_FORMAT)
    with atomic_output(Path(path)) as tmp:
        torch.save(payload, str(tmp))


def load_train_state(path: str | Path) -> dict[str, Any]:
    """Read a training state written by `save_train_state` (a file or its run folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "train-state.pt"
    if not p.is_file():
        raise CheckpointError(f"{p}: training state not found (expected train-state.pt)")
    with open(p, "rb") as f:
        head = f.read(4)
    if head != _ZIP_MAGIC:
        raise CheckpointError(
            f"{p}: not a flowmark training state (expected train-state.pt from train.py)"
        )
    data = _load_tensors_only(p)
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise CheckpointError(
            f"{p}: not a flowmark training state (expected train-state.pt from train.py)"
        )
    bad = first_bad_tensor(data.get("model") or {})
    if bad is not None:
        raise CheckpointError(f"{p}: unusable training state, weight {bad}")
    return data


def _load_tensors_only(p: Path) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(str(p), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "Unsupported global" in str(exc) or "GLOBAL" in str(exc):
            raise CheckpointError(
                f"{p}: refused to load: it asks to run code (holds more than tensors)"
            ) from None
        raise CheckpointError(f"{p}: not a readable training state (corrupt)") from None
    except Exception:  # truncated zip, damaged records, ...
        raise CheckpointError(
            f"{p}: not a readable training state (truncated or corrupt)"
        ) from None

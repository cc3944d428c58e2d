"""Full training state for resuming: weights, optimizers, schedulers, step, RNG states.

Written atomically with `torch.save` (temp file + rename, so the previous state survives a
kill during saving) and read back with `weights_only=True` (nothing in it executes).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from flowmark_core.errors import CheckpointError
from flowmark_core.fomm_checkpoint import read_pickle_safely
from flowmark_core.io.atomic import atomic_output

STATE_FORMAT = "flowmark-train-state-v1"


def capture_rng() -> dict[str, Any]:
    """The RNG states of torch, numpy and Python's random, as plain tensors and lists."""
    np_state = np.random.get_state()
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
    payload = dict(state, format=STATE_FORMAT)
    with atomic_output(Path(path)) as tmp:
        torch.save(payload, str(tmp))


def load_train_state(path: str | Path) -> dict[str, Any]:
    """Read a training state written by `save_train_state`."""
    p = Path(path)
    if p.is_dir():
        p = p / "train-state.pt"
    data = read_pickle_safely(p)
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise CheckpointError(
            f"{p}: not a flowmark training state (expected train-state.pt from train.py)"
        )
    return data

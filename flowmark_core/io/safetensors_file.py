"""safetensors files written by us and their tensor shapes read without their data.

`safetensors.torch.save_file` writes its own `.tmpXXXXXX` beside the path it is given and
renames it; a kill during the write left that file behind, under a name no clean-up of ours
knows. So the bytes are built in memory and written to our own temporary
(`atomic_output`), which the next write to the same target removes when its writer is gone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save

from flowmark_core.io.atomic import atomic_output


def write_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, torch.Tensor],
    header: Mapping[str, str],
    *,
    exclusive: bool = False,
) -> Path:
    """Write `tensors` with `header` metadata to `path` atomically (see the module doc)."""
    data = save(dict(tensors), metadata=dict(header))
    with atomic_output(path, exclusive=exclusive) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def stored_shapes(path: str | os.PathLike[str]) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor in a safetensors file, from its header only."""
    with safe_open(str(path), framework="pt") as f:
        return {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}  # noqa: SIM118

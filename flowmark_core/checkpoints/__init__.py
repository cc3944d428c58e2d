"""Model checkpoints: our safetensors format, the First Order Motion Model import, loading.

- `files`: our format (weights plus the model config and metadata in the header), written
  atomically, read without running code, every shape checked before anything is built;
- `fomm`: published FOMM `.pth.tar` files (tensor-only unpickling), with `fomm_inference`
  (the model config inferred from the weights when no YAML is given);
- `loading`: `load_model` and `resolve_model_path` (our files, bundled names, FOMM files).

The formats do not import `loading`; the public names are importable from here.
"""

from __future__ import annotations

from flowmark_core.checkpoints.files import (
    FORMAT_TAG,
    check_meta_types,
    check_shapes_before_building,
    first_bad_tensor,
    load_checkpoint,
    load_state_extending,
    load_state_strict,
    read_checkpoint_header,
    save_checkpoint,
)
from flowmark_core.checkpoints.loading import load_model, resolve_model_path

__all__ = [
    "FORMAT_TAG",
    "check_meta_types",
    "check_shapes_before_building",
    "first_bad_tensor",
    "load_checkpoint",
    "load_model",
    "load_state_extending",
    "load_state_strict",
    "read_checkpoint_header",
    "resolve_model_path",
    "save_checkpoint",
]

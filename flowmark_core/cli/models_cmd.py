"""`flowmark models`: list the bundled models."""

from __future__ import annotations

import argparse

from flowmark_core.checkpoints import read_checkpoint_header
from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list bundled models",
        description="List the models bundled with flowmark (usable by name with --model).",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    models = bundled_models()
    if not models:
        print("no bundled models found")
        return 0
    for name, path in models.items():
        config, meta = read_checkpoint_header(path)
        default = " (default)" if name == DEFAULT_MODEL_NAME else ""
        print(
            f"{name}{default}: {config.num_kp} keypoints, {config.image_size} px, "
            f"step {meta.get('step', '?')}, {path.stat().st_size / 1e6:.1f} MB — {path}"
        )
    return 0

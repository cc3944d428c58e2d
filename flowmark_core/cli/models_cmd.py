"""`flowmark models`: list the bundled models."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list bundled models",
        description="List the models bundled with flowmark (usable by name with --model).",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List every bundled model; one that cannot be read is named on stderr, the rest listed."""
    from flowmark_core.checkpoints import read_checkpoint_header
    from flowmark_core.errors import FlowmarkError
    from flowmark_core.model_cards import card_problem, read_model_card
    from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models

    models = bundled_models()
    if not models:
        print("no bundled models found")
        return 0
    for name, path in models.items():
        try:
            config, meta = read_checkpoint_header(path)
        except FlowmarkError as exc:
            sys.stderr.write(f"flowmark: note: bundled model {name} cannot be read: {exc}\n")
            continue
        default = " (default)" if name == DEFAULT_MODEL_NAME else ""
        print(
            f"{name}{default}: {config.num_kp} keypoints, {config.image_size} px, "
            f"step {meta.get('step', '?')}, {path.stat().st_size / 1e6:.1f} MB — {path}"
        )
        card = read_model_card(path, meta)  # what it is for (side file or metadata)
        problem = card_problem(path, config.image_size)
        if problem is not None:
            sys.stderr.write(f"flowmark: note: {problem}\n")
        for line in card.lines() if card is not None else []:
            print(f"    {line}")
    return 0

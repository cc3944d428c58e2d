"""`flowmark models`: list the bundled models."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list bundled models",
        description="List the models bundled with flowmark (usable by name with --model). "
        "Without --model, `animate`, `reconstruct` and `parts` (and the app) choose the photo "
        "model for a source that looks like a photo of a face and the default for drawings.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List every bundled model; one that cannot be read is named on stderr, the rest listed."""
    from flowmark_core.checkpoints import read_checkpoint_header
    from flowmark_core.errors import FlowmarkError
    from flowmark_core.model_cards import card_problem, read_model_card
    from flowmark_core.resources import DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME, bundled_models

    roles = {DEFAULT_MODEL_NAME: " (default, for drawings)", PHOTO_MODEL_NAME: " (for photos)"}
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
        role = roles.get(name, "")
        print(
            f"{name}{role}: {config.num_kp} keypoints, {config.image_size} px, "
            f"step {meta.get('step', '?')}, {path.stat().st_size / 1e6:.1f} MB — {path}"
        )
        card = read_model_card(path, meta)  # what it is for (side file or metadata)
        problem = card_problem(path, config.image_size)
        if problem is not None:
            sys.stderr.write(f"flowmark: note: {problem}\n")
        for line in card.lines() if card is not None else []:
            print(f"    {line}")
    if PHOTO_MODEL_NAME in models:
        print(
            f"Without --model, {PHOTO_MODEL_NAME} animates a source that looks like a photo of "
            f"a face and {DEFAULT_MODEL_NAME} anything else (animate, reconstruct, parts and "
            "the app, which say which they chose); --model chooses."
        )
    return 0

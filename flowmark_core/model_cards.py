"""Model cards: what a model was trained on, at what size, and what it handles.

A bundled model's card is the side file `<model>.card.json` next to it; a model file made
by `flowmark adapt` (or any checkpoint) may carry one as `card` in its metadata (a string or
the same mapping). The side file wins. Reading a card never loads weights.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CARD_SUFFIX = ".card.json"


@dataclass(frozen=True)
class ModelCard:
    """A short description of a model.

    Attributes:
        summary: one sentence.
        data: what it was trained on.
        resolution: the size it runs at, e.g. "128 px".
        handles: what it animates well.
        limits: what it does not (and the way out).
        real_faces: whether it was trained or adapted on real faces (the app warns once
            when a real photo meets a model without).
    """

    summary: str
    data: str = ""
    resolution: str = ""
    handles: str = ""
    limits: str = ""
    real_faces: bool = False

    def lines(self) -> list[str]:
        """The card as short labelled lines (for `flowmark models` and tooltips)."""
        out = [self.summary]
        for label, text in (("data", self.data), ("size", self.resolution)):
            if text:
                out.append(f"{label}: {text}")
        for label, text in (("handles", self.handles), ("limits", self.limits)):
            if text:
                out.append(f"{label}: {text}")
        return out


def card_path(model_path: str | Path) -> Path:
    """Where a model's side-file card lives: `name.card.json` beside `name.safetensors`."""
    p = Path(model_path)
    return p.with_name(p.stem + CARD_SUFFIX)


def _from_value(value: Any) -> ModelCard | None:
    if isinstance(value, str) and value.strip():
        return ModelCard(summary=value.strip())
    if isinstance(value, dict) and isinstance(value.get("summary"), str):

        def text(key: str) -> str:
            return str(value.get(key, ""))

        return ModelCard(
            summary=text("summary"),
            data=text("data"),
            resolution=text("resolution"),
            handles=text("handles"),
            limits=text("limits"),
            real_faces=bool(value.get("real_faces", False)),
        )
    return None


def read_model_card(model_path: str | Path, meta: dict[str, Any] | None = None) -> ModelCard | None:
    """The card of a model: its side file, else `card` in its metadata, else None.

    An unreadable or malformed side file counts as no card (a card is documentation; it
    never stops a model from loading).
    """
    side = card_path(model_path)
    if side.is_file():
        try:
            card = _from_value(json.loads(side.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            card = None
        if card is not None:
            return card
    return _from_value((meta or {}).get("card"))


def card_problem(model_path: str | Path, image_size: int) -> str | None:
    """What is wrong with a model's side-file card, for a note (None: nothing).

    A card never stops a model from loading, but one that cannot be read, or that states a
    size the model does not run at, would otherwise be ignored or shown without a word.
    """
    side = card_path(model_path)
    if not side.is_file():
        return None
    try:
        card = _from_value(json.loads(side.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        return f"{side}: not a readable card ({type(exc).__name__}); ignored"
    if card is None:
        return f"{side}: not a card (expected an object with a summary); ignored"
    sizes = {int(n) for n in re.findall(r"(\d+)\s*px", f"{card.summary} {card.resolution}")}
    if sizes - {image_size}:
        said = ", ".join(f"{n} px" for n in sorted(sizes))
        return f"{side}: says {said}, but the model runs at {image_size} px"
    return None
